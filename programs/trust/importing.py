"""Planning a CSV import of metric values: plain data in, rows with their errors out (no Flask)."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from webapp.validators import MAX_MAGNITUDE, parse_finite_number

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
MAX_ROWS = 10_000


@dataclass
class ValueRow:
    line: int
    period: str
    value: float | None
    function_id: int | None
    errors: list[str] = field(default_factory=list)


@dataclass
class ValuePlan:
    rows: list[ValueRow]
    file_errors: list[str]

    @property
    def invalid_rows(self) -> list[ValueRow]:
        return [row for row in self.rows if row.errors]

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not self.invalid_rows and bool(self.rows)


def period_error(period: str, frequency: str) -> str | None:
    """Why period does not fit the metric's frequency, or None."""
    pattern, example = (MONTH, "2025-07") if frequency == "monthly" else (QUARTER, "2025-Q3")
    return None if pattern.match(period) else f"period {period!r} is not a {frequency[:-2]} like {example}"


def plan_values_import(content: str, frequency: str, per_function: bool, function_ids: dict[str, int]) -> ValuePlan:
    """Check every row of a CSV (period, value[, function]); function_ids maps lower-case names and codes."""
    reader = csv.DictReader(io.StringIO(content))
    columns = {c.strip().lower() for c in reader.fieldnames or []}
    needed = {"period", "value"} | ({"function"} if per_function else set())
    if not needed <= columns:
        return ValuePlan([], [f"The file needs the columns {', '.join(sorted(needed))}."])
    rows: list[ValueRow] = []
    seen: dict[tuple, int] = {}
    for line, raw in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            return ValuePlan(rows, [f"The file has more than {MAX_ROWS:,} rows."])
        row = _plan_row(line, {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}, frequency,
                        per_function, function_ids)
        key = (row.period, row.function_id)
        if key in seen:
            row.errors.append(f"the same period and function as line {seen[key]}")
        seen.setdefault(key, line)
        rows.append(row)
    return ValuePlan(rows, [] if rows else ["The file has no rows."])


def _plan_row(
    line: int, raw: dict[str, str], frequency: str, per_function: bool, function_ids: dict[str, int]
) -> ValueRow:
    row = ValueRow(line, raw.get("period", ""), parse_finite_number(raw.get("value", "")), None)
    if (error := period_error(row.period, frequency)) is not None:
        row.errors.append(error)
    if row.value is None:
        row.errors.append(f"value {raw.get('value', '')!r} is not a number within ±{MAX_MAGNITUDE:,.0f}")
    if per_function:
        name = raw.get("function", "")
        row.function_id = function_ids.get(name.lower())
        if row.function_id is None:
            row.errors.append(f"unknown function {name!r}")
    return row

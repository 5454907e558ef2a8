"""CSV uploads, shared by every import (people, accounts, ...): decoding the file, reading it with pandas
(comma, semicolon or tab separated), the plan of rows a preview shows, and the rejected rows as a CSV."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd
from flask import Response

TEXT_ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = (",", ";", "\t")  # Excel writes semicolons where the decimal separator is a comma
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs a cell that starts so


def decode_upload(form) -> str | None:
    """The text of form.file (UTF-8, or Windows-1252 as exported by Excel); an error on the field if binary."""
    raw = form.file.data.read()
    for encoding in TEXT_ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    form.file.errors = [*form.file.errors, "The file is not a text CSV file (use UTF-8)."]
    return None


def detect_delimiter(content: str) -> str:
    """The delimiter of the header line: whichever of comma, semicolon and tab it holds most (comma if none)."""
    header = next((line for line in content.splitlines() if line.strip()), "")
    return max(DELIMITERS, key=header.count) if any(d in header for d in DELIMITERS) else ","


def read_csv_text(content: str, required: tuple[str, ...], max_rows: int) -> tuple[pd.DataFrame | None, list[str]]:
    """Parse text as a CSV of stripped strings with normalised column names; (frame, file-level errors)."""
    if not content.strip():
        return None, ["The file is empty."]
    try:
        frame = pd.read_csv(io.StringIO(content), sep=detect_delimiter(content), dtype=str, keep_default_na=False,
                            skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError) as error:
        return None, [f"The file is not readable as CSV: {error}"]
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        return None, [f"Missing column(s): {', '.join(missing)}. Required: {', '.join(required)}."]
    if len(frame) > max_rows:
        return None, [f"The file has {len(frame)} rows; at most {max_rows} can be imported at once."]
    return frame.map(lambda v: v.strip() if isinstance(v, str) else v), []


class PlannedLine(Protocol):
    """What every import's planned row has: its line in the file, the values read there, its outcome."""

    line: int
    source: dict[str, str]
    action: str  # "create" or "update"
    errors: list[str]
    warnings: list[str]

    def cells(self) -> dict[str, str]: ...  # column heading -> value, as the preview shows the row


@dataclass
class ImportPlan:
    """The rows of an upload: valid ones to add or update, rows with errors; nothing is written while planning."""

    rows: list = field(default_factory=list)  # PlannedLine rows of one import
    file_errors: list[str] = field(default_factory=list)

    @property
    def invalid_rows(self) -> list:
        return [row for row in self.rows if row.errors]

    @property
    def warned_rows(self) -> list:
        return [row for row in self.rows if row.warnings and not row.errors]

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not self.invalid_rows and bool(self.rows)

    def count(self, action: str) -> int:
        """How many valid rows would be added ("create") or updated ("update"); rows with errors count apart."""
        return sum(row.action == action and not row.errors for row in self.rows)


def rejected_rows_csv(plan: ImportPlan) -> str:
    """The rows with errors as the file had them, after their line number, with the reasons in a last column."""
    columns = list(plan.rows[0].source) if plan.rows else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["line", *columns, "problems"])
    for row in plan.invalid_rows:
        writer.writerow([row.line, *(spreadsheet_safe(row.source.get(c, "")) for c in columns),
                         spreadsheet_safe("; ".join(row.errors))])
    return out.getvalue()


def rejected_rows_download(plan: ImportPlan, filename: str) -> Response:
    """The rejected rows of the upload filename, as a CSV attachment named after it."""
    stem = "".join(char for char in filename.rsplit(".", 1)[0] if char.isalnum() or char in "-_")[:80] or "upload"
    return Response(rejected_rows_csv(plan), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=rejected-{stem}.csv"})


def spreadsheet_safe(value: str) -> str:
    """value with a leading apostrophe where a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value

"""Plan an accounts CSV import with pandas: pure data in, a plan with per-row errors out.

Like the people import (webapp.people.importing; webapp.uploads.ImportPlan holds the rows of both):
nothing is written here; the service applies a valid plan, all rows or none.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from programs.visits.models import ACCOUNT_NAME_MAX, LABEL_MAX
from webapp.uploads import ImportPlan, read_csv_text

REQUIRED_COLUMNS = ("name",)
OPTIONAL_COLUMNS = ("segment", "region", "owner_email")
MAX_ROWS = 20_000
FIRST_DATA_LINE = 2  # line 1 is the header


@dataclass
class PlannedAccount:
    line: int
    name: str
    segment: str
    region: str
    owner_email: str
    owner_id: int | None
    action: str  # "create" or "update"
    source: dict[str, str] = field(default_factory=dict)  # the row as read
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # suspicious but importable

    def cells(self) -> dict[str, str]:
        return {"Name": self.name, "Segment": self.segment, "Region": self.region, "Owner": self.owner_email}


def read_accounts_csv(content: str) -> tuple[pd.DataFrame | None, list[str]]:
    """Parse the accounts file (a name column, the others optional); (frame, file-level errors)."""
    frame, errors = read_csv_text(content, REQUIRED_COLUMNS, MAX_ROWS)
    if frame is None:
        return None, errors
    for column in OPTIONAL_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    return frame, []


def plan_accounts_import(content: str, existing_names: set[str], owner_ids: dict[str, int]) -> ImportPlan:
    """Validate every row; existing_names are lower-case account names, owner_ids map lower-case emails."""
    frame, file_errors = read_accounts_csv(content)
    if frame is None:
        return ImportPlan(file_errors=file_errors)
    if frame.empty:
        return ImportPlan(file_errors=["The file has a header but no rows."])
    rows = [_plan_row(i + FIRST_DATA_LINE, rec, existing_names, owner_ids)
            for i, rec in enumerate(frame.to_dict("records"))]
    _flag_duplicate_names(rows)
    return ImportPlan(rows=rows)


def _plan_row(line: int, rec: dict, existing_names: set[str], owner_ids: dict[str, int]) -> PlannedAccount:
    errors: list[str] = []
    name = rec["name"]
    if not name:
        errors.append("name is missing")
    elif len(name) > ACCOUNT_NAME_MAX:
        errors.append(f"name is longer than {ACCOUNT_NAME_MAX} characters")
    for column in ("segment", "region"):
        if len(rec[column]) > LABEL_MAX:
            errors.append(f"{column} is longer than {LABEL_MAX} characters")
    owner_email = rec["owner_email"].lower()
    owner_id = owner_ids.get(owner_email) if owner_email else None
    if owner_email and owner_id is None:
        errors.append(f"owner {rec['owner_email']!r} is not an active person in the directory")
    return PlannedAccount(
        line=line, name=name, segment=rec["segment"], region=rec["region"], owner_email=owner_email,
        owner_id=owner_id, action="update" if name.lower() in existing_names else "create", source=rec,
        errors=errors, warnings=_warnings(rec),
    )


def _warnings(rec: dict) -> list[str]:
    """Importable but probably a mistake: a name that is an e-mail address (the columns swapped, say)."""
    return ["the name looks like an e-mail address"] if "@" in rec["name"] else []


def _flag_duplicate_names(rows: list[PlannedAccount]) -> None:
    first_line: dict[str, int] = {}
    for row in rows:
        key = row.name.lower()
        if key and key in first_line:
            row.errors.append(f"duplicate name: also on line {first_line[key]}")
        first_line.setdefault(key, row.line)

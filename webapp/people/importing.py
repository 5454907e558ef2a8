"""Plan a people CSV import with pandas: pure data in, a plan with per-row errors out.

No Flask and no database here: the caller passes what already exists as plain data; the rules
that need the database and the actor (who may change which roles, the last admin) are the person
form's own, added to the rows by services.plan_for; services.apply_pending_import writes a valid plan.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from webapp.roles import Role
from webapp.uploads import ImportPlan, read_csv_text

__all__ = ["ExistingPeople", "ImportPlan", "PlannedRow", "plan_people_import", "read_people_csv"]

REQUIRED_COLUMNS = ("email", "name", "function")
OPTIONAL_COLUMNS = ("team", "manager_email", "roles", "hired_on", "job_title")
MAX_ROWS = 20_000
NAME_MAX = 120
TEAM_MAX = 80
EMAIL_MAX = 254
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
ROLE_SEPARATORS = re.compile(r"[;|,\s]+")
FIRST_DATA_LINE = 2  # line 1 is the header
OLDEST_HIRE_YEARS = 70  # a hire date longer ago is more likely a typo than a long career


@dataclass
class ExistingPeople:
    """What the database already holds, as plain data."""

    function_ids: dict[str, int]  # lower-case name and code -> id
    manager_of: dict[str, str | None]  # lower-case email -> manager's lower-case email


@dataclass
class PlannedRow:
    line: int
    email: str
    name: str
    function_id: int | None
    team: str
    manager_email: str
    roles: set[Role] | None  # None: the file has no roles column, keep what people hold
    hired_on: date | None
    job_title: str | None
    action: str  # "create" or "update"
    function: str = ""  # as the file names it
    source: dict[str, str] = field(default_factory=dict)  # the row as read
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # suspicious but importable

    def cells(self) -> dict[str, str]:
        roles = ", ".join(sorted(role.value for role in self.roles or ()))
        return {"Email": self.email, "Name": self.name, "Function": self.function, "Team": self.team,
                "Manager": self.manager_email, "Roles": roles, "Hired on": str(self.hired_on or "")}


def read_people_csv(content: str) -> tuple[pd.DataFrame | None, list[str]]:
    """Parse the people file; (frame, file-level errors)."""
    return read_csv_text(content, REQUIRED_COLUMNS, MAX_ROWS)


def plan_people_import(content: str, existing: ExistingPeople, today: date) -> ImportPlan:
    """Validate every row and decide create or update, warn on suspicious values; nothing is written."""
    frame, file_errors = read_people_csv(content)
    if frame is None:
        return ImportPlan(file_errors=file_errors)
    if frame.empty:
        return ImportPlan(file_errors=["The file has a header but no rows."])
    plan = ImportPlan(rows=[_plan_row(i + FIRST_DATA_LINE, rec, frame.columns, existing)
                            for i, rec in enumerate(frame.to_dict("records"))])
    _flag_duplicate_emails(plan.rows)
    _flag_unknown_managers(plan.rows, existing)
    _flag_manager_cycles(plan.rows, existing)
    _warn_on_hire_dates(plan.rows, today)
    return plan


def _plan_row(line: int, rec: dict, columns, existing: ExistingPeople) -> PlannedRow:
    errors: list[str] = []
    email = rec["email"].lower()
    if not email:
        errors.append("email is missing")
    elif len(email) > EMAIL_MAX or not EMAIL_PATTERN.match(email):
        errors.append(f"email {rec['email']!r} is not a valid address")
    name = rec["name"]
    if not name:
        errors.append("name is missing")
    elif len(name) > NAME_MAX:
        errors.append(f"name is longer than {NAME_MAX} characters")
    function_id = existing.function_ids.get(rec["function"].lower())
    if function_id is None:
        errors.append(f"unknown function {rec['function']!r}" if rec["function"] else "function is missing")
    team = rec.get("team", "")
    if len(team) > TEAM_MAX:
        errors.append(f"team is longer than {TEAM_MAX} characters")
    roles = _parse_roles(rec["roles"], errors) if "roles" in columns else None
    job_title = rec["job_title"][:NAME_MAX] if "job_title" in columns else None
    return PlannedRow(
        line=line, email=email, name=name, function_id=function_id, team=team,
        manager_email=rec.get("manager_email", "").lower(), roles=roles,
        hired_on=_parse_date(rec.get("hired_on", ""), errors), job_title=job_title,
        action="update" if email in existing.manager_of else "create", function=rec["function"], source=rec,
        errors=errors,
    )


def _parse_roles(text: str, errors: list[str]) -> set[Role]:
    roles: set[Role] = set()
    for word in filter(None, ROLE_SEPARATORS.split(text)):
        try:
            roles.add(Role(word.lower()))
        except ValueError:
            errors.append(f"unknown role {word!r} (known: {', '.join(r.value for r in Role)})")
    return roles


def _parse_date(text: str, errors: list[str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(f"hired_on {text!r} is not a date (use YYYY-MM-DD)")
        return None


def _flag_duplicate_emails(rows: list[PlannedRow]) -> None:
    first_line: dict[str, int] = {}
    for row in rows:
        if row.email and row.email in first_line:
            row.errors.append(f"duplicate email: also on line {first_line[row.email]}")
        first_line.setdefault(row.email, row.line)


def _flag_unknown_managers(rows: list[PlannedRow], existing: ExistingPeople) -> None:
    in_file = {row.email for row in rows}
    for row in rows:
        if row.manager_email and row.manager_email not in in_file and row.manager_email not in existing.manager_of:
            row.errors.append(f"manager {row.manager_email!r} not found in the file or the directory")
        if row.manager_email and row.manager_email == row.email:
            row.errors.append("a person cannot be their own manager")


def _flag_manager_cycles(rows: list[PlannedRow], existing: ExistingPeople) -> None:
    """Flag every row whose manager chain, after the import, leads back to itself."""
    manager_of = dict(existing.manager_of)
    manager_of.update({row.email: row.manager_email or None for row in rows if row.email})
    for row in rows:
        chain = [row.email]
        boss = manager_of.get(row.email)
        while boss and boss not in chain:
            chain.append(boss)
            boss = manager_of.get(boss)
        if boss == row.email and len(chain) > 1:
            row.errors.append("cycle in the manager chain: " + " → ".join([*chain, row.email]))


def _warn_on_hire_dates(rows: list[PlannedRow], today: date) -> None:
    """A hire date in the future, or very long ago, is importable but probably a typo: say so."""
    oldest = today.replace(year=today.year - OLDEST_HIRE_YEARS, day=min(today.day, 28))
    for row in rows:
        if row.hired_on and row.hired_on > today:
            row.warnings.append(f"hired_on {row.hired_on.isoformat()} is in the future")
        elif row.hired_on and row.hired_on < oldest:
            row.warnings.append(f"hired_on {row.hired_on.isoformat()} is more than {OLDEST_HIRE_YEARS} years ago")

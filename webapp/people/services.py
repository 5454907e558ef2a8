"""Writes about people, functions and teams. Each enforces its rules, audits, and flushes."""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp import clock
from webapp.auth.services import record_audit
from webapp.errors import RuleError
from webapp.extensions import db
from webapp.people.importing import ExistingPeople, ImportPlan, PlannedRow, plan_people_import
from webapp.people.models import Function, Membership, PendingImport, RoleGrant, Team, User
from webapp.people.queries import manager_chain_ids
from webapp.roles import Role

ADMIN_ONLY_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.MANAGER})
LAST_ADMIN = "There must stay at least one active admin."


class PeopleError(RuleError):
    """A rule of this package was broken (see webapp.errors.RuleError)."""


@dataclass
class PersonData:
    email: str
    name: str
    function_id: int | None
    job_title: str = ""
    team_id: int | None = None
    manager_id: int | None = None
    hired_on: date | None = None
    roles: set[Role] = field(default_factory=set)
    password: str | None = None


AUDITED_FIELDS = {
    Function: ("name", "code", "colour", "active"),
    Team: ("name", "function_id", "manager_id", "active"),
    User: ("email", "name", "job_title", "function_id", "team_id", "manager_id", "hired_on", "active"),
}


def snapshot(obj: Any) -> dict[str, Any]:
    """The audited fields of obj as JSON-friendly data."""
    data = {name: getattr(obj, name) for name in AUDITED_FIELDS[type(obj)]}
    if isinstance(obj, User):
        data["roles"] = sorted(r.value for r in obj.roles)
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()}


def _ensure_unique(column, value: str, exclude_id: int | None, field_name: str, label: str) -> None:
    query = select(column.class_.id).where(func.lower(column) == value.lower())
    if exclude_id is not None:
        query = query.where(column.class_.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise PeopleError(f"Another record already uses this {label}.", field_name)


def _apply(actor: User | None, obj: Any, action: str, changes: dict[str, Any]) -> Any:
    """Set attributes on obj (new or existing) and audit the before/after state."""
    is_new = getattr(obj, "id", None) is None
    before = None if is_new else snapshot(obj)
    for name, value in changes.items():
        setattr(obj, name, value)
    if is_new:
        db.session.add(obj)
    db.session.flush()
    record_audit(actor, action, obj, before, snapshot(obj))
    return obj


# --- functions ---------------------------------------------------------------------------

def save_function(actor: User | None, function: Function | None, name: str, code: str, colour: str) -> Function:
    """Create (function None) or update a function; names and codes are unique."""
    function = function or Function()
    _ensure_unique(Function.name, name, function.id, "name", "name")
    _ensure_unique(Function.code, code, function.id, "code", "code")
    action = "function.update" if function.id else "function.create"
    return _apply(actor, function, action, {"name": name, "code": code.upper(), "colour": colour.lower()})


# --- teams -------------------------------------------------------------------------------

def save_team(actor: User | None, team: Team | None, name: str, function_id: int, manager_id: int | None) -> Team:
    """Create or update a team; names are unique inside a function."""
    team = team or Team()
    clash = select(Team.id).where(Team.function_id == function_id, func.lower(Team.name) == name.lower())
    if team.id:
        clash = clash.where(Team.id != team.id)
    if db.session.scalar(clash) is not None:
        raise PeopleError("This function already has a team with that name.", "name")
    if db.session.get(Function, function_id) is None:
        raise PeopleError("Choose an existing function.", "function_id")
    if manager_id is not None and db.session.get(User, manager_id) is None:
        raise PeopleError("Choose an existing person as manager.", "manager_email")
    action = "team.update" if team.id else "team.create"
    return _apply(actor, team, action, {"name": name, "function_id": function_id, "manager_id": manager_id})


# --- people ------------------------------------------------------------------------------

def save_person(actor: User | None, person: User | None, data: PersonData) -> User:
    """Create or update a person, checking email, team, manager chain and the last admin."""
    person = person or User()
    _ensure_unique(User.email, data.email, person.id, "email", "email address")
    _check_team(data)
    _check_manager(person, data.manager_id)
    _check_roles(actor, person, data.roles)
    is_new = person.id is None
    action = "person.update" if person.id else "person.create"
    before = None if is_new else snapshot(person)
    for name in ("name", "job_title", "function_id", "team_id", "manager_id", "hired_on"):
        setattr(person, name, getattr(data, name))
    person.email = data.email.strip().lower()
    person.set_roles(data.roles)
    if data.password:
        person.set_password(data.password)
    if is_new:
        db.session.add(person)
    db.session.flush()
    record_membership([person], clock.today())
    record_audit(actor, action, person, before, snapshot(person))
    return person


def _check_team(data: PersonData) -> None:
    if data.team_id is None:
        return
    team = db.session.get(Team, data.team_id)
    if team is None:
        raise PeopleError("Choose an existing team.", "team_id")
    if team.function_id != data.function_id:
        raise PeopleError("That team belongs to another function.", "team_id")


def _check_manager(person: User, manager_id: int | None) -> None:
    if manager_id is None:
        return
    if db.session.get(User, manager_id) is None:
        raise PeopleError("Choose an existing person as manager.", "manager_email")
    if person.id is not None and person.id in manager_chain_ids(manager_id):
        raise PeopleError("That would make a loop in the manager chain.", "manager_email")


# --- membership history -------------------------------------------------------------------

def record_membership(people: Iterable[User], on: date) -> None:
    """Bring each person's membership history up to their present function and activity, from the day on.

    Called by every write that adds people or changes their function or activity. An open stint that no
    longer fits ends where on begins (ended_on is the first day outside it), and a new one opens on that
    day for an active person; a stint that would end on the day it started is dropped. The people's rows
    are locked first, so concurrent changes queue; one query reads all their open stints.
    """
    by_id = {person.id: person for person in people}
    ids = list(by_id)
    db.session.execute(select(User.id).where(User.id.in_(ids)).with_for_update())
    open_stints = {stint.user_id: stint for stint in db.session.scalars(
        select(Membership).where(Membership.user_id.in_(ids), Membership.ended_on.is_(None))
        .execution_options(populate_existing=True))}
    for person in by_id.values():
        current = open_stints.get(person.id)
        if current is not None and person.active and current.function_id == person.function_id:
            continue
        if current is not None and current.started_on >= on:
            db.session.delete(current)
        elif current is not None:
            current.ended_on = on
        if person.active:
            db.session.add(Membership(user_id=person.id, function_id=person.function_id, started_on=on))
    db.session.flush()


# --- the role rules: the person form and the CSV import both apply these ------------------

def role_change_refusal(actor: User | None, before: set[Role], after: set[Role]) -> str | None:
    """Why actor may not change someone's roles from before to after (None: they may).

    Only an admin (or the command line, actor None) grants or removes the leader, manager and admin roles.
    """
    changed = (set(before) ^ set(after)) & ADMIN_ONLY_ROLES
    if not changed or actor is None or Role.ADMIN in actor.roles:
        return None
    return f"Only an admin may grant or remove the {' and '.join(sorted(r.value for r in changed))} role."


def last_admin_refusal(losing_admin: set[int], new_admins: int = 0) -> str | None:
    """Why these people may not lose the admin role (or be deactivated) all together: no active admin would stay."""
    if not losing_admin:
        return None
    others = select(func.count()).select_from(RoleGrant).join(User).where(
        RoleGrant.role == Role.ADMIN.value, User.active.is_(True), User.id.not_in(losing_admin))
    return None if db.session.execute(others).scalar_one() + new_admins else LAST_ADMIN


def _check_roles(actor: User | None, person: User, roles: set[Role]) -> None:
    before = set(person.roles) if person.id else set()
    refusal = role_change_refusal(actor, before, roles)
    if refusal is None and Role.ADMIN in before and Role.ADMIN not in roles:
        refusal = last_admin_refusal({person.id})
    if refusal:
        raise PeopleError(refusal, "roles")


def _ensure_another_admin(person: User) -> None:
    refusal = last_admin_refusal({person.id})
    if refusal:
        raise PeopleError(refusal, "roles")


# --- activation ---------------------------------------------------------------------------

def set_active(actor: User | None, obj: Function | Team | User, active: bool) -> Function | Team | User:
    """Deactivate or reactivate (never delete, so history keeps its authors); returns obj."""
    if isinstance(obj, User) and not active and Role.ADMIN in obj.roles:
        _ensure_another_admin(obj)
    verb = "reactivate" if active else "deactivate"
    _apply(actor, obj, f"{type(obj).__name__.lower()}.{verb}", {"active": active})
    if isinstance(obj, User):
        record_membership([obj], clock.today())
    if isinstance(obj, User) and not active:
        obj.session_version += 1  # sign the person out everywhere
    return obj


# --- CSV import ---------------------------------------------------------------------------

class ImportRejected(PeopleError):
    """The import cannot be applied (invalid, already applied, or not yours)."""


def existing_people() -> ExistingPeople:
    """What the directory holds, as plain data for the import planner."""
    function_ids: dict[str, int] = {}
    for fid, name, code in db.session.execute(select(Function.id, Function.name, Function.code)):
        function_ids[name.lower()] = fid
        function_ids[code.lower()] = fid
    people = db.session.execute(select(User.id, User.email, User.manager_id)).all()
    email_of = {pid: email.lower() for pid, email, _ in people}
    manager_of = {email.lower(): email_of.get(mid) if mid is not None else None for _, email, mid in people}
    return ExistingPeople(function_ids=function_ids, manager_of=manager_of)


def stage_people_import(actor: User | None, filename: str, content: str) -> tuple[PendingImport, ImportPlan]:
    """Keep the upload for confirmation and return its plan (nothing in the directory changes).

    actor None is the command line, which may grant every role.
    """
    pending = PendingImport(
        token=secrets.token_urlsafe(32),
        uploaded_by_id=actor.id if actor else None,
        filename=filename[:255],
        content=content,
    )
    db.session.add(pending)
    db.session.flush()
    return pending, plan_for(actor, pending.content)


def plan_for(actor: User | None, content: str) -> ImportPlan:
    """The import plan of content, with the person form's role rules applied to every row."""
    plan = plan_people_import(content, existing_people(), clock.today())
    _apply_role_rules(actor, plan)
    return plan


def _apply_role_rules(actor: User | None, plan: ImportPlan) -> None:
    """Add a row error wherever the person form would refuse the row's roles (who may change them, the last admin)."""
    rows = [row for row in plan.rows if row.roles is not None and row.email]
    wanted = select(User).where(func.lower(User.email).in_([row.email for row in rows]))
    people = {u.email.lower(): u for u in db.session.scalars(wanted.options(selectinload(User.role_grants)))}
    losing, new_admins = [], 0
    for row in rows:
        person = people.get(row.email)
        before = set(person.roles) if person else set()
        refusal = role_change_refusal(actor, before, row.roles)
        if refusal:
            row.errors.append(refusal)
        elif person is not None and Role.ADMIN in before and Role.ADMIN not in row.roles and person.active:
            losing.append((row, person.id))
        elif Role.ADMIN not in before and Role.ADMIN in row.roles:
            new_admins += 1
    refusal = last_admin_refusal({person_id for _, person_id in losing}, new_admins)
    for row, _ in losing if refusal else ():
        row.errors.append(refusal)


def apply_pending_import(actor: User | None, pending: PendingImport) -> tuple[int, int]:
    """Apply a staged upload once, all rows or none; only its uploader may confirm it.

    Returns (created, updated).
    """
    if pending.uploaded_by_id != (actor.id if actor else None):
        raise ImportRejected("This upload belongs to someone else.")
    if pending.applied_at is not None:
        raise ImportRejected("This file was already imported.")
    plan = plan_for(actor, pending.content)
    if not plan.is_valid:
        raise ImportRejected("The file has errors; nothing was imported.")
    people = {u.email.lower(): u for u in db.session.scalars(select(User).options(selectinload(User.role_grants)))}
    before = {row.email: snapshot(people[row.email]) for row in plan.rows if row.email in people}
    teams = {(t.function_id, t.name.lower()): t for t in db.session.scalars(select(Team))}
    for row in plan.rows:
        people[row.email] = _import_row(row, people.get(row.email), teams)
    db.session.flush()
    for row in plan.rows:
        people[row.email].manager_id = people[row.manager_email].id if row.manager_email else None
    pending.applied_at = clock.now()
    db.session.flush()
    record_membership([people[row.email] for row in plan.rows], clock.today())
    _audit_each_person(actor, [people[row.email] for row in plan.rows], before)
    created, updated = plan.count("create"), plan.count("update")
    record_audit(
        actor, "people.import", pending, None, {"file": pending.filename, "created": created, "updated": updated}
    )
    return created, updated


def _audit_each_person(actor: User | None, people: list[User], before: dict[str, dict]) -> None:
    """One audit entry per person the import created or changed, with their before and after (as the form does)."""
    for person in people:
        was, now = before.get(person.email.lower()), snapshot(person)
        if was != now:
            record_audit(actor, "person.update" if was else "person.create", person, was, now)


def _import_row(row: PlannedRow, person: User | None, teams: dict) -> User:
    person = person or User(email=row.email)
    if person.id is None:
        db.session.add(person)
    person.name, person.function_id, person.hired_on = row.name, row.function_id, row.hired_on
    if row.job_title is not None:
        person.job_title = row.job_title
    person.team = _team_for(row, teams) if row.team else None
    if row.roles is not None:
        person.set_roles(row.roles)
    return person


def _team_for(row: PlannedRow, teams: dict) -> Team:
    key = (row.function_id, row.team.lower())
    if key not in teams:
        teams[key] = Team(name=row.team, function_id=row.function_id)
        db.session.add(teams[key])
    return teams[key]

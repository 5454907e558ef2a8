"""Writes about accounts, visits, notes and follow-ups. Each enforces its rules and flushes."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select, update

from programs.visits import rules
from programs.visits.importing import plan_accounts_import
from programs.visits.models import (
    DEFAULT_BACKDATE_DAYS,
    DEFAULT_PAIR_MONTHLY_CAP,
    OPEN_FOLLOW_UP_STATUSES,
    Account,
    CustomerContact,
    FollowUp,
    FollowUpStatus,
    FunctionNote,
    Learning,
    NoteRevision,
    PendingAccountImport,
    Visit,
    VisitAttendee,
    VisitMode,
    VisitPolicy,
    VisitStatus,
)
from webapp import clock, signals
from webapp.auth.services import record_audit
from webapp.db import locked, rows_changed
from webapp.errors import Refused, RuleError
from webapp.extensions import db
from webapp.forms import refuse_replay
from webapp.notifications.queries import notified_since
from webapp.notifications.services import link, notify
from webapp.people.models import User
from webapp.periods import quarter_label
from webapp.roles import Role
from webapp.uploads import ImportPlan


class VisitError(RuleError):
    """A rule of this package was broken (see webapp.errors.RuleError)."""


class NotAllowed(VisitError, Refused):
    """The person may not do this to this visit or follow-up (a 403)."""


# --- settings -------------------------------------------------------------------------------

POLICY_LIMITS = {"backdate_days": (1, 3650), "pair_monthly_cap": (1, 100)}


def get_policy() -> VisitPolicy:
    """The visit settings: the saved row, or the defaults until an admin saves them."""
    return db.session.get(VisitPolicy, 1) or VisitPolicy(
        id=1, backdate_days=DEFAULT_BACKDATE_DAYS, pair_monthly_cap=DEFAULT_PAIR_MONTHLY_CAP)


def save_policy(actor: User, values: dict[str, int]) -> VisitPolicy:
    """Change the visit settings (admin), audited with before and after."""
    for name, (low, high) in POLICY_LIMITS.items():
        if not low <= values[name] <= high:
            raise VisitError(f"Choose a number from {low} to {high}.", name)
    policy = db.session.get(VisitPolicy, 1, with_for_update=True)
    before = None if policy is None else _policy_snapshot(policy)
    if policy is None:
        policy = VisitPolicy(id=1)
        db.session.add(policy)
    for name in POLICY_LIMITS:
        setattr(policy, name, values[name])
    db.session.flush()
    record_audit(actor, "visits.policy", policy, before, _policy_snapshot(policy))
    return policy


def _policy_snapshot(policy: VisitPolicy) -> dict[str, int]:
    return {name: getattr(policy, name) for name in POLICY_LIMITS}


# --- accounts -------------------------------------------------------------------------------

@dataclass
class AccountData:
    name: str
    segment: str = ""
    region: str = ""
    owner_id: int | None = None


def save_account(actor: User | None, account: Account | None, data: AccountData) -> Account:
    """Create (account None) or update an account; names are unique, the owner an active person."""
    account = account or Account()
    clash = select(Account.id).where(func.lower(Account.name) == data.name.lower())
    if account.id is not None:
        clash = clash.where(Account.id != account.id)
    if db.session.scalar(clash) is not None:
        raise VisitError("Another account already has this name.", "name")
    if data.owner_id is not None and not _is_active_person(data.owner_id):
        raise VisitError("Choose an active person as account owner.", "owner_email")
    before = None if account.id is None else _account_snapshot(account)
    account.name, account.segment, account.region, account.owner_id = (
        data.name, data.segment, data.region, data.owner_id)
    if account.id is None:
        db.session.add(account)
    db.session.flush()
    record_audit(actor, "account.update" if before else "account.create", account, before, _account_snapshot(account))
    return account


def _account_snapshot(account: Account) -> dict:
    return {"name": account.name, "segment": account.segment, "region": account.region, "owner_id": account.owner_id}


def _is_active_person(user_id: int) -> bool:
    return db.session.scalar(select(User.id).where(User.id == user_id, User.active.is_(True))) is not None


class ImportRejected(VisitError):
    """The accounts import cannot be applied (invalid, already applied, or not yours)."""


def stage_accounts_import(actor: User | None, filename: str, content: str) -> tuple[PendingAccountImport, ImportPlan]:
    """Keep the upload for confirmation and return its plan; no account changes yet."""
    pending = PendingAccountImport(token=secrets.token_urlsafe(32), uploaded_by_id=actor.id if actor else None,
                                   filename=filename[:255], content=content)
    db.session.add(pending)
    db.session.flush()
    return pending, plan_accounts(pending.content)


def plan_accounts(content: str) -> ImportPlan:
    """The import plan of content against the accounts and active people of the database."""
    names = {name.lower() for name in db.session.scalars(select(Account.name))}
    owners = {email.lower(): uid for uid, email in db.session.execute(
        select(User.id, User.email).where(User.active.is_(True)))}
    return plan_accounts_import(content, names, owners)


def apply_accounts_import(actor: User | None, pending: PendingAccountImport) -> tuple[int, int]:
    """Apply a staged upload once, all rows or none; only its uploader may. Returns (created, updated)."""
    if pending.uploaded_by_id != (actor.id if actor else None):
        raise ImportRejected("This upload belongs to someone else.")
    if pending.applied_at is not None:
        raise ImportRejected("This file was already imported.")
    plan = plan_accounts(pending.content)
    if not plan.is_valid:
        raise ImportRejected("The file has errors; nothing was imported.")
    accounts = {a.name.lower(): a for a in db.session.scalars(select(Account))}
    for row in plan.rows:
        account = accounts.get(row.name.lower()) or Account(name=row.name)
        if account.id is None:
            db.session.add(account)
        account.segment, account.region = row.segment, row.region
        account.owner_id = row.owner_id if row.owner_email else account.owner_id
    pending.applied_at = clock.now()
    db.session.flush()
    created, updated = plan.count("create"), plan.count("update")
    record_audit(actor, "accounts.import", pending, None, {"file": pending.filename, "created": created,
                                                            "updated": updated})
    return created, updated


# --- visits ---------------------------------------------------------------------------------

@dataclass
class VisitData:
    account_id: int
    visit_on: date
    mode: str
    purpose: str
    attendee_ids: list[int]
    agenda: str = ""
    contacts: list[tuple[str, str]] = field(default_factory=list)
    already_held: bool = False
    idempotency_key: str | None = None  # of the create form (a replay with it records nothing)


def _require_attendee(actor: User, visit: Visit, doing: str) -> VisitAttendee:
    attendance = visit.attendee(actor)
    if attendance is None:
        raise NotAllowed(f"Only the visit's attendees can {doing}.")
    return attendance


def save_visit(actor: User, visit: Visit | None, data: VisitData, today: date) -> Visit:
    """Plan (or log, when already held) a new visit, or change a planned one; the actor attends it."""
    if visit is None:
        refuse_replay(Visit, data.idempotency_key)
    else:
        visit = locked(Visit, visit.id)
        _require_attendee(actor, visit, "change it")
        if visit.status != VisitStatus.PLANNED.value:
            raise VisitError("Only a planned visit can be changed.")
    if db.session.get(Account, data.account_id) is None:
        raise VisitError("Choose an existing account.", "account_id")
    if data.mode not in {m.value for m in VisitMode}:
        raise VisitError("Choose on site or virtual.", "mode")
    people = _active_people(data.attendee_ids)
    if actor.id not in people:
        raise VisitError("Add yourself: the person who plans a visit attends it.", "attendee_ids")
    if data.already_held:
        _check_held_on(data.visit_on, today, "visit_on")
    _refuse_duplicate(visit, data)
    is_new = visit is None
    visit = visit or Visit(planned_by_id=actor.id, idempotency_key=data.idempotency_key)
    visit.account_id, visit.visit_on, visit.mode = data.account_id, data.visit_on, data.mode
    visit.purpose, visit.agenda, visit.quarter = data.purpose, data.agenda, quarter_label(data.visit_on)
    visit.attendees = [visit.attendee(p) or VisitAttendee(user_id=p.id, function_id=p.function_id)
                       for p in people.values()]
    visit.is_joint = rules.is_joint(a.function_id for a in visit.attendees)
    visit.contacts = [CustomerContact(name=name, role=role) for name, role in data.contacts]
    if data.already_held:
        visit.status, visit.author_id = VisitStatus.HELD.value, actor.id
    if is_new:
        db.session.add(visit)
    db.session.flush()
    if data.already_held and visit.is_joint:
        _ask_to_confirm(actor, visit)
    return visit


def _check_held_on(visit_on: date, today: date, field_name: str | None = None) -> None:
    """A visit logged as held happened by today, and no further back than the backdating limit (a setting)."""
    if visit_on > today:
        raise VisitError("A visit in the future cannot have been held yet.", field_name)
    limit = get_policy().backdate_days
    if visit_on < today - timedelta(days=limit):
        raise VisitError(f"A visit more than {limit} days ago cannot be logged now (the limit is a visits setting).",
                         field_name)


def _active_people(user_ids: list[int]) -> dict[int, User]:
    """The active people with these ids; an unknown or inactive id is an error on the attendees field."""
    wanted = set(user_ids)
    if not wanted:
        raise VisitError("Pick the internal attendees.", "attendee_ids")
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted), User.active.is_(True)))}
    if people.keys() != wanted:
        raise VisitError("Pick attendees from the active people in the list.", "attendee_ids")
    return dict(sorted(people.items()))


def _refuse_duplicate(visit: Visit | None, data: VisitData) -> None:
    """The same account, date and purpose twice is a replayed form, not a second visit."""
    query = select(Visit.id).where(
        Visit.account_id == data.account_id, Visit.visit_on == data.visit_on,
        func.lower(Visit.purpose) == data.purpose.lower(), Visit.status != VisitStatus.CANCELLED.value,
    )
    if visit is not None:
        query = query.where(Visit.id != visit.id)
    if db.session.scalar(query) is not None:
        raise VisitError("A visit to this account on this date with this purpose already exists.", "purpose")


def mark_held(actor: User, visit: Visit, today: date) -> Visit:
    """Log a planned visit as held; the attendee who logs it becomes its author."""
    visit = locked(Visit, visit.id)
    _require_attendee(actor, visit, "log it")
    if visit.status != VisitStatus.PLANNED.value:
        raise VisitError(f"This visit is {visit.status}, not planned.")
    _check_held_on(visit.visit_on, today)
    visit.status, visit.author_id = VisitStatus.HELD.value, actor.id
    db.session.flush()
    if visit.is_joint:
        _ask_to_confirm(actor, visit)
    return visit


def _ask_to_confirm(author: User, visit: Visit) -> None:
    """Notify the attendees of other functions than the author's that the visit waits for their confirmation."""
    attendance = visit.attendee(author)
    author_function = attendance.function_id if attendance else author.function_id
    for attendance in visit.attendees:
        if attendance.function_id != author_function:
            notify(attendance.user, "approval", f"{author.name} logged the joint visit to {visit.account.name}; "
                   "please confirm it.", link("visits.visit", visit_id=visit.id))


def cancel_visit(actor: User, visit: Visit, now: datetime) -> Visit:
    """Cancel a planned visit (any attendee), or a held one logged by mistake (its author or an admin)."""
    visit = locked(Visit, visit.id)
    if visit.status == VisitStatus.HELD.value:
        return _withdraw(actor, visit, now, cancel=True)
    _require_attendee(actor, visit, "cancel it")
    if visit.status != VisitStatus.PLANNED.value:
        raise VisitError(f"This visit is {visit.status}; only a planned visit can be cancelled.")
    visit.status = VisitStatus.CANCELLED.value
    db.session.flush()
    return visit


def save_outcome(actor: User, visit: Visit, summary: str, sentiment: int | None, internal_only: bool) -> Visit:
    """The shared summary, customer sentiment (1-5) and the internal-only flag of a held visit."""
    visit = locked(Visit, visit.id)
    _require_attendee(actor, visit, "write its summary")
    _require_held(visit)
    if sentiment is not None and not 1 <= sentiment <= 5:
        raise VisitError("Sentiment is from 1 to 5.", "sentiment")
    if visit.confirmed_at is not None and internal_only != visit.internal_only:
        raise VisitError("The visit is confirmed; whether it is internal-only cannot change now.", "internal_only")
    visit.summary, visit.sentiment, visit.internal_only = summary, sentiment, internal_only
    db.session.flush()
    return visit


def _require_held(visit: Visit) -> None:
    if visit.status != VisitStatus.HELD.value:
        raise VisitError("Log the visit as held first.")


def unconfirm_visit(actor: User, visit: Visit, now: datetime) -> Visit:
    """Its author or an admin withdraws a confirmation given by mistake; the visit waits for a confirmation again."""
    return _withdraw(actor, locked(Visit, visit.id), now, cancel=False)


def _withdraw(actor: User, visit: Visit, now: datetime, cancel: bool) -> Visit:
    """Cancel a held visit or withdraw its confirmation (the row is locked).

    Points it earned go back (visit_withdrawn)."""
    if actor.id != visit.author_id and Role.ADMIN not in actor.roles:
        raise NotAllowed("Only the visit's author or an admin can do that.")
    _require_held(visit)
    if not cancel and visit.confirmed_at is None:
        raise VisitError("This visit is not confirmed.")
    before, paid = _visit_state(visit), visit.earned_points
    visit.confirmed_at, visit.confirmed_by_id, visit.earned_points = None, None, False
    if cancel:
        visit.status = VisitStatus.CANCELLED.value
    db.session.flush()
    record_audit(actor, "visit.cancel" if cancel else "visit.unconfirm", visit, before, _visit_state(visit))
    if paid:
        signals.visit_withdrawn.send("visits", visit_id=visit.id, withdrawn_by=actor, withdrawn_at=now,
                                     cancelled=cancel)
    return visit


def _visit_state(visit: Visit) -> dict:
    return {"status": visit.status, "confirmed_by_id": visit.confirmed_by_id, "earned_points": visit.earned_points,
            "confirmed_at": visit.confirmed_at.isoformat() if visit.confirmed_at else None}


def save_function_note(actor: User, visit: Visit, body: str, tags: list[str], now: datetime,
                       seen_revisions: int | None = None) -> FunctionNote:
    """Write the actor's function's note and learnings, keeping a revision; nobody writes another function's note.

    seen_revisions is how many versions the writer saw: if someone saved since, nothing is overwritten.
    """
    visit = locked(Visit, visit.id)
    attendance = _require_attendee(actor, visit, "write notes")
    _require_held(visit)
    if attendance.function_id is None:
        raise NotAllowed("You attended without a function, so there is no function note for you to write.")
    problems = rules.tag_problems(tags)
    if problems:
        raise VisitError(" ".join(problems), "learnings")
    note = db.session.scalar(select(FunctionNote).where(FunctionNote.visit_id == visit.id,
                                                        FunctionNote.function_id == attendance.function_id))
    if note is None:
        note = FunctionNote(visit_id=visit.id, function_id=attendance.function_id)
        db.session.add(note)
    _refuse_overwrite(note, seen_revisions)
    if note.id is not None and note.body == body and [t.tag for t in note.learnings] == tags:
        return note
    note.body, note.last_edited_by_id, note.updated_at = body, actor.id, now
    kept = {learning.tag: learning for learning in note.learnings}
    note.learnings = [kept.get(tag) or Learning(tag=tag) for tag in tags]
    note.revisions.append(NoteRevision(body=body, tags=", ".join(tags), edited_by_id=actor.id, edited_at=now))
    db.session.flush()
    return note


def _refuse_overwrite(note: FunctionNote, seen_revisions: int | None) -> None:
    """Someone saved the note after the writer opened it: say who, and keep both texts (nothing is written)."""
    saved = note.revisions
    if seen_revisions is not None and seen_revisions != len(saved):
        who = saved[-1].edited_by.name if saved else "Someone"
        raise VisitError(f"{who} changed this note since you opened it. Your text is still in the form: "
                         "compare it with the note above and save again.", "body")


def confirm_visit(actor: User, visit: Visit, now: datetime) -> Visit:
    """One click by an attendee of another function than the author's; then visit_confirmed is sent once."""
    visit = locked(Visit, visit.id)
    attendance = visit.attendee(actor)
    if visit.confirmed_at is not None:
        raise VisitError("This visit is already confirmed.")
    _require_held(visit)
    if not visit.is_joint:
        raise VisitError("Only a joint visit (attendees from two or more functions) can be confirmed.")
    author_attendance = visit.attendee(visit.author) if visit.author else None
    refusal = rules.confirmation_refusal(
        author_attendance.function_id if author_attendance else None,
        attendance.function_id if attendance else None,
        attendance is not None,
    )
    if refusal:
        raise NotAllowed(refusal)
    _lock_pair(visit.author_id, actor.id)
    earns_points = _within_pair_cap(visit, actor.id)
    claimed = rows_changed(
        db.session, update(Visit).where(Visit.id == visit.id, Visit.confirmed_at.is_(None))
        .values(confirmed_by_id=actor.id, confirmed_at=now, earned_points=earns_points)
    )
    if claimed != 1:  # another attendee confirmed it at the same moment: the event fires once only
        raise VisitError("This visit is already confirmed.")
    if not earns_points:  # beyond the pair's cap: confirmed, without points or a feed item
        return visit
    signals.visit_confirmed.send(
        "visits", visit_id=visit.id, attendees=[a.user for a in visit.attendees], function_ids=visit.function_ids,
        account_name=visit.account.name, internal_only=visit.internal_only,
        confirmed_by=db.session.get(User, actor.id),
        held_on=visit.visit_on, occurred_at=datetime.combine(visit.visit_on, time(12), tzinfo=UTC),
    )
    return visit


def _lock_pair(*user_ids: int | None) -> None:
    """Lock the two people's rows (in id order), so their confirmations count against the cap one at a time."""
    ids = sorted({i for i in user_ids if i is not None})
    db.session.execute(select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update())


def _within_pair_cap(visit: Visit, confirmer_id: int) -> bool:
    """True while the author and the confirmer had fewer visits with points than the cap in the visit's month."""
    first = visit.visit_on.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    author = visit.author_id
    same_pair = or_(and_(Visit.author_id == author, Visit.confirmed_by_id == confirmer_id),
                    and_(Visit.author_id == confirmer_id, Visit.confirmed_by_id == author))
    paid = db.session.execute(select(func.count()).select_from(Visit).where(
        Visit.id != visit.id, Visit.earned_points.is_(True), Visit.visit_on >= first, Visit.visit_on < after, same_pair)
    ).scalar_one()
    return paid < get_policy().pair_monthly_cap


# --- follow-ups -----------------------------------------------------------------------------

@dataclass
class FollowUpData:
    description: str
    owner_id: int
    due_on: date
    needs_both: bool = False
    partner_owner_id: int | None = None
    idempotency_key: str | None = None  # of the create form (a replay with it records nothing)


def add_follow_up(actor: User, visit: Visit, data: FollowUpData, today: date) -> FollowUp:
    """A follow-up owned by attendees: one owner, or one from each function when it needs both; due from today."""
    visit = locked(Visit, visit.id)
    refuse_replay(FollowUp, data.idempotency_key)
    _require_attendee(actor, visit, "add follow-ups")
    if visit.status == VisitStatus.CANCELLED.value:
        raise VisitError("A cancelled visit has no follow-ups.")
    if data.due_on < visit.visit_on:
        raise VisitError("A follow-up cannot be due before the visit.", "due_on")
    if data.due_on < today:
        raise VisitError("A follow-up cannot be due in the past.", "due_on")
    functions = {a.user_id: a.function_id for a in visit.attendees}
    for user_id, field_name in ((data.owner_id, "owner_id"), (data.partner_owner_id, "partner_owner_id")):
        if user_id is not None and user_id not in functions:
            raise VisitError("Owners are chosen from the visit's attendees.", field_name)
    problem = rules.follow_up_owner_problem(functions[data.owner_id], functions.get(data.partner_owner_id or 0),
                                            data.needs_both, data.partner_owner_id is not None)
    if problem:
        raise VisitError(problem, "partner_owner_id")
    same = select(FollowUp.id).where(FollowUp.visit_id == visit.id,
                                     func.lower(FollowUp.description) == data.description.lower())
    if db.session.scalar(same) is not None:
        raise VisitError("This visit already has a follow-up with this description.", "description")
    follow_up = FollowUp(visit_id=visit.id, description=data.description, owner_id=data.owner_id, due_on=data.due_on,
                         partner_owner_id=data.partner_owner_id, idempotency_key=data.idempotency_key)
    db.session.add(follow_up)
    db.session.flush()
    for owner_id in {data.owner_id, data.partner_owner_id} - {None, actor.id}:
        notify(
            db.session.get_one(User, owner_id),
            "follow-up",
            f"You own a follow-up of the visit to {visit.account.name}: "
            f"{data.description} (due {data.due_on.isoformat()}).",
            link("visits.my_follow_ups"),
        )
    return follow_up


def remind_due_follow_ups(today: date) -> int:
    """Notify the owners of open follow-ups due by tomorrow (overdue ones too), once a day each; returns how many."""
    due = db.session.scalars(select(FollowUp).where(
        FollowUp.status.in_(OPEN_FOLLOW_UP_STATUSES), FollowUp.due_on <= today + timedelta(days=1))).all()
    already = notified_since("follow-up", datetime.combine(today, time.min, tzinfo=UTC))
    sent = 0
    for follow_up in due:
        url = f"{link('visits.my_follow_ups')}#follow-up-{follow_up.id}"
        state = "overdue since" if follow_up.due_on < today else "due"
        for owner_id in {follow_up.owner_id, follow_up.partner_owner_id} - {None}:
            if (owner_id, url) not in already:
                notify(
                    db.session.get_one(User, owner_id),
                    "follow-up",
                    f"Follow-up {state} {follow_up.due_on.isoformat()}: "
                    f"{follow_up.description} ({follow_up.visit.account.name}).",
                    url,
                )
                sent += 1
    return sent


def update_follow_up(actor: User, follow_up: FollowUp, status: str, outcome: str, now: datetime) -> FollowUp:
    """An owner moves the follow-up along; done needs an outcome."""
    follow_up = locked(FollowUp, follow_up.id)
    if actor.id not in follow_up.owner_ids:
        raise NotAllowed("Only the follow-up's owners can update it.")
    if status not in {s.value for s in FollowUpStatus}:
        raise VisitError("Choose a status from the list.", "status")
    if status == FollowUpStatus.DONE.value and not outcome:
        raise VisitError("Say what came of it before marking it done.", "outcome")
    if status == FollowUpStatus.DONE.value and follow_up.status != status:
        follow_up.completed_at = now
    elif status != FollowUpStatus.DONE.value:
        follow_up.completed_at = None
    follow_up.status, follow_up.outcome = status, outcome
    db.session.flush()
    return follow_up

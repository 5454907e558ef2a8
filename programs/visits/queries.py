"""Reads about accounts, visits, follow-ups, coverage and learnings."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from programs.visits import rules
from programs.visits.models import (
    OPEN_FOLLOW_UP_STATUSES,
    Account,
    FollowUp,
    FunctionNote,
    Learning,
    NoteRevision,
    Visit,
    VisitAttendee,
    VisitStatus,
)
from webapp.extensions import db
from webapp.paging import page_of_rows
from webapp.people.models import Function, User
from webapp.periods import quarter_label

COVERAGE_WINDOWS = (90, 180)
HELD = VisitStatus.HELD.value


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _after_name(query: Select, after_id: int | None) -> Select:
    """Keyset continuation of an account list ordered by (name, id)."""
    if after_id is None:
        return query
    after_name = select(Account.name).where(Account.id == after_id).scalar_subquery()
    return query.where(or_(Account.name > after_name, and_(Account.name == after_name, Account.id > after_id)))


# --- accounts -------------------------------------------------------------------------------

def search_accounts(text: str = "", after_id: int | None = None) -> Select:
    """Accounts matching every word in name, segment or region; by name, keyset after after_id."""
    query = select(Account).options(joinedload(Account.owner)).order_by(Account.name, Account.id)
    for word in text.split()[:5]:
        pattern = _like(word)
        query = query.where(or_(*(func.lower(column).like(pattern, escape="\\")
                                  for column in (Account.name, Account.segment, Account.region))))
    return _after_name(query, after_id)


def account_choices() -> list[tuple[int, str]]:
    return [(a.id, a.name) for a in db.session.execute(select(Account.id, Account.name).order_by(Account.name))]


def people_by_function() -> list[tuple[str, list[tuple[int, str]]]]:
    """Active people grouped by function name, for picking attendees and owners."""
    rows = db.session.execute(
        select(User.id, User.name, Function.name).outerjoin(Function, User.function_id == Function.id)
        .where(User.active.is_(True)).order_by(Function.name, User.name)
    )
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for user_id, name, function_name in rows:
        groups[function_name or "No function"].append((user_id, name))
    return list(groups.items())


def joint_preview(user_ids: list[int]) -> dict:
    """Whether these people would make a joint visit, and the functions they come from."""
    rows = db.session.execute(
        select(Function.id, Function.name).join(User, User.function_id == Function.id)
        .where(User.id.in_(user_ids[:500])).distinct().order_by(Function.name)
    ).all() if user_ids else []
    return {"is_joint": rules.is_joint(fid for fid, _ in rows), "functions": [name for _, name in rows],
            "count": len(set(user_ids))}


# --- visits ---------------------------------------------------------------------------------

def get_visit(visit_id: int) -> Visit | None:
    return db.session.scalar(
        select(Visit).where(Visit.id == visit_id).options(
            joinedload(Visit.account), selectinload(Visit.attendees), selectinload(Visit.contacts),
            selectinload(Visit.notes).selectinload(FunctionNote.learnings),
            selectinload(Visit.follow_ups).joinedload(FollowUp.owner),
            selectinload(Visit.follow_ups).joinedload(FollowUp.partner_owner),
        )
    )


def list_visits(viewer: User, mine: bool, status: str, account_id: int | None,
                after: tuple[date, int] | None) -> Select:
    """Visits newest first (keyset on date and id), optionally only the viewer's, one status, one account."""
    query = select(Visit).options(joinedload(Visit.account)).order_by(Visit.visit_on.desc(), Visit.id.desc())
    if mine:
        query = query.where(exists().where(VisitAttendee.visit_id == Visit.id, VisitAttendee.user_id == viewer.id))
    if status:
        query = query.where(Visit.status == status)
    if account_id is not None:
        query = query.where(Visit.account_id == account_id)
    if after is not None:
        day, visit_id = after
        query = query.where(or_(Visit.visit_on < day, and_(Visit.visit_on == day, Visit.id < visit_id)))
    return query


def function_names() -> dict[int, str]:
    return dict(db.session.execute(select(Function.id, Function.name)).all())


def visits_to_confirm(user: User, limit: int = 10) -> list[Visit]:
    """Held, joint, unconfirmed visits the user attended for another function than the author's."""
    mine = aliased(VisitAttendee)
    authors = aliased(VisitAttendee)
    query = (
        select(Visit).join(mine, and_(mine.visit_id == Visit.id, mine.user_id == user.id))
        .join(authors, and_(authors.visit_id == Visit.id, authors.user_id == Visit.author_id))
        .where(Visit.status == HELD, Visit.is_joint.is_(True), Visit.confirmed_at.is_(None),
               mine.function_id.is_not(None), authors.function_id.is_not(None), mine.function_id != authors.function_id)
        .options(joinedload(Visit.account)).order_by(Visit.visit_on.desc()).limit(limit)
    )
    return list(db.session.scalars(query))


def planned_visits(user: User | None) -> list[Visit]:
    """Planned visits (the user's, or everyone's when user is None) for the calendar export."""
    query = (select(Visit).where(Visit.status == VisitStatus.PLANNED.value)
             .options(joinedload(Visit.account), selectinload(Visit.attendees)).order_by(Visit.visit_on, Visit.id))
    if user is not None:
        query = query.where(exists().where(VisitAttendee.visit_id == Visit.id, VisitAttendee.user_id == user.id))
    return list(db.session.scalars(query))


# --- follow-ups -----------------------------------------------------------------------------

def _owned_by(user: User):
    return or_(FollowUp.owner_id == user.id, FollowUp.partner_owner_id == user.id)


def my_open_follow_ups(user: User, today: date, limit: int | None = None) -> list[FollowUp]:
    """The user's open follow-ups, overdue ones first, then by due date."""
    overdue_first = case((FollowUp.due_on < today, 0), else_=1)
    query = (
        select(FollowUp).where(_owned_by(user), FollowUp.status.in_(OPEN_FOLLOW_UP_STATUSES))
        .options(joinedload(FollowUp.visit).joinedload(Visit.account), joinedload(FollowUp.owner),
                 joinedload(FollowUp.partner_owner))
        .order_by(overdue_first, FollowUp.due_on, FollowUp.id)
    )
    return list(db.session.scalars(query.limit(limit) if limit else query))


def my_closed_follow_ups(user: User, limit: int = 20) -> list[FollowUp]:
    query = (
        select(FollowUp).where(_owned_by(user), FollowUp.status.not_in(OPEN_FOLLOW_UP_STATUSES))
        .options(joinedload(FollowUp.visit).joinedload(Visit.account))
        .order_by(FollowUp.due_on.desc(), FollowUp.id.desc()).limit(limit)
    )
    return list(db.session.scalars(query))


# --- coverage -------------------------------------------------------------------------------

def never_joint_condition():
    """Accounts with no held joint visit, ever."""
    return ~exists().where(Visit.account_id == Account.id, Visit.status == HELD, Visit.is_joint.is_(True))


def coverage_page(since: date, never_joint: bool, after_id: int | None, size: int, with_totals: bool = True) -> dict:
    """One page of the account x function matrix: held visits per function since a date, joint visits per account."""
    functions = list(db.session.execute(
        select(Function.id, Function.name).where(Function.active.is_(True)).order_by(Function.name)))
    query = _after_name(select(Account.id, Account.name).order_by(Account.name, Account.id), after_id)
    if never_joint:
        query = query.where(never_joint_condition())
    accounts = page_of_rows(query, size)
    ids = [a.id for a in accounts.items]
    recent = and_(Visit.status == HELD, Visit.visit_on >= since)
    cells = db.session.execute(
        select(Visit.account_id, VisitAttendee.function_id, func.count(func.distinct(Visit.id)))
        .join(VisitAttendee, VisitAttendee.visit_id == Visit.id)
        .where(recent, Visit.account_id.in_(ids), VisitAttendee.function_id.is_not(None))
        .group_by(Visit.account_id, VisitAttendee.function_id)
    ).all() if ids else []
    joint = dict(db.session.execute(
        select(Visit.account_id, func.count()).where(recent, Visit.is_joint.is_(True), Visit.account_id.in_(ids))
        .group_by(Visit.account_id)
    ).all()) if ids else {}
    rows = rules.coverage_rows(ids, cells, joint, [f.id for f in functions])
    names = {a.id: a.name for a in accounts.items}
    for row in rows:
        row["name"] = names[row["account_id"]]
    return {"functions": functions, "rows": rows, "has_more": accounts.has_more,
            "covered": _accounts_covered_per_function(since, [f.id for f in functions]) if with_totals else []}


def _accounts_covered_per_function(since: date, function_ids: list[int]) -> list[int]:
    counts = dict(db.session.execute(
        select(VisitAttendee.function_id, func.count(func.distinct(Visit.account_id)))
        .join(Visit, Visit.id == VisitAttendee.visit_id)
        .where(Visit.status == HELD, Visit.visit_on >= since).group_by(VisitAttendee.function_id)
    ).all())
    return [counts.get(f, 0) for f in function_ids]


def count_accounts(never_joint: bool = False) -> int:
    query = select(func.count()).select_from(Account)
    return db.session.scalar(query.where(never_joint_condition()) if never_joint else query) or 0


def suggested_pairs(account: Account, today: date, limit: int = 8) -> list[tuple[User, User, int]]:
    """People of two functions who know the account (visited it in the last year, or own it) but never went together."""
    rows = db.session.execute(
        select(VisitAttendee.visit_id, VisitAttendee.user_id, VisitAttendee.function_id, Visit.visit_on)
        .join(Visit, Visit.id == VisitAttendee.visit_id)
        .where(Visit.account_id == account.id, Visit.status == HELD)
    ).all()
    together: dict[int, set[int]] = defaultdict(set)
    recent: Counter[int] = Counter()
    for visit_id, user_id, _, visit_on in rows:
        together[visit_id].add(user_id)
        if visit_on >= today - timedelta(days=365):
            recent[user_id] += 1
    people_ids = set(recent) | ({account.owner_id} if account.owner_id else set())
    people = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(people_ids), User.active.is_(True)))}
    candidates = [rules.Candidate(u.id, u.function_id, recent[u.id]) for u in people.values() if u.function_id]
    visited_together = {frozenset((a, b)) for ids in together.values() for a in ids for b in ids if a != b}
    return [(people[a.user_id], people[b.user_id], a.visits_here + b.visits_here)
            for a, b in rules.suggest_pairs(candidates, visited_together, limit)]


def account_function_coverage(account: Account, since: date) -> list[tuple[str, int]]:
    """(function name, held visits since a date) for one account."""
    return list(db.session.execute(
        select(Function.name, func.count(func.distinct(Visit.id)))
        .join(VisitAttendee, VisitAttendee.function_id == Function.id)
        .join(Visit, Visit.id == VisitAttendee.visit_id)
        .where(Visit.account_id == account.id, Visit.status == HELD, Visit.visit_on >= since)
        .group_by(Function.name).order_by(Function.name)
    ))


# --- learnings ------------------------------------------------------------------------------

def quarters_with_learnings() -> list[str]:
    return list(db.session.scalars(
        select(Visit.quarter).join(FunctionNote, FunctionNote.visit_id == Visit.id)
        .join(Learning, Learning.note_id == FunctionNote.id).distinct().order_by(Visit.quarter.desc())))


def learning_counts(quarter: str) -> dict:
    """Tag x function counts of learnings in a quarter ("" for all time), most frequent tags first."""
    query = (select(Learning.tag, FunctionNote.function_id, func.count())
             .join(FunctionNote, FunctionNote.id == Learning.note_id)
             .join(Visit, Visit.id == FunctionNote.visit_id).group_by(Learning.tag, FunctionNote.function_id))
    if quarter:
        query = query.where(Visit.quarter == quarter)
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    for tag, function_id, count in db.session.execute(query):
        counts[tag][function_id] = count
    functions = sorted({fid for by_function in counts.values() for fid in by_function})
    names = function_names()
    tags = sorted(counts, key=lambda t: (-sum(counts[t].values()), t))
    return {"functions": [(f, names.get(f, "?")) for f in functions],
            "rows": [(t, [counts[t].get(f, 0) for f in functions], sum(counts[t].values())) for t in tags]}


def latest_notes_per_tag(tags: list[str], quarter: str, per_tag: int = 3) -> dict[str, list[dict]]:
    """The latest function notes carrying each tag (newest visit first)."""
    if not tags:
        return {}
    rank = func.row_number().over(partition_by=Learning.tag,
                                  order_by=(Visit.visit_on.desc(), FunctionNote.id.desc())).label("rank")
    inner = (select(Learning.tag, FunctionNote.body, FunctionNote.function_id, Visit.id.label("visit_id"),
                    Visit.visit_on, Account.name.label("account"), rank)
             .join(FunctionNote, FunctionNote.id == Learning.note_id).join(Visit, Visit.id == FunctionNote.visit_id)
             .join(Account, Account.id == Visit.account_id).where(Learning.tag.in_(tags)))
    if quarter:
        inner = inner.where(Visit.quarter == quarter)
    ranked = inner.subquery()
    names = function_names()
    notes: dict[str, list[dict]] = defaultdict(list)
    for row in db.session.execute(select(ranked).where(ranked.c.rank <= per_tag).order_by(ranked.c.tag, ranked.c.rank)):
        notes[row.tag].append({"body": row.body, "function": names.get(row.function_id, "?"),
                               "visit_id": row.visit_id, "visit_on": row.visit_on, "account": row.account})
    return notes


# --- exports --------------------------------------------------------------------------------

def visit_export_rows() -> list[dict]:
    """Every visit as a flat row for the CSV export."""
    names = function_names()
    visits = db.session.scalars(select(Visit).options(
        joinedload(Visit.account), selectinload(Visit.attendees), joinedload(Visit.author),
        joinedload(Visit.confirmed_by)).order_by(Visit.visit_on, Visit.id))
    return [{
        "id": v.id, "account": v.account.name, "date": v.visit_on.isoformat(), "quarter": v.quarter, "mode": v.mode,
        "purpose": v.purpose, "status": v.status, "joint": v.is_joint,
        "functions": "; ".join(sorted(names.get(f, "?") for f in v.function_ids)),
        "attendees": "; ".join(a.user.name for a in v.attendees), "author": v.author.name if v.author else "",
        "confirmed_by": v.confirmed_by.name if v.confirmed_by else "",
        "confirmed_at": v.confirmed_at.isoformat() if v.confirmed_at else "", "sentiment": v.sentiment or "",
        "internal_only": v.internal_only, "summary": v.summary,
    } for v in visits]


def follow_up_export_rows(today: date) -> list[dict]:
    """Every follow-up as a flat row for the CSV export."""
    follow_ups = db.session.scalars(select(FollowUp).options(
        joinedload(FollowUp.visit).joinedload(Visit.account), joinedload(FollowUp.owner),
        joinedload(FollowUp.partner_owner)).order_by(FollowUp.due_on, FollowUp.id))
    return [{
        "id": f.id, "visit_id": f.visit_id, "account": f.visit.account.name, "description": f.description,
        "owner": f.owner.name, "second_owner": f.partner_owner.name if f.partner_owner else "",
        "due_on": f.due_on.isoformat(), "status": f.status, "overdue": f.is_open and f.due_on < today,
        "outcome": f.outcome, "completed_at": f.completed_at.isoformat() if f.completed_at else "",
    } for f in follow_ups]


def activity_summary(today: date) -> dict:
    """This quarter's visits by status, joint and confirmed, and follow-ups past due (for HR and leaders)."""
    quarter = quarter_label(today)
    row = db.session.execute(
        select(
            func.count(),
            func.count().filter(Visit.status == VisitStatus.HELD.value),
            func.count().filter(Visit.is_joint.is_(True)),
            func.count().filter(Visit.confirmed_at.is_not(None)),
        ).select_from(Visit).where(Visit.quarter == quarter, Visit.status != VisitStatus.CANCELLED.value)
    ).one()
    overdue = db.session.scalar(select(func.count()).select_from(FollowUp).where(
        FollowUp.due_on < today, FollowUp.status.in_(OPEN_FOLLOW_UP_STATUSES)))
    return {"quarter": quarter, "visits": row[0], "held": row[1], "joint": row[2], "confirmed": row[3],
            "overdue": overdue or 0}


def note_history(visit: Visit) -> dict[int, list[dict]]:
    """Each function note's revisions, newest first: who, when, the text and tags, and what that revision changed."""
    rows = db.session.scalars(select(NoteRevision).join(FunctionNote).where(FunctionNote.visit_id == visit.id)
                              .options(joinedload(NoteRevision.edited_by)).order_by(NoteRevision.id)).all()
    history: dict[int, list[dict]] = defaultdict(list)
    previous: dict[int, tuple[str, list[str]]] = {}
    for revision in rows:
        state = (revision.body, [t for t in revision.tags.split(", ") if t])
        history[revision.note_id].insert(0, {
            "who": revision.edited_by.name, "at": revision.edited_at, "body": revision.body, "tags": state[1],
            "changes": rules.revision_changes(previous.get(revision.note_id), state)})
        previous[revision.note_id] = state
    return dict(history)

"""Reads about people, functions and teams."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, and_, func, inspect, or_, select
from sqlalchemy.orm import defer, joinedload

from webapp.cache import PEOPLE, person_scope, remember
from webapp.extensions import db
from webapp.people.models import Function, Membership, Team, User

SEARCH_MAX = 100


def load_session_user(session_id: str) -> User | None:
    """flask-login loader: "id:version"; a stale version (password changed) signs the session out."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = cached_person(int(user_id))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user


def cached_person(user_id: int) -> User | None:
    """The person with their function and roles, from the cache until a write to their row or roles (or to any
    function): no query on most requests. The cached copy is merged into the session unchanged (no query either)."""
    person = remember([PEOPLE, person_scope(user_id)], f"person:{user_id}", lambda: _person(user_id), local=True)
    if person is not None and inspect(person).detached:
        person = db.session.merge(person, load=False)
    return person


def _person(user_id: int) -> User | None:
    """One query: the person, their function and roles (the password hash stays out: it never reaches the cache)."""
    query = select(User).where(User.id == user_id).options(joinedload(User.role_grants), defer(User.password_hash))
    return db.session.scalars(query).unique().one_or_none()


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def search_people(text: str = "", after_id: int | None = None, include_inactive: bool = False) -> Select:
    """People matching text in name, email, function or team; ordered by name, keyset after after_id."""
    query = (
        select(User)
        .outerjoin(Function, User.function_id == Function.id)
        .outerjoin(Team, User.team_id == Team.id)
        .options(joinedload(User.team))
        .order_by(User.name, User.id)
    )
    if not include_inactive:
        query = query.where(User.active.is_(True))
    for word in text.split()[:5]:
        pattern = _like(word[:SEARCH_MAX])
        query = query.where(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
                func.lower(Function.name).like(pattern, escape="\\"),
                func.lower(Function.code).like(pattern, escape="\\"),
                func.lower(Team.name).like(pattern, escape="\\"),
            )
        )
    if after_id is not None:
        after_name = select(User.name).where(User.id == after_id).scalar_subquery()
        query = query.where(or_(User.name > after_name, and_(User.name == after_name, User.id > after_id)))
    return query


def list_functions(active_only: bool = False) -> Select:
    query = select(Function).order_by(Function.name)
    return query.where(Function.active.is_(True)) if active_only else query


def list_teams(active_only: bool = False) -> Select:
    query = select(Team).join(Function).options(joinedload(Team.function), joinedload(Team.manager))
    query = query.order_by(Function.name, Team.name)
    return query.where(Team.active.is_(True)) if active_only else query


def list_direct_reports(user: User) -> Select:
    return select(User).where(User.manager_id == user.id, User.active.is_(True)).order_by(User.name)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def count_active_people() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True))) or 0


def count_people_by_function() -> list[tuple[str, int]]:
    """(function name, active people) for every active function."""
    rows = db.session.execute(
        select(Function.name, func.count(User.id))
        .outerjoin(User, and_(User.function_id == Function.id, User.active.is_(True)))
        .where(Function.active.is_(True))
        .group_by(Function.id, Function.name)
        .order_by(Function.name)
    )
    return [(name, count) for name, count in rows]


def manager_chain_ids(manager_id: int | None) -> list[int]:
    """Ids from manager_id upwards (stops at a repeat, so a broken chain cannot loop)."""
    managers = {user_id: manager_id for user_id, manager_id in db.session.execute(select(User.id, User.manager_id))}
    chain: list[int] = []
    while manager_id is not None and manager_id not in chain:
        chain.append(manager_id)
        manager_id = managers.get(manager_id)
    return chain


# --- membership history: the organisation as it was on a day or during a period -----------------

def stints_overlapping(start: date, end: date):
    """The condition: a membership stint that covers at least one day from start up to end (exclusive)."""
    return and_(Membership.started_on < end, or_(Membership.ended_on.is_(None), Membership.ended_on > start))


def headcount_on(function_ids: set[int], day: date) -> dict[int, int]:
    """Active people per function on that day (functions nobody belonged to are left out)."""
    rows = db.session.execute(
        select(Membership.function_id, func.count(func.distinct(Membership.user_id)))
        .where(Membership.function_id.in_(function_ids), stints_overlapping(day, day + timedelta(days=1)))
        .group_by(Membership.function_id))
    return {function_id: count for function_id, count in rows if function_id is not None}


def members_during(function_ids: set[int], start: date, end: date) -> set[int]:
    """The people active in any of these functions on at least one day from start up to end (exclusive)."""
    return set(db.session.scalars(select(Membership.user_id).where(
        Membership.function_id.in_(function_ids), stints_overlapping(start, end))))


def stints_during(function_ids: set[int], start: date, end: date) -> list[tuple[int, date, date | None]]:
    """(person, first day, first day after) of each stint in these functions that overlaps start up to end."""
    return [(user_id, started_on, ended_on) for user_id, started_on, ended_on in db.session.execute(
        select(Membership.user_id, Membership.started_on, Membership.ended_on).where(
            Membership.function_id.in_(function_ids), stints_overlapping(start, end)))]

"""Reads of the rotation program: lists, the match instance and its explanations, release counts, program health."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from rotation.matching import Instance, explain_unmatched
from rotation.models import (
    HOLDS_SEAT,
    TAKEN,
    Application,
    ApplicationStatus,
    Choice,
    Cohort,
    DraftMatch,
    HostRank,
    Opening,
    Placement,
    PlacementStatus,
    Program,
)
from webapp.extensions import db
from webapp.paging import page_of_rows
from webapp.people.models import Function, User


def months_between(start: date, end: date) -> int:
    """Whole months from start to end."""
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def list_programs() -> Select:
    return select(Program).options(selectinload(Program.cohorts)).order_by(Program.name)


def list_openings(cohort: Cohort) -> Select:
    return (select(Opening).where(Opening.cohort_id == cohort.id)
            .options(joinedload(Opening.function), joinedload(Opening.mentor)).order_by(Opening.title))


def find_application(cohort: Cohort, person: User) -> Application | None:
    return db.session.scalar(select(Application).where(Application.cohort_id == cohort.id,
                                                       Application.applicant_id == person.id))


def placement_for(application: Application) -> Placement | None:
    """The application's latest placement (an earlier offer may have been declined, expired or withdrawn)."""
    return db.session.scalar(select(Placement).where(Placement.application_id == application.id)
                             .order_by(Placement.id.desc()).limit(1))


def list_waiting_approvals(manager: User) -> Select:
    """Applications waiting for this home manager's decision, oldest first."""
    return (select(Application)
            .where(Application.home_manager_id == manager.id, Application.status == ApplicationStatus.SUBMITTED.value)
            .options(joinedload(Application.applicant), joinedload(Application.cohort))
            .order_by(Application.created_at, Application.id))


def list_hosted_openings(user: User) -> Select:
    """Openings this person mentors or manages, newest cohort first."""
    return (select(Opening).join(Cohort).where((Opening.mentor_id == user.id) | (Opening.host_manager_id == user.id))
            .options(joinedload(Opening.cohort)).order_by(Cohort.starts_on.desc(), Opening.title))


def list_my_applications(person: User) -> Select:
    return (select(Application).where(Application.applicant_id == person.id)
            .options(joinedload(Application.cohort)).order_by(Application.created_at.desc()))


def list_my_placements(person: User) -> Select:
    """Placements where the person is the rotator, a host or the home manager."""
    return (select(Placement).join(Application).join(Opening)
            .where((Application.applicant_id == person.id) | (Opening.mentor_id == person.id)
                   | (Opening.host_manager_id == person.id) | (Application.home_manager_id == person.id))
            .order_by(Placement.created_at.desc()))


def held_seats(opening: Opening) -> list[Placement]:
    """Placements that hold a seat of the opening (offered, accepted or completed)."""
    return list(db.session.scalars(select(Placement).where(Placement.opening_id == opening.id,
                                                           Placement.status.in_(HOLDS_SEAT))))


def host_order(opening: Opening) -> list[Application]:
    """Approved applicants who chose the opening, in the host's order; unranked ones after, by application time."""
    rank = aliased(HostRank)
    query = (
        select(Application).join(Choice, Choice.application_id == Application.id)
        .outerjoin(rank, (rank.application_id == Application.id) & (rank.opening_id == opening.id))
        .where(Choice.opening_id == opening.id, Application.status == ApplicationStatus.APPROVED.value)
        .options(joinedload(Application.applicant))
        .order_by(rank.rank.is_(None), rank.rank, Application.id)
    )
    return list(db.session.scalars(query))


def _plain_rows(statement) -> Sequence[tuple]:
    """A select's rows as the driver's plain tuples, without building result rows (100,000 rows at scale).

    Only for columns the driver returns as they are (integers, text; a timestamp only tested for presence).
    """
    return db.session.connection().execute(statement).cursor.fetchall()


def ranked_ids(opening: Opening) -> set[int]:
    """The applications the opening's host ranked (acceptable to it)."""
    return set(db.session.scalars(select(HostRank.application_id).where(HostRank.opening_id == opening.id)))


def match_instance(cohort: Cohort) -> Instance:
    """The cohort's next run: approved applicants (still with us) without a seat, over the seats still free.

    An applicant whose offer was declined, expired or withdrawn comes back, without the openings already offered.
    A host who saved a ranking accepts only the applicants ranked; an opening never ranked takes its applicants
    by application time. Four queries, whatever the size, read as plain rows (Core, not ORM: 50,000 rows at scale).
    """
    connection = db.session.connection()
    placements = connection.execute(select(Placement.application_id, Placement.opening_id, Placement.status)
                                    .join(Opening).where(Opening.cohort_id == cohort.id)).all()
    offered = {(a, o) for a, o, _ in placements}
    left_out = {a for a, _, status in placements if status in HOLDS_SEAT} | set(connection.scalars(
        select(Application.id).join(User, User.id == Application.applicant_id)
        .where(Application.cohort_id == cohort.id, User.active.is_(False))))
    rows = _plain_rows(
        select(Application.id, Choice.opening_id).join(Choice)
        .where(Application.cohort_id == cohort.id, Application.status == ApplicationStatus.APPROVED.value)
        .order_by(Application.id, Choice.rank)  # ids follow the order of application
    )
    applicant_prefs: dict[int, list[int]] = {}
    choosers: dict[int, list[int]] = defaultdict(list)  # opening -> applicants by application time
    for application_id, opening_id in rows:
        if application_id in left_out:
            continue
        prefs = applicant_prefs.setdefault(application_id, [])
        if (application_id, opening_id) not in offered:
            prefs.append(opening_id)
            choosers[opening_id].append(application_id)
    applicant_prefs = {a: prefs for a, prefs in applicant_prefs.items() if prefs}  # nothing left to offer: out
    ranked: dict[int, list[int]] = defaultdict(list)
    for opening_id, application_id in _plain_rows(
            select(HostRank.opening_id, HostRank.application_id).join(Opening)
            .where(Opening.cohort_id == cohort.id).order_by(HostRank.opening_id, HostRank.rank)):
        ranked[opening_id].append(application_id)
    held = Counter(o for _, o, status in placements if status in HOLDS_SEAT)
    host_prefs, capacities = {}, {}
    for opening_id, capacity, ranked_at in connection.execute(
            select(Opening.id, Opening.capacity, Opening.ranked_at).where(Opening.cohort_id == cohort.id)).all():
        capacities[opening_id] = capacity - held[opening_id]
        wanted = set(choosers[opening_id])
        host_prefs[opening_id] = ([a for a in ranked[opening_id] if a in wanted]
                                  if ranked_at or ranked[opening_id] else choosers[opening_id])
    return Instance(applicant_prefs, host_prefs, capacities)


def unranked_counts(cohort: Cohort, instance: Instance) -> dict[int, int]:
    """opening -> approved applicants who chose it and whom its host has not ranked (not acceptable there)."""
    choosers = Counter(o for prefs in instance.applicant_prefs.values() for o in prefs)
    return {opening_id: choosers[opening_id] - len(accepted) for opening_id, accepted in instance.host_prefs.items()
            if choosers[opening_id] > len(accepted)}


def draft_assignment(cohort: Cohort) -> dict[int, int | None]:
    """application id -> opening id (None: unmatched) of the cohort's draft."""
    return dict(_plain_rows(select(DraftMatch.application_id, DraftMatch.opening_id)
                            .where(DraftMatch.cohort_id == cohort.id)))


def applications_by_id(ids) -> dict[int, Application]:
    query = select(Application).where(Application.id.in_(list(ids))).options(joinedload(Application.applicant))
    return {a.id: a for a in db.session.scalars(query)}


def cohort_placements(cohort: Cohort) -> list[Placement]:
    return list(db.session.scalars(
        select(Placement).join(Opening).where(Opening.cohort_id == cohort.id)
        .options(joinedload(Placement.application).joinedload(Application.applicant), joinedload(Placement.opening))
        .order_by(Placement.round, Placement.id)))


def release_group_size(application: Application) -> int:
    """Active people in the applicant's home team (or, without a team, the home manager's reports)."""
    group = (User.team_id == application.home_team_id if application.home_team_id
             else User.manager_id == application.home_manager_id)
    return db.session.scalar(select(func.count()).select_from(User).where(group, User.active.is_(True))) or 0


def count_released(application: Application, today: date) -> int:
    """Approved teammates (same release group) in cohorts overlapping this one and not yet over, who hold a seat
    or may still get one (their cohort has not started and they gave no offer back)."""
    cohort = application.cohort
    applicant = aliased(User)
    group = (Application.home_team_id == application.home_team_id if application.home_team_id
             else Application.home_manager_id == application.home_manager_id)
    seated = select(Placement.application_id).where(Placement.status.in_(HOLDS_SEAT))
    seat_given_up = (PlacementStatus.DECLINED.value, PlacementStatus.EXPIRED.value, PlacementStatus.WITHDRAWN.value)
    released_out = select(Placement.application_id).where(Placement.status.in_(seat_given_up))
    waiting = (Cohort.starts_on > today) & Application.id.not_in(released_out)
    return db.session.scalar(
        select(func.count()).select_from(Application).join(Cohort).join(applicant, Application.applicant)
        .where(group, Application.status == ApplicationStatus.APPROVED.value, Application.id != application.id,
               Cohort.starts_on <= cohort.ends_on, Cohort.ends_on >= max(cohort.starts_on, today),
               Application.id.in_(seated) | waiting)
    ) or 0


@dataclass(frozen=True)
class ReleaseCap:
    """How many of the applicant's team may be away at once, and how many already are (approved, overlapping)."""

    percent: int
    team_size: int
    cap: int
    away: int

    @property
    def reached(self) -> bool:
        return self.away >= self.cap


def release_cap(application: Application, today: date) -> ReleaseCap:
    """The team release cap for this application: the program's percentage of the team, at least one person."""
    percent = application.cohort.program.release_cap_percent
    size = release_group_size(application)
    return ReleaseCap(percent, size, max(1, size * percent // 100), count_released(application, today))


def program_health(program: Program) -> dict:
    """Applications, approval and match rates, completions, ratings, rotations by function pair, alumni."""
    applications = list(db.session.scalars(
        select(Application).join(Cohort).where(Cohort.program_id == program.id)))
    approved = [a for a in applications if a.status == ApplicationStatus.APPROVED.value]
    decided = approved + [a for a in applications if a.status == ApplicationStatus.DECLINED.value]
    placements = list(db.session.scalars(
        select(Placement).join(Opening).join(Cohort).where(Cohort.program_id == program.id)
        .options(joinedload(Placement.application).joinedload(Application.applicant), joinedload(Placement.opening))))
    matched = {p.application_id for p in placements}
    completed = [p for p in placements if p.status == PlacementStatus.COMPLETED.value]
    ratings = [p.rating for p in completed if p.rating]
    return {
        "applications": len(applications),
        "approved": len(approved),
        "approval_rate": _rate(len(approved), len(decided)),
        "matched": len(matched),
        "match_rate": _rate(len(matched), len(approved)),
        "accepted": sum(p.status in TAKEN for p in placements),
        "completed": len(completed),
        "average_rating": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "rating_counts": [(score, ratings.count(score)) for score in range(1, 6)],
        "pairs": _function_pairs(placements),
        "alumni": sorted({p.application.applicant for p in completed}, key=lambda u: u.name),
    }


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _function_pairs(placements: list[Placement]) -> list[tuple[str, str, int]]:
    """(home function, host function, rotations accepted or completed), most first."""
    names = dict(db.session.execute(select(Function.id, Function.name)).all())
    pairs = Counter(
        (names.get(p.application.applicant.function_id or 0, "—"), names[p.opening.function_id])
        for p in placements if p.status in TAKEN
    )
    return [(home, host, n) for (home, host), n in sorted(pairs.items(), key=lambda item: (-item[1], item[0]))]


def cohort_status(today: date) -> list[dict]:
    """Cohorts not yet over: their phase, applications, approvals waiting, and seats (for HR's home)."""
    cohorts = db.session.scalars(select(Cohort).where(Cohort.ends_on >= today).order_by(Cohort.starts_on)).all()
    counts = dict(db.session.execute(
        select(Application.cohort_id, func.count()).where(Application.cohort_id.in_([c.id for c in cohorts]))
        .group_by(Application.cohort_id)).all())
    waiting = dict(db.session.execute(
        select(Application.cohort_id, func.count()).where(Application.cohort_id.in_([c.id for c in cohorts]),
                                                          Application.status == ApplicationStatus.SUBMITTED.value)
        .group_by(Application.cohort_id)).all())
    return [{"cohort": c, "phase": _phase(c, today), "applications": counts.get(c.id, 0),
             "waiting": waiting.get(c.id, 0)} for c in cohorts]


def _phase(cohort: Cohort, today: date) -> str:
    if today < cohort.applications_open_on:
        return "not open yet"
    if today <= cohort.applications_close_on:
        return "taking applications"
    if today <= cohort.matching_on or today < cohort.starts_on:
        return "matching"
    return "running"


DRAFT_VIEWS = ("all", "unmatched", "matched", "adjusted")


def draft_page(cohort: Cohort, query: str, show: str, after: int | None, size: int) -> tuple[list, int | None]:
    """One page of the draft, by applicant name (keyset after an application id), filtered by name and kind.

    Rows are (application id, applicant name, opening id, adjusted, override reason); the second value is
    the application id to continue after (None on the last page).
    """
    applicant = aliased(User)
    rows = (select(DraftMatch.application_id, applicant.name, DraftMatch.opening_id, DraftMatch.adjusted,
                   DraftMatch.override_reason)
            .join(Application, Application.id == DraftMatch.application_id)
            .join(applicant, applicant.id == Application.applicant_id)
            .where(DraftMatch.cohort_id == cohort.id))
    if query:
        rows = rows.where(applicant.name.ilike(f"%{query}%"))
    if show == "unmatched":
        rows = rows.where(DraftMatch.opening_id.is_(None))
    elif show == "matched":
        rows = rows.where(DraftMatch.opening_id.is_not(None))
    elif show == "adjusted":
        rows = rows.where(DraftMatch.adjusted.is_(True))
    if after is not None:
        last = db.session.execute(
            select(User.name, Application.id)
            .join(Application, Application.applicant_id == User.id)
            .where(Application.id == after)
        ).first()
        if last is not None:
            rows = rows.where((applicant.name > last.name) | ((applicant.name == last.name)
                                                               & (Application.id > last.id)))
    page = page_of_rows(rows.order_by(applicant.name, Application.id), size)
    return page.items, (page.items[-1].application_id if page.has_more else None)


def match_explanations(
    instance: Instance, assigned: dict[int, int], titles: dict[int, str], on_page: list[int]
) -> dict[int, list[str]]:
    """For each unmatched applicant on the page, per preferred opening, why it did not take them (from the draft)."""
    page = set(on_page)
    explanations = explain_unmatched(instance, assigned, page)
    ahead_names = applicant_names({a for reasons in explanations.values() for r in reasons
                                   for a in r.ranked_higher + r.ranked_lower})
    sentences = {}
    for application_id, reasons in explanations.items():
        parts = []
        for reason in reasons:
            if reason.not_ranked:
                parts.append(f"{titles[reason.opening]}: the host did not rank them")
            elif reason.free_seat:
                parts.append(f"{titles[reason.opening]} has a free seat and wants them: a blocking pair")
            elif reason.ranked_lower:
                below = ", ".join(ahead_names[a] for a in reason.ranked_lower)
                parts.append(f"{titles[reason.opening]} holds {below}, whom the host ranks below them: a blocking pair")
            elif reason.ranked_higher:
                ahead = ", ".join(ahead_names[a] for a in reason.ranked_higher)
                parts.append(f"{titles[reason.opening]} was full with {ahead}, whom the host ranked higher")
            else:
                parts.append(f"{titles[reason.opening]} had no seat left")
        sentences[application_id] = parts
    return sentences


def choices_of(application_ids: list[int]) -> dict[int, list[int]]:
    """application id -> its opening ids in the applicant's order."""
    chosen: dict[int, list[int]] = defaultdict(list)
    for application_id, opening_id in db.session.execute(
            select(Choice.application_id, Choice.opening_id).where(Choice.application_id.in_(application_ids))
            .order_by(Choice.application_id, Choice.rank)):
        chosen[application_id].append(opening_id)
    return chosen


def opening_titles(cohort: Cohort) -> dict[int, str]:
    return dict(db.session.execute(select(Opening.id, Opening.title).where(Opening.cohort_id == cohort.id)).all())


def applicant_names(application_ids) -> dict[int, str]:
    return dict(db.session.execute(select(Application.id, User.name).join(User, User.id == Application.applicant_id)
                                   .where(Application.id.in_(list(application_ids)))).all())


def search_openings(cohort: Cohort, query: str, excluded_function_id: int | None, limit: int = 20) -> list[Opening]:
    """Openings of the cohort whose title or function matches, outside the applicant's own function."""
    found = (select(Opening).join(Function).where(Opening.cohort_id == cohort.id)
             .options(joinedload(Opening.function)).order_by(Opening.title, Opening.id).limit(limit))
    if excluded_function_id is not None:
        found = found.where(Opening.function_id != excluded_function_id)
    if query:
        found = found.where(Opening.title.ilike(f"%{query}%") | Function.name.ilike(f"%{query}%"))
    return list(db.session.scalars(found))

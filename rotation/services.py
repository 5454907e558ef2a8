"""Writes of the rotation program. Each enforces its rules, audits administrative acts, and flushes."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rotation import matching
from rotation.models import (
    HOLDS_SEAT,
    MAX_CHOICES,
    Application,
    ApplicationStatus,
    CheckIn,
    Choice,
    Cohort,
    DraftMatch,
    HostRank,
    Opening,
    Placement,
    PlacementPhase,
    PlacementStatus,
    Program,
    RotationPolicy,
)
from rotation.queries import (
    draft_assignment,
    held_seats,
    host_order,
    match_instance,
    months_between,
    release_cap,
)
from webapp import clock, signals
from webapp.auth.services import record_audit
from webapp.errors import AlreadyRecorded, RuleError
from webapp.extensions import db
from webapp.forms import refuse_replay
from webapp.notifications.services import link, notify
from webapp.people.models import Function, Team, User
from webapp.roles import Role

Row = TypeVar("Row", Application, Cohort, Opening, Placement, RotationPolicy, Team, User)


class RotationError(RuleError):
    """A rule of this package was broken (see webapp.errors.RuleError)."""


class RotationRecorded(RotationError, AlreadyRecorded):
    """The same rotation write arrived twice: the first one counts."""


def _names(functions) -> str:
    return ", ".join(f.name for f in functions)


def event_time(today: date) -> datetime:
    """When an event of the given day happened: now for today; midday (organisation time) of an earlier day.

    Services take the day they act on; records of a past day (the demo's history) carry that day, not today.
    """
    if today == clock.today():
        return clock.now()
    return datetime.combine(today, time(12), clock.zone()).astimezone(UTC)


def locked(row: Row) -> Row:
    """The row re-read from the database and locked until commit.

    FOR UPDATE on PostgreSQL; SQLite has one writer at a time."""
    model = type(row)
    return db.session.scalars(select(model).where(model.id == row.id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def _copy_fields(data, row, skip: tuple[str, ...] = ()) -> dict:
    """Set the row's columns from the dataclass (the idempotency key only on create); the values set, for audit."""
    values = {f.name: getattr(data, f.name) for f in fields(data)
              if f.name not in skip and (f.name != "idempotency_key" or row.id is None)}
    for name, value in values.items():
        setattr(row, name, value)
    return values


# --- policy (admin) ---------------------------------------------------------------------------

POLICY_FIELDS = ("decision_grace_days", "sign_off_opens_days", "nudge_every_days", "match_page_size")


def get_policy() -> RotationPolicy:
    """The policy row, created with the column defaults on first use (safely under concurrency)."""
    policy = db.session.get(RotationPolicy, 1)
    if policy is None:
        insert_ignoring = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        db.session.execute(insert_ignoring(RotationPolicy).values(id=1).on_conflict_do_nothing())
        policy = db.session.get_one(RotationPolicy, 1)
    return policy


def save_policy(actor: User, values: dict[str, int]) -> RotationPolicy:
    """Change the rotation numbers (admin), audited with before and after."""
    policy = locked(get_policy())
    before = {name: getattr(policy, name) for name in POLICY_FIELDS}
    for name in POLICY_FIELDS:
        setattr(policy, name, int(values[name]))
    db.session.flush()
    record_audit(actor, "rotation.policy", policy, before, {name: getattr(policy, name) for name in POLICY_FIELDS})
    return policy


# --- programs and cohorts (HR) -----------------------------------------------------------

@dataclass
class ProgramData:
    name: str
    purpose: str
    host_function_ids: list[int]
    eligible_function_ids: list[int]
    duration_weeks: int
    time_share_percent: int
    min_tenure_months: int
    release_cap_percent: int = 20
    offer_days: int = 7
    idempotency_key: str | None = None


def save_program(actor: User, program: Program | None, data: ProgramData) -> Program:
    """Create or update a program; its name is unique and it names host and eligible functions."""
    if program is None:
        refuse_replay(Program, data.idempotency_key)
    program = program or Program()
    clash = select(Program.id).where(Program.name == data.name, Program.id != (program.id or 0))
    if db.session.scalar(clash) is not None:
        raise RotationError("Another program already has this name.", "name")
    hosts = _functions(data.host_function_ids, "host_function_ids")
    eligible = _functions(data.eligible_function_ids, "eligible_function_ids")
    action = "rotation.program.update" if program.id else "rotation.program.create"
    _copy_fields(data, program, skip=("host_function_ids", "eligible_function_ids"))
    program.host_functions, program.eligible_functions = hosts, eligible
    db.session.add(program)
    db.session.flush()
    record_audit(actor, action, program, None, {"name": program.name, "hosts": [f.id for f in hosts],
                                                 "eligible": [f.id for f in eligible]})
    return program


def _functions(ids: list[int], field: str) -> list[Function]:
    functions = db.session.scalars(select(Function).where(Function.id.in_(ids))).all() if ids else []
    if not functions or len(functions) != len(set(ids)):
        raise RotationError("Choose at least one existing function.", field)
    return list(functions)


@dataclass
class CohortData:
    name: str
    applications_open_on: date
    applications_close_on: date
    matching_on: date
    starts_on: date
    ends_on: date
    idempotency_key: str | None = None


COHORT_ORDER = (
    ("applications_open_on", "applications_close_on", "The window must close on or after it opens."),
    ("applications_close_on", "matching_on", "Matching comes on or after the window closes."),
    ("matching_on", "starts_on", "The rotation starts after the matching date.", True),
    ("starts_on", "ends_on", "The rotation ends after it starts.", True),
)


def save_cohort(actor: User | None, program: Program, cohort: Cohort | None, data: CohortData) -> Cohort:
    """Create or update a cohort whose dates run in order: window, matching, start, end."""
    for earlier, later, message, *strict in COHORT_ORDER:
        first, second = getattr(data, earlier), getattr(data, later)
        if second < first or (strict and second == first):
            raise RotationError(message, later)
    if cohort is None:
        refuse_replay(Cohort, data.idempotency_key)
    cohort = cohort or Cohort(program=program)
    action = "rotation.cohort.update" if cohort.id else "rotation.cohort.create"
    values = _copy_fields(data, cohort)
    db.session.add(cohort)
    db.session.flush()
    record_audit(actor, action, cohort, None, {k: str(v) for k, v in values.items() if k != "idempotency_key"})
    return cohort


def close_applications(actor: User, cohort: Cohort, today: date, confirmed: bool) -> Cohort:
    """HR closes the application window before its date (confirmed), so the match may run."""
    if not confirmed:
        raise RotationError("Tick the box to confirm: nobody can apply or change an application afterwards.",
                            "confirm")
    cohort = locked(cohort)
    if cohort.applications_closed(today):
        raise RotationRecorded(f"Applications to {cohort.name} are already closed.")
    if today < cohort.applications_open_on:
        raise RotationError(f"Applications to {cohort.name} have not opened yet.")
    cohort.closed_early_at = event_time(today)
    db.session.flush()
    record_audit(actor, "rotation.cohort.close_early", cohort, {"closes_on": str(cohort.applications_close_on)},
                 {"closed_on": str(today)})
    return cohort


# --- openings (host managers) ---------------------------------------------------------------

@dataclass
class OpeningData:
    title: str
    activities: str
    learning: str
    skills: str
    capacity: int
    mentor_id: int
    time_share_percent: int
    idempotency_key: str | None = None


def save_opening(actor: User, cohort: Cohort, opening: Opening | None, data: OpeningData) -> Opening:
    """Post or edit an opening in the host manager's own function, which must be a host function."""
    if opening is not None and opening.host_manager_id != actor.id:
        raise RotationError("Only the manager who posted this opening may change it.")
    if not actor.has_role(Role.MANAGER):
        raise RotationError("Only managers post openings.")
    if actor.function_id not in {f.id for f in cohort.program.host_functions}:
        raise RotationError(f"This program is hosted by {_names(cohort.program.host_functions)}, not your function.")
    mentor = db.session.get(User, data.mentor_id)
    if mentor is None or not mentor.active or mentor.function_id != actor.function_id:
        raise RotationError("The host mentor must be an active person of your function.", "mentor_email")
    if opening is None:
        refuse_replay(Opening, data.idempotency_key)
    else:
        opening = locked(opening)
        if data.capacity < len(held_seats(opening)):
            raise RotationError("Offers already hold more seats than that.", "capacity")
    opening = opening or Opening(cohort=cohort, host_manager_id=actor.id, function_id=actor.function_id)
    _copy_fields(data, opening)
    db.session.add(opening)
    db.session.flush()
    return opening


# --- applications ---------------------------------------------------------------------------

def ensure_eligible(person: User, cohort: Cohort, today: date) -> None:
    """Refuse, with the reason, a person who may not apply to this cohort today."""
    program = cohort.program
    if not cohort.window_is_open(today):
        raise RotationError(
            f"Applications to {cohort.name} are open from {cohort.applications_open_on:%d %b %Y} "
            f"to {cohort.applications_close_on:%d %b %Y}; the window is closed."
        )
    if person.function_id not in {f.id for f in program.eligible_functions}:
        raise RotationError(f"{program.name} is open to people in {_names(program.eligible_functions)}, "
                            "not to your function.")
    tenure = months_between(person.hired_on, today) if person.hired_on else None
    if tenure is None or tenure < program.min_tenure_months:
        known = f"you have {tenure}" if tenure is not None else "your hire date is not on record"
        raise RotationError(f"{program.name} needs at least {program.min_tenure_months} months with us; {known}.")
    if db.session.scalar(select(Application.id).where(Application.cohort_id == cohort.id,
                                                      Application.applicant_id == person.id)):
        raise RotationRecorded("Your application is already recorded: you have already applied to this cohort.")
    if _home_manager(person) is None:
        raise RotationError("You need a manager on record to approve your application; ask HR.")


def _home_manager(person: User) -> User | None:
    return person.manager or (person.team.manager if person.team and person.team.manager_id != person.id else None)


def submit_application(person: User, cohort: Cohort, opening_ids: list[int], statement: str,
                       learning_goals: str, today: date) -> Application:
    """Apply with up to five distinct openings in ranked order, none in the applicant's own function."""
    ensure_eligible(person, cohort, today)
    _check_choices(person, cohort, opening_ids)
    application = Application(
        cohort=cohort, applicant=person, home_manager=_home_manager(person), home_team_id=person.team_id,
        statement=statement, learning_goals=learning_goals, created_at=event_time(today),
        choices=[Choice(rank=rank, opening_id=oid) for rank, oid in enumerate(opening_ids, start=1)],
    )
    db.session.add(application)
    db.session.flush()
    return application


def edit_application(person: User, application: Application, opening_ids: list[int], statement: str,
                     learning_goals: str, today: date) -> Application:
    """The applicant changes their openings, statement or goals while the window is open and before the decision."""
    if application.applicant_id != person.id:
        raise RotationError("Only the applicant changes an application.")
    application = locked(application)
    cohort = application.cohort
    if not cohort.window_is_open(today):
        raise RotationError(f"Applications to {cohort.name} are closed; yours can no longer change.")
    if application.status != ApplicationStatus.SUBMITTED.value:
        raise RotationError(f"Your application is {application.status}; it can no longer change.")
    _check_choices(person, cohort, opening_ids)
    application.statement, application.learning_goals = statement, learning_goals
    db.session.execute(delete(Choice).where(Choice.application_id == application.id))
    db.session.expire(application, ["choices"])
    db.session.add_all(Choice(application_id=application.id, rank=rank, opening_id=oid)
                       for rank, oid in enumerate(opening_ids, start=1))
    db.session.flush()
    return application


def _check_choices(person: User, cohort: Cohort, opening_ids: list[int]) -> None:
    """Up to five distinct openings of the cohort, none in the applicant's own function."""
    if not opening_ids:
        raise RotationError("Choose at least one opening.", "openings")
    if len(opening_ids) > MAX_CHOICES or len(set(opening_ids)) != len(opening_ids):
        raise RotationError(f"Choose up to {MAX_CHOICES} different openings.", "openings")
    openings = {o.id: o for o in cohort.openings}
    for opening_id in opening_ids:
        if opening_id not in openings:
            raise RotationError("Choose openings of this cohort.", "openings")
        if openings[opening_id].function_id == person.function_id:
            raise RotationError(f"{openings[opening_id].title} is in your own function; "
                                "a rotation takes you to another one.", "openings")


def decide_application(manager: User, application: Application, approve: bool, comment: str,
                       today: date) -> Application:
    """The home manager approves (within the team's release cap) or declines (with a comment).

    The release group is locked first (so concurrent approvals count each other), then the application.
    """
    if application.home_manager_id != manager.id:
        raise RotationError("Only the applicant's home manager decides on this application.")
    if not approve and not comment.strip():
        raise RotationError("Say why, so the applicant knows.", "comment")
    _ensure_deciding_window(application.cohort, today)
    if approve:
        _lock_release_group(application)
    application = locked(application)
    if application.status != ApplicationStatus.SUBMITTED.value:
        raise RotationRecorded(f"This application was already {application.status}; that decision is recorded.")
    if approve:
        _ensure_within_release_cap(application, today)
    application.status = ApplicationStatus.APPROVED.value if approve else ApplicationStatus.DECLINED.value
    application.decision_comment = comment.strip()
    application.decided_at = event_time(today)
    db.session.flush()
    record_audit(manager, f"rotation.application.{application.status}", application, None,
                 {"comment": application.decision_comment}).created_at = application.decided_at
    _notify_decision(application)
    return application


def withdraw_application(person: User, application: Application) -> Application:
    """The applicant withdraws an application that holds no seat (withdraw an accepted rotation first)."""
    if application.applicant_id != person.id:
        raise RotationError("Only the applicant withdraws an application.")
    application = locked(application)
    if application.status == ApplicationStatus.WITHDRAWN.value:
        raise RotationRecorded("Your application is already withdrawn.")
    if db.session.scalar(select(Placement.id).where(Placement.application_id == application.id,
                                                    Placement.status.in_(HOLDS_SEAT))):
        raise RotationError("Your application holds a rotation offer or seat; answer or withdraw that first.")
    application.status = ApplicationStatus.WITHDRAWN.value
    db.session.execute(delete(DraftMatch).where(DraftMatch.application_id == application.id))
    db.session.flush()
    return application


def _ensure_deciding_window(cohort: Cohort, today: date) -> None:
    """Decisions are taken while applications are open and a few days after (a setting)."""
    last = cohort.applications_close_on + timedelta(days=get_policy().decision_grace_days)
    if today > last:
        raise RotationError(f"Decisions on applications to {cohort.name} closed on {last:%d %b %Y}.")


def _notify_decision(application: Application) -> None:
    """Tell the applicant the home manager's decision, with the comment."""
    comment = f" Their comment: {application.decision_comment}" if application.decision_comment else ""
    notify(application.applicant, "info",
           f"{application.home_manager.name} {application.status} your application to {application.cohort.name}."
           f"{comment}", link("rotation.application", application_id=application.id))


def _lock_release_group(application: Application) -> None:
    """Serialise approvals of one release group: lock its team row (or, without a team, the home manager's)."""
    if application.home_team_id is not None:
        locked(db.session.get_one(Team, application.home_team_id))
    else:
        locked(db.session.get_one(User, application.home_manager_id))


def _ensure_within_release_cap(application: Application, today: date) -> None:
    release = release_cap(application, today)
    if release.reached:
        raise RotationError(
            f"Your team may release at most {release.cap} of its {release.team_size} people at once "
            f"({release.percent}%, at least one), and {release.away} already "
            f"{'is' if release.away == 1 else 'are'} approved for a rotation in this period."
        )


# --- host ranking ---------------------------------------------------------------------------

def rank_applicants(user: User, opening: Opening, application_ids: list[int]) -> Opening:
    """The host mentor (or host manager) orders the approved applicants they accept; the others are not acceptable."""
    if not opening.is_hosted_by(user):
        raise RotationError("Only this opening's host mentor or manager ranks its applicants.")
    opening = locked(opening)
    expected = {a.id for a in host_order(opening)}
    if len(set(application_ids)) != len(application_ids) or not set(application_ids) <= expected:
        raise RotationError("The list of applicants changed; reload the page and rank again.")
    db.session.execute(delete(HostRank).where(HostRank.opening_id == opening.id))
    db.session.add_all(HostRank(opening_id=opening.id, application_id=aid, rank=rank)
                       for rank, aid in enumerate(application_ids, start=1))
    opening.ranked_at = clock.now()
    db.session.flush()
    return opening


# --- matching (HR) --------------------------------------------------------------------------

def expire_offers(cohort: Cohort, today: date) -> int:
    """Offers not answered by their date expire, freeing their seats for the next run."""
    overdue = db.session.scalars(
        select(Placement).join(Opening).where(Opening.cohort_id == cohort.id,
                                              Placement.status == PlacementStatus.OFFERED.value,
                                              Placement.respond_by < today)
    ).all()
    for placement in overdue:
        placement.status = PlacementStatus.EXPIRED.value
    db.session.flush()
    return len(overdue)


def run_match(actor: User, cohort: Cohort, today: date) -> dict[int, int]:
    """Match the remaining approved applicants to the remaining seats and keep the result as a draft."""
    cohort = locked(cohort)
    if not cohort.applications_closed(today):
        raise RotationError(f"Applications to {cohort.name} are open until {cohort.applications_close_on:%d %b %Y}; "
                            "the match runs after they close (or close them early).")
    expire_offers(cohort, today)
    instance = match_instance(cohort)
    if not instance.applicant_prefs:
        raise RotationError("No approved applicants are waiting for a match.")
    result = matching.deferred_acceptance(instance)
    db.session.execute(delete(DraftMatch).where(DraftMatch.cohort_id == cohort.id))
    db.session.execute(insert(DraftMatch), [
        {"cohort_id": cohort.id, "application_id": aid, "opening_id": result.get(aid), "adjusted": False}
        for aid in instance.applicant_prefs])
    db.session.flush()
    record_audit(actor, "rotation.match.run", cohort, None, {"matched": len(result),
                                                             "applicants": len(instance.applicant_prefs)}
                 ).created_at = event_time(today)
    return result


def adjust_match(actor: User, cohort: Cohort, application_id: int, opening_id: int | None,
                 reason: str = "") -> DraftMatch:
    """Move one applicant of the draft to another opening (or leave them unmatched), within capacity.

    A move to an opening the applicant did not choose, or whose host did not accept them, needs a reason.
    """
    cohort = locked(cohort)
    draft = db.session.get(DraftMatch, application_id)
    if draft is None or draft.cohort_id != cohort.id:
        raise RotationError("That applicant is not in this draft; run the match again.")
    reason = reason.strip()
    if opening_id is not None:
        opening = db.session.get(Opening, opening_id)
        application = db.session.get_one(Application, application_id)
        if opening is None or opening.cohort_id != cohort.id:
            raise RotationError("Choose an opening of this cohort.")
        if opening.function_id == application.applicant.function_id:
            raise RotationError(f"{opening.title} is in the applicant's own function.")
        refusal = _off_list(match_instance(cohort), application, opening)
        if refusal and not reason:
            raise RotationError(f"{refusal}; to move them anyway, give a reason (it is audited).", "reason")
        taken = db.session.scalars(select(DraftMatch.application_id).where(
            DraftMatch.opening_id == opening_id, DraftMatch.application_id != application_id)).all()
        if len(taken) + len(held_seats(opening)) >= opening.capacity:
            raise RotationError(f"{opening.title} has no free seat; move someone out first.")
        reason = reason if refusal else ""
    draft.opening_id, draft.adjusted, draft.override_reason = opening_id, True, reason or None
    db.session.flush()
    record_audit(actor, "rotation.match.adjust", cohort, None, {"application": application_id,
                                                                "opening": opening_id, "override_reason": reason})
    return draft


def _off_list(instance: matching.Instance, application: Application, opening: Opening) -> str | None:
    """Why the pair is not acceptable (not on the applicant's list, or not accepted by the host); None if it is."""
    name = application.applicant.name
    if opening.id not in instance.applicant_prefs.get(application.id, ()):
        return f"{opening.title} is not on {name}'s list"
    if application.id not in instance.host_prefs.get(opening.id, ()):
        return f"{opening.title}'s host did not rank {name}"
    return None


def publish_match(actor: User, cohort: Cohort, today: date, confirmed: bool = False,
                  unstable_confirmed: bool = False) -> list[Placement]:
    """Turn the draft into offers that the matched applicants answer within the program's days.

    Asks for confirmation (and a second one naming the blocking pairs of an unstable draft), and re-checks the
    world since the draft: applicants who left or withdrew, and openings whose capacity went down.
    """
    if not confirmed:
        raise RotationError("Tick the box to confirm: publishing sends the offers.", "confirm")
    cohort = locked(cohort)
    drafts = db.session.scalars(select(DraftMatch).where(DraftMatch.cohort_id == cohort.id).with_for_update()).all()
    if not drafts:
        raise RotationError("Run the match first; there is nothing to publish.")
    pairs = draft_blocking_pairs(cohort, _ensure_draft_still_holds(cohort, drafts))
    if pairs and not unstable_confirmed:
        raise RotationError(f"This draft is not stable: {pairs}. Tick the second box to publish it anyway.",
                            "unstable_confirmed")
    cohort.match_rounds += 1
    respond_by = today + timedelta(days=cohort.program.offer_days)
    placements = [Placement(application_id=d.application_id, opening_id=d.opening_id, round=cohort.match_rounds,
                            respond_by=respond_by, created_at=event_time(today))
                  for d in drafts if d.opening_id is not None]
    db.session.add_all(placements)
    db.session.execute(delete(DraftMatch).where(DraftMatch.cohort_id == cohort.id))
    db.session.flush()
    record_audit(
        actor, "rotation.match.publish", cohort, None, {"round": cohort.match_rounds, "offers": len(placements)}
    ).created_at = event_time(today)
    return placements


def draft_blocking_pairs(cohort: Cohort, instance: matching.Instance) -> str:
    """The draft's blocking pairs in words ("Ada and Dock scheduling; ..."), empty when it is stable."""
    assigned = {a: o for a, o in draft_assignment(cohort).items() if o is not None}
    pairs = matching.blocking_pairs(instance, assigned)
    if not pairs:
        return ""
    names = dict(db.session.execute(select(Application.id, User.name).join(User, User.id == Application.applicant_id)
                                    .where(Application.id.in_({a for a, _ in pairs}))).all())
    titles = dict(db.session.execute(select(Opening.id, Opening.title).where(Opening.cohort_id == cohort.id)).all())
    return "; ".join(f"{names[a]} and {titles[o]}" for a, o in pairs)


def _ensure_draft_still_holds(cohort: Cohort, drafts: Sequence[DraftMatch]) -> matching.Instance:
    """Refuse a draft the world changed under: a matched person left or withdrew, or an opening lost seats.

    The cohort's openings stay locked until commit; returns the instance as it is now.
    """
    matched = {d.application_id: d.opening_id for d in drafts if d.opening_id is not None}
    seated = db.session.scalars(select(Placement.application_id).where(
        Placement.application_id.in_(list(matched)), Placement.status.in_(HOLDS_SEAT))).all()
    if seated:
        raise RotationRecorded("An offer to this draft's applicants was already recorded; run the match again.")
    gone = db.session.scalars(select(User.name).join(Application, Application.applicant_id == User.id).where(
        Application.id.in_(list(matched)),
        User.active.is_(False) | (Application.status != ApplicationStatus.APPROVED.value))
        .order_by(User.name)).all()
    if gone:
        raise RotationError(f"Since the draft, {', '.join(gone)} left or withdrew; run the match again.")
    db.session.execute(select(Opening.id).where(Opening.cohort_id == cohort.id).with_for_update())
    instance = match_instance(cohort)
    for opening_id, wanted in Counter(matched.values()).items():
        if wanted > instance.capacities.get(opening_id, 0):
            opening = db.session.get_one(Opening, opening_id)
            filled = wanted + opening.capacity - instance.capacities[opening_id]
            raise RotationError(f"{opening.title} now has {opening.capacity} seat{'s' * (opening.capacity != 1)} "
                                f"and the draft fills {filled}; run the match again or move someone.")
    return instance


# --- offers and placements ------------------------------------------------------------------

def respond_to_offer(person: User, placement: Placement, accept: bool, today: date) -> Placement:
    """The matched applicant accepts or declines by the offer's date; a declined seat goes to the next run."""
    if placement.application.applicant_id != person.id:
        raise RotationError("Only the person offered this rotation may answer.")
    placement = locked(placement)
    if placement.status == PlacementStatus.OFFERED.value and placement.respond_by < today:
        placement.status = PlacementStatus.EXPIRED.value
        db.session.flush()
    if placement.status != PlacementStatus.OFFERED.value:
        raise RotationError(f"This offer is {placement.status}; it can no longer be answered.")
    placement.status = PlacementStatus.ACCEPTED.value if accept else PlacementStatus.DECLINED.value
    placement.responded_at = event_time(today)
    db.session.flush()
    return placement


def withdraw_placement(actor: User, placement: Placement) -> Placement:
    """HR or the rotator withdraws an offered or accepted placement."""
    placement = locked(placement)
    if placement.status not in (PlacementStatus.OFFERED.value, PlacementStatus.ACCEPTED.value):
        raise RotationError(f"A {placement.status} placement cannot be withdrawn.")
    placement.status = PlacementStatus.WITHDRAWN.value
    db.session.flush()
    record_audit(actor, "rotation.placement.withdraw", placement, None, None)
    return placement


def _ensure_active(placement: Placement, today: date) -> None:
    if placement.state(today) != PlacementPhase.ACTIVE.value:
        raise RotationError(f"This placement is {placement.state(today)}; that can be done only while it is active.")


def sign_off_opens_on(placement: Placement) -> date:
    """The first day of sign-offs: a few days (a setting) before the planned end."""
    return placement.opening.cohort.ends_on - timedelta(days=get_policy().sign_off_opens_days)


def _ensure_signable(placement: Placement, today: date) -> None:
    """Sign-offs open near the planned end and stay open once the placement has ended."""
    state = placement.state(today)
    if state not in (PlacementPhase.ACTIVE.value, PlacementPhase.ENDED.value):
        raise RotationError(f"This placement is {state}; sign-offs are for a rotation under way or ended.")
    opens_on = sign_off_opens_on(placement)
    if today < opens_on:
        raise RotationError(f"Sign-offs open on {opens_on:%d %b %Y}, near the planned end of the rotation.")


def author_role(user: User, placement: Placement) -> str | None:
    """rotator, host (mentor or host manager), home (home manager) or None."""
    if placement.application.applicant_id == user.id:
        return "rotator"
    if placement.opening.is_hosted_by(user):
        return "host"
    if placement.application.home_manager_id == user.id:
        return "home"
    return None


def record_check_in(user: User, placement: Placement, progress: str, surprise: str, today: date) -> CheckIn:
    """The rotator's or host mentor's mid-point check-in, once each."""
    role = author_role(user, placement)
    if role not in ("rotator", "host"):
        raise RotationError("Only the rotator and the host mentor check in.")
    placement = locked(placement)
    _ensure_active(placement, today)
    if db.session.scalar(select(CheckIn.id).where(CheckIn.placement_id == placement.id, CheckIn.author == role)):
        raise RotationRecorded("Your check-in is already recorded.")
    check_in = CheckIn(placement=placement, author=role, progress=progress, surprise=surprise,
                       created_at=event_time(today))
    db.session.add(check_in)
    db.session.flush()
    return check_in


def sign_off(user: User, placement: Placement, today: date, text: str = "", rating: int | None = None) -> bool:
    """Record the signer's part (reflection, host feedback or home confirmation); True when completed.

    The placement is locked and re-read first, so the last of concurrent sign-offs sees the others and completes.
    """
    role = author_role(user, placement)
    if role is None:
        raise RotationError("Only the rotator, the host and the home manager sign off.")
    placement = locked(placement)
    _ensure_signable(placement, today)
    now = event_time(today)
    if role == "rotator":
        if placement.reflected_at:
            raise RotationRecorded("Your reflection is already recorded.")
        if rating not in range(1, 6):
            raise RotationError("Rate the rotation from 1 to 5.", "rating")
        placement.reflection, placement.rating, placement.reflected_at = text, rating, now
    elif role == "host":
        if placement.host_feedback_at:
            raise RotationRecorded("The host's feedback is already recorded.")
        placement.host_feedback, placement.host_feedback_at = text, now
    else:
        if placement.home_confirmed_at:
            raise RotationRecorded("The home manager has already confirmed; that is recorded.")
        placement.home_confirmed_at = now
    db.session.flush()
    return _complete_if_signed(placement, now)


def _complete_if_signed(placement: Placement, now: datetime) -> bool:
    if not (placement.reflected_at and placement.host_feedback_at and placement.home_confirmed_at):
        return False
    placement.status, placement.completed_at = PlacementStatus.COMPLETED.value, now
    db.session.flush()
    rotator = placement.application.applicant
    signals.rotation_completed.send(
        "rotation", placement_id=placement.id, person=rotator,
        home_function_id=rotator.function_id, host_function_id=placement.opening.function_id,
        completed_at=placement.completed_at, occurred_at=placement.completed_at,
    )
    return True


def nudge_pending_sign_offs(today: date) -> int:
    """Remind the parties of ended placements whose sign-offs are pending, every few days (a setting)."""
    every = timedelta(days=get_policy().nudge_every_days)
    ended = db.session.scalars(
        select(Placement).join(Opening).join(Cohort)
        .where(Placement.status == PlacementStatus.ACCEPTED.value, Cohort.ends_on < today,
               (Placement.nudged_on.is_(None)) | (Placement.nudged_on <= today - every))
        .with_for_update(of=Placement)).all()
    sent = 0
    for placement in ended:
        for person in _pending_signers(placement):
            notify(person, "info", f"The rotation {placement.opening.title} ended on "
                   f"{placement.opening.cohort.ends_on:%d %b %Y}; your sign-off is still needed.",
                   link("rotation.placement", placement_id=placement.id))
            sent += 1
        placement.nudged_on = today
    db.session.flush()
    return sent


def _pending_signers(placement: Placement) -> list[User]:
    """Who still has to sign off: the rotator, the host mentor, the home manager."""
    pending = [(placement.reflected_at, placement.application.applicant),
               (placement.host_feedback_at, placement.opening.mentor),
               (placement.home_confirmed_at, placement.application.home_manager)]
    return [person for signed, person in pending if signed is None]

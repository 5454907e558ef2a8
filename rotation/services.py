"""Writes of the rotation program. Each enforces its rules, audits administrative acts, and flushes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select

from rotation import matching
from rotation.models import (
    MAX_CHOICES,
    Application,
    CheckIn,
    Choice,
    Cohort,
    DraftMatch,
    HostRank,
    Opening,
    Placement,
    Program,
)
from rotation.queries import (
    held_seats,
    host_order,
    match_instance,
    months_between,
    release_cap,
)
from webapp import clock, signals
from webapp.auth.services import record_audit
from webapp.errors import RuleError
from webapp.extensions import db
from webapp.people.models import Function, User
from webapp.roles import Role


class RotationError(RuleError):
    """A rule of this package was broken (see webapp.errors.RuleError)."""


def _names(functions) -> str:
    return ", ".join(f.name for f in functions)


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


def save_program(actor: User, program: Program | None, data: ProgramData) -> Program:
    """Create or update a program; its name is unique and it names host and eligible functions."""
    program = program or Program()
    clash = select(Program.id).where(Program.name == data.name, Program.id != (program.id or 0))
    if db.session.scalar(clash) is not None:
        raise RotationError("Another program already has this name.", "name")
    hosts = _functions(data.host_function_ids, "host_function_ids")
    eligible = _functions(data.eligible_function_ids, "eligible_function_ids")
    action = "rotation.program.update" if program.id else "rotation.program.create"
    for name in ("name", "purpose", "duration_weeks", "time_share_percent", "min_tenure_months",
                 "release_cap_percent", "offer_days"):
        setattr(program, name, getattr(data, name))
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


COHORT_ORDER = (
    ("applications_open_on", "applications_close_on", "The window must close on or after it opens."),
    ("applications_close_on", "matching_on", "Matching comes on or after the window closes."),
    ("matching_on", "starts_on", "The rotation starts after the matching date.", True),
    ("starts_on", "ends_on", "The rotation ends after it starts.", True),
)


def save_cohort(actor: User, program: Program, cohort: Cohort | None, data: CohortData) -> Cohort:
    """Create or update a cohort whose dates run in order: window, matching, start, end."""
    for earlier, later, message, *strict in COHORT_ORDER:
        first, second = getattr(data, earlier), getattr(data, later)
        if second < first or (strict and second == first):
            raise RotationError(message, later)
    cohort = cohort or Cohort(program=program)
    action = "rotation.cohort.update" if cohort.id else "rotation.cohort.create"
    for name, value in vars(data).items():
        setattr(cohort, name, value)
    db.session.add(cohort)
    db.session.flush()
    record_audit(actor, action, cohort, None, {k: str(v) for k, v in vars(data).items()})
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
    if opening is not None and data.capacity < len(held_seats(opening)):
        raise RotationError("Offers already hold more seats than that.", "capacity")
    opening = opening or Opening(cohort=cohort, host_manager_id=actor.id, function_id=actor.function_id)
    for name, value in vars(data).items():
        setattr(opening, name, value)
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
        raise RotationError("You have already applied to this cohort.")
    if _home_manager(person) is None:
        raise RotationError("You need a manager on record to approve your application; ask HR.")


def _home_manager(person: User) -> User | None:
    return person.manager or (person.team.manager if person.team and person.team.manager_id != person.id else None)


def submit_application(person: User, cohort: Cohort, opening_ids: list[int], statement: str,
                       learning_goals: str, today: date) -> Application:
    """Apply with up to five distinct openings in ranked order, none in the applicant's own function."""
    ensure_eligible(person, cohort, today)
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
    application = Application(
        cohort=cohort, applicant=person, home_manager=_home_manager(person), home_team_id=person.team_id,
        statement=statement, learning_goals=learning_goals,
        choices=[Choice(rank=rank, opening_id=oid) for rank, oid in enumerate(opening_ids, start=1)],
    )
    db.session.add(application)
    db.session.flush()
    return application


def decide_application(manager: User, application: Application, approve: bool, comment: str, today: date) -> None:
    """The home manager approves (within the team's release cap) or declines (with a comment)."""
    if application.home_manager_id != manager.id:
        raise RotationError("Only the applicant's home manager decides on this application.")
    if application.status != "submitted":
        raise RotationError(f"This application was already {application.status}.")
    if not approve and not comment.strip():
        raise RotationError("Say why, so the applicant knows.", "comment")
    if approve:
        _ensure_within_release_cap(application, today)
    application.status = "approved" if approve else "declined"
    application.decision_comment = comment.strip()
    application.decided_at = clock.now()
    db.session.flush()
    record_audit(manager, f"rotation.application.{application.status}", application, None,
                 {"comment": application.decision_comment})


def _ensure_within_release_cap(application: Application, today: date) -> None:
    release = release_cap(application, today)
    if release.reached:
        raise RotationError(
            f"Your team may release at most {release.cap} of its {release.team_size} people at once "
            f"({release.percent}%, at least one), and {release.away} already "
            f"{'is' if release.away == 1 else 'are'} approved for a rotation in this period."
        )


# --- host ranking ---------------------------------------------------------------------------

def rank_applicants(user: User, opening: Opening, application_ids: list[int]) -> None:
    """The host mentor (or host manager) orders the approved applicants to their opening."""
    if not opening.is_hosted_by(user):
        raise RotationError("Only this opening's host mentor or manager ranks its applicants.")
    expected = {a.id for a in host_order(opening)}
    if sorted(application_ids) != sorted(expected):
        raise RotationError("The list of applicants changed; reload the page and rank again.")
    db.session.execute(delete(HostRank).where(HostRank.opening_id == opening.id))
    db.session.add_all(HostRank(opening_id=opening.id, application_id=aid, rank=rank)
                       for rank, aid in enumerate(application_ids, start=1))
    db.session.flush()


# --- matching (HR) --------------------------------------------------------------------------

def expire_offers(cohort: Cohort, today: date) -> int:
    """Offers not answered by their date expire, freeing their seats for the next run."""
    overdue = db.session.scalars(
        select(Placement).join(Opening).where(Opening.cohort_id == cohort.id, Placement.status == "offered",
                                              Placement.respond_by < today)
    ).all()
    for placement in overdue:
        placement.status = "expired"
    db.session.flush()
    return len(overdue)


def run_match(actor: User, cohort: Cohort, today: date) -> dict[int, int]:
    """Match the remaining approved applicants to the remaining seats and keep the result as a draft."""
    expire_offers(cohort, today)
    instance = match_instance(cohort)
    if not instance.applicant_prefs:
        raise RotationError("No approved applicants are waiting for a match.")
    result = matching.deferred_acceptance(instance)
    db.session.execute(delete(DraftMatch).where(DraftMatch.cohort_id == cohort.id))
    db.session.add_all(DraftMatch(cohort_id=cohort.id, application_id=aid, opening_id=result.get(aid))
                       for aid in instance.applicant_prefs)
    db.session.flush()
    record_audit(actor, "rotation.match.run", cohort, None, {"matched": len(result),
                                                             "applicants": len(instance.applicant_prefs)})
    return result


def adjust_match(actor: User, cohort: Cohort, application_id: int, opening_id: int | None) -> None:
    """Move one applicant of the draft to another opening (or leave them unmatched), within capacity."""
    draft = db.session.get(DraftMatch, application_id)
    if draft is None or draft.cohort_id != cohort.id:
        raise RotationError("That applicant is not in this draft; run the match again.")
    if opening_id is not None:
        opening = db.session.get(Opening, opening_id)
        application = db.session.get(Application, application_id)
        if opening is None or opening.cohort_id != cohort.id:
            raise RotationError("Choose an opening of this cohort.")
        if opening.function_id == application.applicant.function_id:
            raise RotationError(f"{opening.title} is in the applicant's own function.")
        taken = db.session.scalars(select(DraftMatch.application_id).where(
            DraftMatch.opening_id == opening_id, DraftMatch.application_id != application_id)).all()
        if len(taken) + len(held_seats(opening)) >= opening.capacity:
            raise RotationError(f"{opening.title} has no free seat; move someone out first.")
    draft.opening_id, draft.adjusted = opening_id, True
    db.session.flush()
    record_audit(actor, "rotation.match.adjust", cohort, None, {"application": application_id,
                                                                "opening": opening_id})


def publish_match(actor: User, cohort: Cohort, today: date) -> list[Placement]:
    """Turn the draft into offers that the matched applicants answer within the program's days."""
    drafts = db.session.scalars(select(DraftMatch).where(DraftMatch.cohort_id == cohort.id).with_for_update()).all()
    if not drafts:
        raise RotationError("Run the match first; there is nothing to publish.")
    cohort.match_rounds += 1
    respond_by = today + timedelta(days=cohort.program.offer_days)
    placements = [Placement(application_id=d.application_id, opening_id=d.opening_id, round=cohort.match_rounds,
                            respond_by=respond_by) for d in drafts if d.opening_id is not None]
    db.session.add_all(placements)
    db.session.execute(delete(DraftMatch).where(DraftMatch.cohort_id == cohort.id))
    db.session.flush()
    record_audit(actor, "rotation.match.publish", cohort, None, {"round": cohort.match_rounds,
                                                                 "offers": len(placements)})
    return placements


# --- offers and placements ------------------------------------------------------------------

def respond_to_offer(person: User, placement: Placement, accept: bool, today: date) -> None:
    """The matched applicant accepts or declines by the offer's date; a declined seat goes to the next run."""
    if placement.application.applicant_id != person.id:
        raise RotationError("Only the person offered this rotation may answer.")
    if placement.status == "offered" and placement.respond_by < today:
        placement.status = "expired"
        db.session.flush()
    if placement.status != "offered":
        raise RotationError(f"This offer is {placement.status}; it can no longer be answered.")
    placement.status = "accepted" if accept else "declined"
    placement.responded_at = clock.now()
    db.session.flush()


def withdraw_placement(actor: User, placement: Placement) -> None:
    """HR or the rotator withdraws an offered or accepted placement."""
    if placement.status not in ("offered", "accepted"):
        raise RotationError(f"A {placement.status} placement cannot be withdrawn.")
    placement.status = "withdrawn"
    db.session.flush()
    record_audit(actor, "rotation.placement.withdraw", placement, None, None)


def _ensure_active(placement: Placement, today: date) -> None:
    if placement.state(today) != "active":
        raise RotationError(f"This placement is {placement.state(today)}; that can be done only while it is active.")


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
    _ensure_active(placement, today)
    if any(c.author == role for c in placement.check_ins):
        raise RotationError("Your check-in is already recorded.")
    check_in = CheckIn(placement=placement, author=role, progress=progress, surprise=surprise)
    db.session.add(check_in)
    db.session.flush()
    return check_in


def sign_off(user: User, placement: Placement, today: date, text: str = "", rating: int | None = None) -> bool:
    """Record the signer's part (reflection, host feedback or home confirmation); True when completed."""
    role = author_role(user, placement)
    if role is None:
        raise RotationError("Only the rotator, the host and the home manager sign off.")
    _ensure_active(placement, today)
    now = clock.now()
    if role == "rotator":
        if placement.reflected_at:
            raise RotationError("Your reflection is already recorded.")
        if rating not in range(1, 6):
            raise RotationError("Rate the rotation from 1 to 5.", "rating")
        placement.reflection, placement.rating, placement.reflected_at = text, rating, now
    elif role == "host":
        if placement.host_feedback_at:
            raise RotationError("The host's feedback is already recorded.")
        placement.host_feedback, placement.host_feedback_at = text, now
    else:
        if placement.home_confirmed_at:
            raise RotationError("The home manager has already confirmed.")
        placement.home_confirmed_at = now
    db.session.flush()
    return _complete_if_signed(placement)


def _complete_if_signed(placement: Placement) -> bool:
    if not (placement.reflected_at and placement.host_feedback_at and placement.home_confirmed_at):
        return False
    placement.status, placement.completed_at = "completed", clock.now()
    db.session.flush()
    rotator = placement.application.applicant
    signals.rotation_completed.send(
        "rotation", placement_id=placement.id, person=rotator,
        home_function_id=rotator.function_id, host_function_id=placement.opening.function_id,
        completed_at=placement.completed_at, occurred_at=placement.completed_at,
    )
    return True

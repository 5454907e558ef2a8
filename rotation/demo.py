"""Demo rotations: a Finance and Operations exchange with two past cohorts (completed) and one open cohort."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from rotation import services
from rotation.models import Application, Cohort, Placement
from rotation.services import event_time
from webapp.auth.models import AuditEntry
from webapp.extensions import db
from webapp.people.demo import DEMO_ANCHOR, demo_login
from webapp.people.models import Function, Team, User
from webapp.roles import Role

SEED = 4
PAST = [
    ("Autumn 2025", date(2025, 6, 2), date(2025, 8, 4)),
    ("Spring 2026", date(2025, 12, 1), date(2026, 2, 2)),
]
OPEN = ("Spring 2027", DEMO_ANCHOR - timedelta(days=17), date(2027, 2, 1))
OPENINGS = {
    "Finance": [("Month-end close with FP&A", "Join the close and the forecast review."),
                ("Treasury cash forecasting", "Build the weekly cash view with the treasury team.")],
    "Operations": [("Warehouse flow improvement", "Map one warehouse flow and cost it."),
                   ("Supplier quality reviews", "Run supplier scorecards with the quality team.")],
}
REFLECTIONS = [
    "I finally understand why the forecast needs our numbers by day three.",
    "Seeing a stock-out from the floor changed how I read the variance report.",
    "The other team is not slow; it is careful for reasons I never saw.",
]


def seed_rotations() -> str:
    """Create the program, its cohorts and openings, applications, matches and completed placements."""
    rng = random.Random(SEED)
    functions = {f.name: f for f in db.session.scalars(select(Function).where(Function.name.in_(OPENINGS)))}
    hr = db.session.scalars(
        select(User).where(User.role_grants.any(role=Role.HR.value)).order_by(User.id).limit(1)
    ).one()
    program = services.save_program(hr, None, services.ProgramData(
        name="Finance and Operations exchange", purpose="Twelve weeks in the other function, to see the work "
        "behind the numbers (or the numbers behind the work).", host_function_ids=[f.id for f in functions.values()],
        eligible_function_ids=[f.id for f in functions.values()], duration_weeks=12, time_share_percent=100,
        min_tenure_months=6))
    _dated(program, event_time(PAST[0][1] - timedelta(days=30)))
    completed = 0
    for name, opens_on, starts_on in PAST:
        cohort = _cohort(hr, program, name, opens_on, starts_on)
        _post_openings(cohort, functions)
        _apply_and_approve(rng, cohort, functions, approve_all=True)
        services.run_match(hr, cohort, cohort.matching_on)
        for placement in services.publish_match(hr, cohort, cohort.matching_on, confirmed=True):
            completed += _complete(rng, placement, cohort)
    cohort = _cohort(hr, program, *OPEN)
    _post_openings(cohort, functions)
    _apply_and_approve(rng, cohort, functions, approve_all=False)
    _waiting_for_demo_manager(cohort)
    return f"1 program, {len(PAST) + 1} cohorts, {completed} completed rotations"


def _cohort(hr: User, program, name: str, opens_on: date, starts_on: date) -> Cohort:
    """A cohort, created (with its audit entry) two weeks before its window opens."""
    cohort = services.save_cohort(hr, program, None, services.CohortData(
        name=name, applications_open_on=opens_on, applications_close_on=starts_on - timedelta(days=21),
        matching_on=starts_on - timedelta(days=14), starts_on=starts_on, ends_on=starts_on + timedelta(weeks=12)))
    return _dated(cohort, event_time(opens_on - timedelta(days=14)))


def _dated(row, moment: datetime):
    """Date a created row, and its audit entries, by when the demo's history says it was created."""
    row.created_at = moment
    db.session.execute(update(AuditEntry).where(AuditEntry.object_type == type(row).__name__,
                                                AuditEntry.object_id == str(row.id)).values(created_at=moment))
    return row


def _post_openings(cohort: Cohort, functions: dict[str, Function]) -> None:
    for function_name, openings in OPENINGS.items():
        managers = db.session.scalars(select(User).join(Team, Team.manager_id == User.id)
                                      .where(Team.function_id == functions[function_name].id).order_by(Team.name)).all()
        for manager, (title, activities) in zip(managers, openings, strict=False):
            opening = services.save_opening(manager, cohort, None, services.OpeningData(
                title=title, activities=activities, learning=f"How {function_name} decides, and why.",
                skills="Curiosity; spreadsheets", capacity=2, mentor_id=manager.id, time_share_percent=100))
            opening.created_at = cohort.created_at


def _apply_and_approve(rng: random.Random, cohort: Cohort, functions: dict[str, Function], approve_all: bool) -> None:
    """A few eligible people of each function apply over the window's first days; their managers decide
    (within the release cap) two days later."""
    staff = db.session.scalars(select(User).where(User.function_id.in_([f.id for f in functions.values()]),
                                                  User.team_id.is_not(None), ~User.email.startswith("employee@"))
                               .order_by(User.id)).all()
    applicants = [p for p in staff if Role.MANAGER not in p.roles]
    for n, person in enumerate(rng.sample(applicants, 7)):
        day = cohort.applications_open_on + timedelta(days=1 + n)
        decided_on = day + timedelta(days=2)
        choices = [o.id for o in cohort.openings if o.function_id != person.function_id]
        rng.shuffle(choices)
        try:
            application = services.submit_application(person, cohort, choices, "I want to see the other side.",
                                                      "Learn how the other function plans its month.", day)
        except services.RotationError:
            continue
        if approve_all or rng.random() < 0.4:
            try:
                services.decide_application(application.home_manager, application, True, "Go for it.", decided_on)
            except services.RotationError:
                services.decide_application(application.home_manager, application, False,
                                            "The team is stretched this quarter.", decided_on)


def _waiting_for_demo_manager(cohort: Cohort) -> None:
    """One of the demo manager's people applies, so the manager login has a decision waiting."""
    manager = demo_login("manager")
    applied = {
        a.applicant_id for a in db.session.scalars(select(Application).where(Application.cohort_id == cohort.id))
    }
    person = next(p for p in db.session.scalars(select(User).where(User.manager_id == manager.id).order_by(User.id))
                  if p.id not in applied)
    choices = [o.id for o in cohort.openings if o.function_id != person.function_id]
    services.submit_application(person, cohort, choices[:3], "I want to see how finance plans the month.",
                                "Read a forecast; explain our costs in its terms.", cohort.applications_open_on)


def _complete(rng: random.Random, placement: Placement, cohort: Cohort) -> int:
    """Accept the offer, check in at mid-point and sign off (one in five stays without its host feedback)."""
    rotator = placement.application.applicant
    services.respond_to_offer(rotator, placement, True, cohort.matching_on)
    services.record_check_in(rotator, placement, "On track with both goals.", "How much is done by hand.",
                             cohort.midpoint)
    services.record_check_in(placement.opening.mentor, placement, "Asks good questions.",
                             "How quickly they spotted a cost issue.", cohort.midpoint)
    services.sign_off(rotator, placement, cohort.ends_on, rng.choice(REFLECTIONS), rng.choice([3, 4, 4, 5, 5]))
    services.sign_off(placement.application.home_manager, placement, cohort.ends_on)
    if rng.random() < 0.2:
        return 0
    return int(services.sign_off(placement.opening.mentor, placement, cohort.ends_on,
                                 "A thoughtful rotator; welcome back any time."))

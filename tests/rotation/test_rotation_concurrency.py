"""On PostgreSQL, concurrent rotation writes: real threads released together, exactly one outcome each."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from rotation import services
from rotation.models import Application, Placement
from tests.races import in_own_session, run_together
from tests.rotation.rotation_factories import make_application, make_cohort, make_opening, make_org, make_program
from tests.timeline import TODAY
from webapp import signals
from webapp.auth.models import AuditEntry
from webapp.extensions import db as _db
from webapp.people.models import User


def _race(app, writes: list[Callable[[], object]]) -> list[str]:
    """Each write in its own thread, app context and connection, all released at once; their outcomes."""
    return run_together(len(writes), lambda i: in_own_session(app, writes[i]))


def _get(model, row_id: int):
    return _db.session.get(model, row_id)


@pytest.mark.postgres_only
def test_the_last_two_sign_offs_together_complete_the_placement_once(app, db):
    org = make_org()
    cohort = make_cohort(make_program(org))
    opening = make_opening(cohort, org.ops_manager, mentor=org.ops_manager)
    rotator = org.finance_person()
    make_application(rotator, cohort, [opening], approve=True)
    services.run_match(org.hr, cohort, cohort.matching_on)
    placement = services.publish_match(org.hr, cohort, cohort.matching_on, confirmed=True)[0]
    services.respond_to_offer(rotator, placement, True, cohort.matching_on)
    services.sign_off(rotator, placement, cohort.ends_on, "I learnt a lot.", 5)
    ends_on = cohort.ends_on
    db.session.commit()
    placement_id, host_id, home_id = placement.id, org.ops_manager.id, org.finance_manager.id
    completions: list[int] = []

    def completed(sender, placement_id: int, **kwargs) -> None:
        completions.append(placement_id)

    signals.rotation_completed.connect(completed)
    try:
        outcomes = _race(app, [
            lambda: services.sign_off(_get(User, host_id), _get(Placement, placement_id), ends_on, "Great."),
            lambda: services.sign_off(_get(User, home_id), _get(Placement, placement_id), ends_on),
        ])
    finally:
        signals.rotation_completed.disconnect(completed)
    assert outcomes == ["ok", "ok"]
    assert completions == [placement_id]
    db.session.expire_all()
    done = db.session.get(Placement, placement_id)
    assert done.status == "completed" and done.completed_at is not None
    assert done.host_feedback_at and done.home_confirmed_at and done.reflected_at


@pytest.mark.postgres_only
def test_concurrent_approvals_never_exceed_the_team_release_cap(app, db):
    org = make_org()
    cohort = make_cohort(make_program(org, release_cap_percent=50))  # FP&A: manager and 3 people, cap 2
    opening = make_opening(cohort, org.ops_manager)
    applications = [make_application(org.finance_person(), cohort, [opening]).id for _ in range(3)]
    db.session.commit()
    manager_id = org.finance_manager.id

    def approve(application_id: int) -> Callable[[], object]:
        return lambda: services.decide_application(_get(User, manager_id), _get(Application, application_id),
                                                   True, "", TODAY)

    outcomes = _race(app, [approve(a) for a in applications])
    assert outcomes.count("ok") == 2
    [refusal] = [o for o in outcomes if o != "ok"]
    assert refusal.startswith("RotationError: Your team may release at most 2 of its 4 people at once")
    db.session.expire_all()
    statuses = db.session.scalars(select(Application.status).where(Application.id.in_(applications))).all()
    assert sorted(statuses) == ["approved", "approved", "submitted"]


@pytest.mark.postgres_only
def test_approve_and_decline_at_once_record_exactly_one_decision(app, db):
    org = make_org()
    cohort = make_cohort(make_program(org))
    application_id = make_application(org.finance_person(), cohort, [make_opening(cohort, org.ops_manager)]).id
    db.session.commit()
    manager_id = org.finance_manager.id

    def decide(approve: bool) -> Callable[[], object]:
        return lambda: services.decide_application(_get(User, manager_id), _get(Application, application_id),
                                                   approve, "" if approve else "Not this quarter.", TODAY)

    outcomes = _race(app, [decide(True), decide(False)])
    assert outcomes.count("ok") == 1
    [refusal] = [o for o in outcomes if o != "ok"]
    assert refusal.startswith("RotationRecorded: This application was already ")
    db.session.expire_all()
    status = db.session.get(Application, application_id).status
    assert status in ("approved", "declined")
    entries = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "Application", AuditEntry.object_id == str(application_id))).all()
    assert entries == [f"rotation.application.{status}"]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action.like("rotation.application.%"))) == 1

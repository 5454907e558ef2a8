"""Rotation in the shell: notifications for approvals and offers, and the scorecard figures."""
from __future__ import annotations

from datetime import timedelta

import pytest

from rotation import services
from rotation.scorecard import rotation_figures
from tests.conftest import sign_in
from tests.rotation.rotation_factories import make_application, make_cohort, make_opening, make_program
from webapp import clock
from webapp.notifications.models import Notification
from webapp.periods import Quarter


@pytest.fixture
def cohort(org):
    return make_cohort(make_program(org), opens_on=clock.today() - timedelta(days=2))


def notes_for(db, user) -> list[Notification]:
    return db.session.query(Notification).filter_by(user_id=user.id).all()


def test_applying_asks_the_home_manager_and_publishing_offers_the_seat(app, db, client, org, cohort):
    seat = make_opening(cohort, org.ops_manager, title="Alpha")
    applicant = org.finance_person(name="Ann Applicant")
    sign_in(client, applicant)
    response = client.post(f"/rotation/cohorts/{cohort.id}/apply", data={
        "order": [seat.id], "chosen": [seat.id], "statement": "I want to see operations.", "learning_goals": "Flow."})
    assert response.status_code == 303
    [approval] = notes_for(db, org.finance_manager)
    assert approval.kind == "approval" and "Ann Applicant applied" in approval.message
    assert approval.url.startswith("/rotation/applications/")
    application = db.session.scalar(db.select(services.Application))
    services.decide_application(org.finance_manager, application, True, "Enjoy the docks.", clock.today())
    sign_in(client, org.hr)
    client.post(f"/rotation/cohorts/{cohort.id}/match/close", data={"confirm": "yes"})
    client.post(f"/rotation/cohorts/{cohort.id}/match/run")
    client.post(f"/rotation/cohorts/{cohort.id}/match/publish", data={"confirm": "yes"})
    decision, offer = sorted(notes_for(db, applicant), key=lambda n: n.id)
    assert decision.message == ("Fiona Finance approved your application to Spring. Their comment: Enjoy the docks.")
    assert decision.url == f"/rotation/applications/{application.id}"
    assert offer.kind == "offer" and "Alpha" in offer.message and offer.url.startswith("/rotation/placements/")


def test_a_declined_applicant_hears_why(db, org, cohort):
    seat = make_opening(cohort, org.ops_manager, title="Alpha")
    application = services.submit_application(org.finance_person(), cohort, [seat.id], "s", "g", clock.today())
    services.decide_application(org.finance_manager, application, False, "The team is stretched.", clock.today())
    [decision] = notes_for(db, application.applicant)
    assert decision.message == ("Fiona Finance declined your application to Spring. "
                                "Their comment: The team is stretched.")


def test_scorecard_counts_rotations_between_the_pair_in_either_direction(app, db, org):
    program = make_program(org)
    cohort = make_cohort(program, opens_on=clock.today() - timedelta(days=60))
    finance_seat = make_opening(cohort, org.finance_manager, title="Into finance")
    ops_seat = make_opening(cohort, org.ops_manager, title="Into ops")
    for person, seat in ((org.finance_person(), ops_seat), (org.ops_person(), finance_seat)):
        application = make_application(person, cohort, [seat], approve=True, today=cohort.applications_open_on)
        db.session.add(services.Placement(application_id=application.id, opening_id=seat.id, status="accepted",
                                          respond_by=cohort.matching_on))
    db.session.flush()
    with app.test_request_context():
        running, completed = rotation_figures(Quarter.containing(cohort.starts_on), (org.finance.id, org.operations.id))
        assert running.value == 2 and completed.value == 0
        before = rotation_figures(Quarter.containing(cohort.starts_on).previous().previous(),
                                  (org.operations.id, org.finance.id))
        assert before[0].value == 0

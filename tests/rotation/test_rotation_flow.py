"""Match runs, offers, next runs, placements, check-ins, sign-offs, the completion event, calendars, health."""
from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from rotation import calendar, services
from rotation.models import DraftMatch
from rotation.queries import draft_assignment, match_instance, program_health
from rotation.services import RotationError
from tests.rotation.rotation_factories import (
    TODAY,
    make_application,
    make_cohort,
    make_opening,
    make_program,
    publish,
    run_match,
)
from webapp import signals
from webapp.auth.models import AuditEntry


@pytest.fixture
def cohort(org):
    return make_cohort(make_program(org, offer_days=5))


def _approved(org, cohort, openings, count):
    return [make_application(org.finance_person(), cohort, openings, approve=True) for _ in range(count)]


def test_run_keeps_a_draft_and_publish_sends_offers_with_a_deadline(db, org, cohort):
    seat = make_opening(cohort, org.ops_manager, title="Warehouse")
    first, second = _approved(org, cohort, [seat], 2)
    result = run_match(org, cohort)
    assert result == {first.id: seat.id}
    assert draft_assignment(cohort) == {first.id: seat.id, second.id: None}
    placements = publish(org, cohort)
    assert [(p.application_id, p.status, p.round, p.respond_by) for p in placements] == [
        (first.id, "offered", 1, cohort.matching_on + timedelta(days=5))]
    assert db.session.scalars(db.select(DraftMatch)).all() == []
    actions = db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.action.like("rotation.match.%"))).all()
    assert sorted(actions) == ["rotation.match.publish", "rotation.match.run"]
    with pytest.raises(RotationError, match="Run the match first"):
        publish(org, cohort)


def test_run_needs_waiting_applicants(org, cohort):
    with pytest.raises(RotationError, match="No approved applicants"):
        run_match(org, cohort)


def test_declined_seat_goes_to_the_next_run_over_the_remaining_applicants(org, cohort):
    seat = make_opening(cohort, org.ops_manager)
    first, second = _approved(org, cohort, [seat], 2)
    run_match(org, cohort)
    [offer] = publish(org, cohort)
    services.respond_to_offer(first.applicant, offer, False, TODAY)
    assert offer.status == "declined"
    assert match_instance(cohort).applicant_prefs == {second.id: [seat.id]}
    assert run_match(org, cohort) == {second.id: seat.id}
    [next_offer] = publish(org, cohort)
    assert next_offer.round == 2


def test_unanswered_offers_expire_and_free_their_seat(org, cohort):
    seat = make_opening(cohort, org.ops_manager)
    first, second = _approved(org, cohort, [seat], 2)
    run_match(org, cohort)
    [offer] = publish(org, cohort)
    late = offer.respond_by + timedelta(days=1)
    with pytest.raises(RotationError, match="offer is expired"):
        services.respond_to_offer(first.applicant, offer, True, late)
    assert offer.status == "expired"
    assert run_match(org, cohort, late) == {second.id: seat.id}


def test_only_the_offered_person_answers_and_only_once(org, cohort):
    seat = make_opening(cohort, org.ops_manager)
    [application] = _approved(org, cohort, [seat], 1)
    run_match(org, cohort)
    [offer] = publish(org, cohort)
    with pytest.raises(RotationError, match="Only the person offered"):
        services.respond_to_offer(org.ops_manager, offer, True, TODAY)
    services.respond_to_offer(application.applicant, offer, True, TODAY)
    with pytest.raises(RotationError, match="offer is accepted"):
        services.respond_to_offer(application.applicant, offer, False, TODAY)


def test_adjusting_respects_capacity_and_own_function(org, cohort):
    seat = make_opening(cohort, org.ops_manager)
    own = make_opening(cohort, org.finance_manager)
    first, second = _approved(org, cohort, [seat], 2)
    run_match(org, cohort)
    with pytest.raises(RotationError, match="no free seat"):
        services.adjust_match(org.hr, cohort, second.id, seat.id)
    with pytest.raises(RotationError, match="own function"):
        services.adjust_match(org.hr, cohort, second.id, own.id)
    with pytest.raises(RotationError, match="not in this draft"):
        services.adjust_match(org.hr, cohort, 12345, seat.id)
    services.adjust_match(org.hr, cohort, first.id, None)
    services.adjust_match(org.hr, cohort, second.id, seat.id)
    assert draft_assignment(cohort) == {first.id: None, second.id: seat.id}


def _activate(org, cohort, capacity=1):
    seat = make_opening(cohort, org.ops_manager, capacity=capacity)
    [application] = _approved(org, cohort, [seat], 1)
    run_match(org, cohort)
    [placement] = publish(org, cohort)
    services.respond_to_offer(application.applicant, placement, True, TODAY)
    return placement, application.applicant


def test_placement_is_active_from_the_cohort_start(org, cohort):
    placement, _ = _activate(org, cohort)
    assert placement.state(cohort.starts_on - timedelta(days=1)) == "accepted"
    assert placement.state(cohort.starts_on) == "active"


def test_mid_point_check_ins_by_rotator_and_host_once_each_while_active(org, cohort):
    placement, rotator = _activate(org, cohort)
    with pytest.raises(RotationError, match="placement is accepted"):
        services.record_check_in(rotator, placement, "p", "s", TODAY)
    services.record_check_in(rotator, placement, "Half the goals.", "Their spreadsheets.", cohort.midpoint)
    services.record_check_in(org.ops_manager, placement, "Good.", "Fast learner.", cohort.midpoint)
    with pytest.raises(RotationError, match="already recorded"):
        services.record_check_in(rotator, placement, "again", "again", cohort.midpoint)
    with pytest.raises(RotationError, match="Only the rotator and the host"):
        services.record_check_in(org.finance_manager, placement, "p", "s", cohort.midpoint)
    assert sorted(c.author for c in placement.check_ins) == ["host", "rotator"]


def test_three_sign_offs_complete_the_rotation_and_announce_it_once(org, cohort):
    placement, rotator = _activate(org, cohort)
    received = []

    def listen(sender, **kwargs):
        received.append((sender, kwargs))

    day = cohort.ends_on
    with signals.rotation_completed.connected_to(listen):
        with pytest.raises(RotationError, match="from 1 to 5"):
            services.sign_off(rotator, placement, day, "Great", 6)
        assert services.sign_off(rotator, placement, day, "I learned a lot.", 5) is False
        assert services.sign_off(org.finance_manager, placement, day) is False
        with pytest.raises(RotationError, match="already confirmed"):
            services.sign_off(org.finance_manager, placement, day)
        assert received == []
        assert services.sign_off(org.ops_manager, placement, day, "Welcome back any time.") is True
    assert placement.status == "completed" and placement.rating == 5
    assert received == [("rotation", {
        "placement_id": placement.id, "person": rotator, "home_function_id": org.finance.id,
        "host_function_id": org.operations.id, "completed_at": placement.completed_at,
        "occurred_at": placement.completed_at,
    })]
    assert placement.completed_at.tzinfo is not None
    with pytest.raises(RotationError, match="placement is completed"):
        services.sign_off(rotator, placement, day, "again", 4)


def test_outsiders_cannot_sign_off_and_withdrawn_placements_free_the_seat(org, cohort):
    placement, _ = _activate(org, cohort)
    with pytest.raises(RotationError, match="Only the rotator, the host and the home manager"):
        services.sign_off(org.hr, placement, cohort.ends_on)
    services.withdraw_placement(org.hr, placement)
    assert placement.status == "withdrawn"
    with pytest.raises(RotationError, match="cannot be withdrawn"):
        services.withdraw_placement(org.hr, placement)
    assert match_instance(cohort).capacities[placement.opening_id] == 1


def test_cohort_and_placement_calendars(org, cohort):
    placement, _ = _activate(org, cohort)
    cohort_events = Calendar.from_ical(calendar.cohort_calendar(cohort, "example.test")).walk("VEVENT")
    assert [(str(e["summary"]).split(":")[0], e.decoded("dtstart"), e.decoded("dtend")) for e in cohort_events] == [
        ("Applications open", cohort.applications_open_on, cohort.applications_close_on + timedelta(days=1)),
        ("Matching", cohort.matching_on, cohort.matching_on + timedelta(days=1)),
        ("Rotation period", cohort.starts_on, cohort.ends_on + timedelta(days=1)),
    ]
    events = Calendar.from_ical(calendar.placement_calendar(placement, "example.test")).walk("VEVENT")
    assert [e.decoded("dtstart") for e in events] == [cohort.starts_on, cohort.midpoint]
    assert "host mentor Otto Operations" in str(events[0]["description"])


def test_program_health_counts_rates_ratings_pairs_and_alumni(org, cohort):
    placement, rotator = _activate(org, cohort)
    seat = make_opening(cohort, org.ops_manager)
    declined = make_application(org.finance_person(), cohort, [seat])
    services.decide_application(org.finance_manager, declined, False, "Not now.", TODAY)
    make_application(org.finance_person(), cohort, [seat])  # undecided
    for signer, args in ((rotator, ("Good", 4)), (org.finance_manager, ()), (org.ops_manager, ("Fine",))):
        services.sign_off(signer, placement, cohort.ends_on, *args)
    health = program_health(cohort.program)
    assert {k: health[k] for k in ("applications", "approved", "approval_rate", "matched", "match_rate",
                                   "completed", "average_rating")} == {
        "applications": 3, "approved": 1, "approval_rate": 50.0, "matched": 1, "match_rate": 100.0,
        "completed": 1, "average_rating": 4.0}
    assert health["pairs"] == [("Finance", "Operations", 1)]
    assert health["alumni"] == [rotator]
    assert dict(health["rating_counts"])[4] == 1


def test_placements_hold_seats_in_later_runs(org, cohort):
    placement, _ = _activate(org, cohort, capacity=2)
    assert match_instance(cohort).capacities[placement.opening_id] == 1

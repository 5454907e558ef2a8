"""Issue 11, rotations: dates that mean something, rotations that end, a truthful draft, a publish that re-checks
the world, second chances, partial host rankings, and the policy settings."""
from __future__ import annotations

from datetime import timedelta

import pytest

from rotation import services
from rotation.models import Application, DraftMatch, Placement
from rotation.queries import count_released, draft_assignment, match_instance, unranked_counts
from rotation.services import RotationError
from tests.rotation.rotation_factories import (
    TODAY,
    close_early,
    make_application,
    make_opening,
    publish,
    run_match,
)
from webapp.auth.models import AuditEntry
from webapp.notifications.models import Notification


def _set_policy(**values) -> None:
    policy = services.get_policy()
    for name, value in values.items():
        setattr(policy, name, value)


def _placed(org, cohort, capacity=1):
    seat = make_opening(cohort, org.ops_manager, capacity=capacity)
    application = make_application(org.finance_person(), cohort, [seat], approve=True)
    run_match(org, cohort)
    [placement] = publish(org, cohort)
    services.respond_to_offer(application.applicant, placement, True, cohort.matching_on)
    return placement


# --- dates mean something -------------------------------------------------------------------

def test_decisions_are_taken_inside_the_window_and_its_grace_days(org, cohort):
    seat = make_opening(cohort, org.ops_manager)
    late, in_grace = (make_application(org.finance_person(), cohort, [seat]) for _ in range(2))
    _set_policy(decision_grace_days=2)
    with pytest.raises(RotationError, match="Decisions on applications to Spring closed on"):
        services.decide_application(org.finance_manager, late, True, "", cohort.applications_close_on + timedelta(3))
    services.decide_application(org.finance_manager, in_grace, True, "", cohort.applications_close_on + timedelta(2))
    assert (late.status, in_grace.status) == ("submitted", "approved")


def test_the_match_runs_only_after_applications_close_or_hr_closes_them_early(db, org, cohort):
    seat = make_opening(cohort, org.ops_manager)
    make_application(org.finance_person(), cohort, [seat], approve=True)
    with pytest.raises(RotationError, match="the match runs after they close"):
        services.run_match(org.hr, cohort, TODAY)
    with pytest.raises(RotationError, match="Tick the box to confirm"):
        services.close_applications(org.hr, cohort, TODAY, confirmed=False)
    close_early(org, cohort)
    assert not cohort.window_is_open(TODAY)
    with pytest.raises(RotationError, match="the window is closed"):
        make_application(org.finance_person(), cohort, [seat])
    assert services.run_match(org.hr, cohort, TODAY)
    assert "rotation.cohort.close_early" in db.session.scalars(db.select(AuditEntry.action)).all()


def test_publishing_asks_for_confirmation(org, cohort):
    seat = make_opening(cohort, org.ops_manager)
    make_application(org.finance_person(), cohort, [seat], approve=True)
    run_match(org, cohort)
    with pytest.raises(RotationError, match="Tick the box to confirm: publishing sends the offers"):
        services.publish_match(org.hr, cohort, cohort.matching_on)
    assert len(publish(org, cohort)) == 1


# --- a rotation ends ------------------------------------------------------------------------

def test_sign_offs_open_near_the_planned_end(org, cohort):
    placement = _placed(org, cohort)
    rotator = placement.application.applicant
    with pytest.raises(RotationError, match="Sign-offs open on"):
        services.sign_off(rotator, placement, cohort.starts_on + timedelta(days=3), "Done already?", 5)
    opens_on = cohort.ends_on - timedelta(days=services.get_policy().sign_off_opens_days)
    assert services.sign_off(rotator, placement, opens_on, "Learned a lot.", 5) is False
    _set_policy(sign_off_opens_days=0)
    with pytest.raises(RotationError, match="Sign-offs open on"):
        services.sign_off(org.finance_manager, placement, opens_on)


def test_ended_placements_show_as_ended_take_sign_offs_and_their_parties_are_nudged(db, org, cohort):
    placement = _placed(org, cohort)
    after = cohort.ends_on + timedelta(days=1)
    assert placement.state(cohort.ends_on) == "active" and placement.state(after) == "ended"
    services.sign_off(placement.application.applicant, placement, after, "Late, but here.", 4)
    assert services.nudge_pending_sign_offs(after) == 2  # the host mentor and the home manager
    assert services.nudge_pending_sign_offs(after + timedelta(days=1)) == 0  # not every day
    notes = db.session.scalars(db.select(Notification).where(Notification.message.like("%sign-off is still needed%")))
    assert sorted(n.user_id for n in notes) == sorted([org.ops_manager.id, org.finance_manager.id])
    every = services.get_policy().nudge_every_days
    assert services.nudge_pending_sign_offs(after + timedelta(days=every)) == 2


# --- the draft tells the truth --------------------------------------------------------------

def test_a_move_off_the_applicants_list_or_the_hosts_ranking_needs_a_reason(db, org, cohort):
    chosen, other = make_opening(cohort, org.ops_manager, title="Chosen"), make_opening(cohort, org.ops_manager,
                                                                                         title="Other")
    application = make_application(org.finance_person(name="Ann"), cohort, [chosen], approve=True)
    run_match(org, cohort)
    with pytest.raises(RotationError, match="Other is not on Ann's list; to move them anyway, give a reason"):
        services.adjust_match(org.hr, cohort, application.id, other.id)
    services.rank_applicants(org.ops_manager, chosen, [])  # the host ranks nobody: Ann is not acceptable
    with pytest.raises(RotationError, match="Chosen's host did not rank Ann"):
        services.adjust_match(org.hr, cohort, application.id, chosen.id)
    services.adjust_match(org.hr, cohort, application.id, other.id, "Ann asked for it by e-mail.")
    draft = db.session.get(DraftMatch, application.id)
    assert (draft.opening_id, draft.override_reason) == (other.id, "Ann asked for it by e-mail.")
    audit = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "rotation.match.adjust")).one()
    assert audit.after["override_reason"] == "Ann asked for it by e-mail."


def test_an_unstable_draft_is_published_only_when_confirmed_naming_the_blocking_pairs(org, cohort):
    seat = make_opening(cohort, org.ops_manager, title="Docks")
    ann = make_application(org.finance_person(name="Ann"), cohort, [seat], approve=True)
    run_match(org, cohort)
    services.adjust_match(org.hr, cohort, ann.id, None)
    with pytest.raises(RotationError, match="This draft is not stable: Ann and Docks"):
        publish(org, cohort)
    assert services.publish_match(org.hr, cohort, cohort.matching_on, confirmed=True, unstable_confirmed=True) == []


# --- publish re-checks the world ------------------------------------------------------------

def test_publish_refuses_a_draft_whose_opening_lost_seats(org, cohort):
    seat = make_opening(cohort, org.ops_manager, capacity=2, title="Docks")
    for _ in range(2):
        make_application(org.finance_person(), cohort, [seat], approve=True)
    run_match(org, cohort)
    seat.capacity = 1
    with pytest.raises(RotationError, match="Docks now has 1 seat and the draft fills 2"):
        publish(org, cohort)


def test_publish_refuses_a_draft_that_matches_someone_who_left(org, cohort):
    seat = make_opening(cohort, org.ops_manager)
    application = make_application(org.finance_person(name="Leo Leaver"), cohort, [seat], approve=True)
    run_match(org, cohort)
    application.applicant.active = False
    with pytest.raises(RotationError, match="Since the draft, Leo Leaver left or withdrew"):
        publish(org, cohort)
    assert match_instance(cohort).applicant_prefs == {}  # the next run leaves them out


# --- a second chance ------------------------------------------------------------------------

@pytest.mark.parametrize("ending", ["declined", "expired", "withdrawn"])
def test_an_applicant_whose_offer_ended_is_matched_again_to_their_other_choices(org, cohort, ending):
    first, second = make_opening(cohort, org.ops_manager, title="First"), make_opening(cohort, org.ops_manager)
    application = make_application(org.finance_person(), cohort, [first, second], approve=True)
    run_match(org, cohort)
    [offer] = publish(org, cohort)
    assert offer.opening_id == first.id
    if ending == "declined":
        services.respond_to_offer(application.applicant, offer, False, cohort.matching_on)
    elif ending == "withdrawn":
        services.withdraw_placement(org.hr, offer)
    later = offer.respond_by + timedelta(days=1)
    assert run_match(org, cohort, later) == {application.id: second.id}
    [again] = publish(org, cohort, later)
    assert (again.application_id, again.opening_id, again.round) == (application.id, second.id, 2)


def test_an_applicant_withdraws_and_leaves_the_next_run(db, org, cohort):
    seat = make_opening(cohort, org.ops_manager)
    application = make_application(org.finance_person(), cohort, [seat], approve=True)
    with pytest.raises(RotationError, match="Only the applicant"):
        services.withdraw_application(org.finance_manager, application)
    services.withdraw_application(application.applicant, application)
    assert application.status == "withdrawn" and match_instance(cohort).applicant_prefs == {}
    with pytest.raises(RotationError, match="already withdrawn"):
        services.withdraw_application(application.applicant, application)


def test_an_unmatched_approved_applicant_stops_counting_against_the_cap_once_the_rotation_started(org, cohort):
    seat = make_opening(cohort, org.ops_manager)
    unmatched = make_application(org.finance_person(), cohort, [seat], approve=True)
    asking = make_application(org.finance_person(), cohort, [seat])
    assert count_released(asking, TODAY) == 1
    assert count_released(asking, cohort.starts_on) == 0
    assert unmatched.status == "approved"


# --- hosts rank whom they want --------------------------------------------------------------

def test_a_host_may_leave_applicants_unranked_and_they_are_not_acceptable(org, cohort):
    seat = make_opening(cohort, org.ops_manager)
    wanted, unranked = (make_application(org.finance_person(), cohort, [seat], approve=True) for _ in range(2))
    services.rank_applicants(org.ops_manager, seat, [wanted.id])
    instance = match_instance(cohort)
    assert instance.host_prefs[seat.id] == [wanted.id]
    assert unranked_counts(cohort, instance) == {seat.id: 1}
    with pytest.raises(RotationError, match="The list of applicants changed"):
        services.rank_applicants(org.ops_manager, seat, [wanted.id, 999_999])
    assert run_match(org, cohort) == {wanted.id: seat.id}
    assert draft_assignment(cohort)[unranked.id] is None


# --- settings -------------------------------------------------------------------------------

def test_settings_are_audited_with_before_and_after(db, org):
    admin = org.hr
    services.save_policy(admin, {"decision_grace_days": 5, "sign_off_opens_days": 21, "nudge_every_days": 3,
                                 "match_page_size": 100})
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "rotation.policy")).one()
    assert entry.before["decision_grace_days"] == 3 and entry.after["decision_grace_days"] == 5
    assert services.get_policy().match_page_size == 100


def test_applications_and_placements_models_allow_a_second_offer(db, org, cohort):
    placement = _placed(org, cohort, capacity=2)
    services.withdraw_placement(org.hr, placement)
    db.session.add(Placement(application_id=placement.application_id, opening_id=placement.opening_id,
                             respond_by=cohort.matching_on))
    db.session.flush()
    assert db.session.scalar(db.select(db.func.count()).select_from(Placement).where(
        Placement.application_id == placement.application_id)) == 2
    assert db.session.get(Application, placement.application_id).status == "approved"

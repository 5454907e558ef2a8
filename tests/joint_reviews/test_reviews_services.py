"""The rules of joint reviews, through the services on the real database."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from programs.joint_reviews import services
from programs.joint_reviews.models import Review, ReviewStatus, SignOff
from tests.joint_reviews.reviews_factories import key, open_review, ready_to_sign
from webapp import clock
from webapp.errors import AlreadyRecorded, Refused, RuleError
from webapp.notifications.models import Notification


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_review_needs_participants_from_two_functions(db, org):
    data = services.ReviewData("x", "incident", clock.today(), "", [org.fin_people[1].id], key())
    with pytest.raises(RuleError, match="at least two functions") as error:
        services.open_review(org.fin_people[0], data, clock.today())
    assert error.value.field == "participant_ids"


def test_opening_notifies_the_other_participants_and_a_replay_records_nothing(db, org):
    data = services.ReviewData("x", "incident", clock.today(), "", [org.ops_people[0].id], key())
    services.open_review(org.fin_people[0], data, clock.today())
    db.session.commit()
    with pytest.raises(AlreadyRecorded):
        services.open_review(org.fin_people[0], data, clock.today())
    assert _count(db, Review) == 1
    told = db.session.scalars(select(Notification.user_id)).all()
    assert told == [org.ops_people[0].id]


@pytest.mark.parametrize("days", [-1, 731])
def test_the_day_reviewed_is_in_the_past_and_within_two_years(db, org, days):
    data = services.ReviewData("x", "incident", clock.today() - timedelta(days=days), "", [org.ops_people[0].id])
    with pytest.raises(RuleError) as error:
        services.open_review(org.fin_people[0], data, clock.today())
    assert error.value.field == "happened_on"


def test_each_function_writes_only_its_own_timeline(db, org):
    review = open_review(org)
    entry = services.add_entry(org.ops_people[0], review, clock.now() - timedelta(hours=1), "dispatch", "")
    assert entry.function_id == org.ops.id
    with pytest.raises(Refused):
        services.add_entry(org.outsider, review, clock.now(), "dispatch", "")
    with pytest.raises(Refused, match="only your function"):
        services.delete_entry(org.fin_people[0], entry)


def test_a_timeline_entry_is_not_in_the_future(db, org):
    review = open_review(org)
    with pytest.raises(RuleError) as error:
        services.add_entry(org.fin_people[0], review, clock.now() + timedelta(hours=2), "x", "")
    assert error.value.field == "at"


def test_a_factor_carries_one_of_the_five_tags(db, org):
    review = open_review(org)
    with pytest.raises(RuleError) as error:
        services.add_finding(org.fin_people[0], review, "factor", "people", "x")
    assert error.value.field == "tag"
    went_well = services.add_finding(org.fin_people[0], review, "went_well", "process", "Quick call")
    assert went_well.tag is None


def test_an_action_has_one_owner_among_the_participants_and_a_due_date_ahead(db, org):
    review = open_review(org)
    today = clock.today()
    with pytest.raises(RuleError) as error:
        services.add_action(org.fin_people[0], review, "x", org.outsider.id, today, today)
    assert error.value.field == "owner_id"
    for due in (today - timedelta(days=1), today + timedelta(days=366)):
        with pytest.raises(RuleError) as error:
            services.add_action(org.fin_people[0], review, "x", org.ops_people[0].id, due, today)
        assert error.value.field == "due_on"


def test_sign_off_waits_for_both_timelines_a_factor_and_an_action(db, org):
    review = open_review(org)
    with pytest.raises(RuleError, match="timeline"):
        services.sign_off(org.fin_people[0], review, True, "", clock.now())


def test_one_sign_off_per_function_then_the_review_is_signed_and_resolves_when_actions_are_done(db, org):
    review = ready_to_sign(org, open_review(org))
    services.sign_off(org.fin_people[0], review, True, "Fair.", clock.now())
    with pytest.raises(RuleError, match="already signed"):
        services.sign_off(org.fin_people[0], review, True, "", clock.now())
    services.sign_off(org.ops_people[0], review, True, "", clock.now())
    assert review.status == ReviewStatus.SIGNED.value  # open until its actions are done
    signed_told = db.session.scalars(select(Notification.user_id).where(
        Notification.message.like("Every function signed off%"))).all()
    assert sorted(signed_told) == sorted([org.fin_people[0].id, org.ops_people[0].id])
    with pytest.raises(RuleError, match="no longer changes"):
        services.add_finding(org.fin_people[0], review, "went_well", None, "late addition")
    action = review.actions[0]
    with pytest.raises(Refused):
        services.set_action_done(org.ops_people[0], action, True, clock.now())
    services.set_action_done(org.fin_people[0], action, True, clock.now())
    assert review.status == ReviewStatus.RESOLVED.value and review.resolved_at is not None


def test_an_edit_after_a_partial_sign_off_withdraws_it(db, org):
    review = ready_to_sign(org, open_review(org))
    services.sign_off(org.fin_people[0], review, True, "", clock.now())
    services.add_finding(org.ops_people[0], review, "factor", "data", "The rates were a year old.")
    db.session.commit()
    assert _count(db, SignOff) == 0


def test_not_yet_fair_signs_nothing_and_needs_a_comment(db, org):
    review = ready_to_sign(org, open_review(org))
    with pytest.raises(RuleError) as error:
        services.sign_off(org.fin_people[0], review, False, "", clock.now())
    assert error.value.field == "comment"
    services.sign_off(org.fin_people[0], review, False, "Our side of the dispatch is missing.", clock.now())
    assert _count(db, SignOff) == 0


def test_dismissing_a_saved_nudge_counts_once_per_text_for_the_review(db, org):
    review = open_review(org)
    finding = services.add_finding(org.fin_people[0], review, "factor", "process", "Ops failed to ship.")
    services.dismiss_saved_nudge(org.ops_people[0], finding)
    services.dismiss_saved_nudge(org.fin_people[0], finding)
    assert review.nudges_dismissed == 1
    with pytest.raises(Refused):
        services.dismiss_saved_nudge(org.outsider, finding)

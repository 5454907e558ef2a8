"""The rules of the monthly business review, through its services (real database, no mocks)."""
from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from flask import current_app
from sqlalchemy import func, select

from programs.business_review import queries, services
from programs.business_review.models import (
    ACTION,
    DECISION,
    EXPLANATION,
    NEED,
    OPERATIONAL,
    SIGNED,
    AgendaAlert,
    MonthlyReview,
    ReviewSignoff,
)
from programs.business_review.status import AMBER, GREEN, RED
from programs.trust.services import save_metric_value
from tests.business_review.conftest import month_before
from tests.factories import make_user
from webapp import clock, signals
from webapp.auth.models import AuditEntry
from webapp.errors import AlreadyRecorded, Refused, RuleError
from webapp.forms import new_key
from webapp.metrics import metric_target
from webapp.notifications.models import Notification
from webapp.roles import Role


def _lines(board, review):
    return {line.name: line for line in queries.metric_lines(review.pair, review.month)}


def page_of(review) -> dict:
    """The review page's data, inside a request as the page builds it (scorecard figures link to their pages)."""
    with current_app.test_request_context():
        return queries.review_page(review)


def _write_both_notes(board, review, agrees=True):
    services.save_note(board.ops_planner, review, board.delivery.id, EXPLANATION, "A carrier missed two slots.")
    services.save_note(board.fin_analyst, review, board.delivery.id, NEED, "Tell us a week ahead.", agrees=agrees)


# --- set-up and targets ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("amber", "red"), [(85.0, 90.0), (90.0, 90.0), (math.inf, 80.0), (90.0, math.nan), (None, 80.0), (1e300, 80.0)]
)
def test_thresholds_are_finite_and_red_lies_beyond_amber(board, amber, red):
    with pytest.raises(RuleError):
        services.set_up_metric(board.fin_leader, board.delivery.id, OPERATIONAL, board.ops.id, board.fin.id, amber, red)
    assert queries.setup_of(board.delivery.id).amber_threshold == 90.0  # unchanged


def test_set_up_refuses_unknown_metrics_perspectives_and_one_function_twice(board):
    for args, field in [((10**6, OPERATIONAL, board.ops.id, board.fin.id), "metric_id"),
                        ((board.delivery.id, "blame", board.ops.id, board.fin.id), "perspective"),
                        ((board.delivery.id, OPERATIONAL, board.ops.id, board.ops.id), "partner_function_id"),
                        ((board.delivery.id, OPERATIONAL, 10**6, board.fin.id), "owner_function_id")]:
        with pytest.raises(RuleError) as refused:
            services.set_up_metric(board.fin_leader, *args, 90.0, 85.0)
        assert refused.value.field == field


def test_targets_are_per_period_of_the_metrics_frequency_and_read_through_webapp_metrics(board):
    assert metric_target(board.delivery.id, board.month) == 95.0
    services.set_target(board.fin_leader, board.delivery.id, board.month, 96.0)  # replaces
    assert metric_target(board.delivery.id, board.month) == 96.0
    for period in ("2026-Q4", "2026-13", "1800-01", "", "x" * 7):
        with pytest.raises(RuleError):
            services.set_target(board.fin_leader, board.delivery.id, period, 90.0)
    for value in (math.inf, -math.inf, math.nan, 1e30):
        with pytest.raises(RuleError):
            services.set_target(board.fin_leader, board.delivery.id, board.month, value)
    assert metric_target(board.delivery.id, board.month) == 96.0


def test_status_rules_are_settings_that_change_the_review(board):
    review = board.open()
    assert _lines(board, review)["On-time delivery"].status == AMBER
    services.set_up_metric(board.fin_leader, board.delivery.id, OPERATIONAL, board.ops.id, board.fin.id, 80.0, 70.0)
    assert _lines(board, review)["On-time delivery"].status == AMBER  # 92.6 % of target: behind
    services.save_status_rules(board.hr, 92.0, 80.0)
    assert _lines(board, review)["On-time delivery"].status == GREEN
    with pytest.raises(RuleError):
        services.save_status_rules(board.hr, 80.0, 92.0)


# --- the review of a month ---------------------------------------------------------------------------------

def test_the_review_shows_every_metric_of_the_pair_against_its_target_with_status_and_trend(board):
    review = board.open()
    delivery = _lines(board, review)["On-time delivery"]
    assert (delivery.target, delivery.value, delivery.status, delivery.trend) == (95.0, 88.0, AMBER, "worsening")
    assert delivery.percent_of_target == pytest.approx(88 / 95 * 100)
    assert _lines(board, review)["Cash conversion cycle"].status == GREEN
    page = page_of(review)
    assert page["missing_notes"] == ["On-time delivery"] and page["decisions"] == []
    assert set(page["figures"]) == {"Trust", "Collaboration"}


def test_only_leaders_of_the_pair_open_a_review_of_a_begun_month_once(board):
    with pytest.raises(Refused):
        services.open_review(board.fin_analyst, board.pair, board.month, board.meeting(), new_key())
    with pytest.raises(Refused):
        services.open_review(make_user(Role.LEADER, function=board.outsider.function), board.pair, board.month,
                             board.meeting(), new_key())
    future = (clock.today().replace(day=28) + timedelta(days=10)).strftime("%Y-%m")
    for month, meeting in [(future, board.meeting()), ("2026-13", board.meeting()), ("0001-01", board.meeting()),
                           (board.month, clock.today() - timedelta(days=400)), (board.month, None)]:
        with pytest.raises(RuleError):
            services.open_review(board.fin_leader, board.pair, month, meeting, new_key())
    board.open()
    with pytest.raises(AlreadyRecorded):
        services.open_review(board.ops_leader, (board.ops.id, board.fin.id), board.month, board.meeting(), new_key())


def test_the_owner_explains_and_the_partner_says_what_it_needs_and_disagreement_shows(board):
    review = board.open()
    with pytest.raises(RuleError):  # the explanation is the owner function's (Operations)
        services.save_note(board.fin_analyst, review, board.delivery.id, EXPLANATION, "They were slow.")
    with pytest.raises(RuleError):  # a green metric needs no notes
        services.save_note(board.fin_analyst, review, board.cash.id, EXPLANATION, "Fine.")
    with pytest.raises(Refused):
        services.save_note(board.outsider, review, board.delivery.id, NEED, "Anything.")
    with pytest.raises(RuleError):
        services.save_note(board.ops_planner, review, board.delivery.id, EXPLANATION, "   ")
    _write_both_notes(board, review, agrees=False)
    page = page_of(review)
    assert page["missing_notes"] == [] and page["disagreements"] == {board.delivery.id}
    assert page["notes"][board.delivery.id][NEED] == {"text": "Tell us a week ahead.", "agrees": False,
                                                       "author": "Ann Analyst"}


def test_decisions_and_actions_have_one_owner_of_the_pair_and_actions_a_due_date(board):
    review = board.open()
    with pytest.raises(RuleError):
        services.add_item(board.fin_leader, review, DECISION, "Fund it.", board.outsider.id, None, new_key())
    with pytest.raises(RuleError):
        services.add_item(board.fin_leader, review, ACTION, "Draft it.", board.ops_planner.id, None, new_key())
    with pytest.raises(RuleError):
        services.add_item(board.fin_leader, review, ACTION, "Draft it.", board.ops_planner.id,
                          review.meeting_on + timedelta(days=5000), new_key())
    services.add_item(board.fin_leader, review, DECISION, "Fund a second shift.", board.ops_leader.id, None, "k" * 20)
    services.add_item(board.ops_planner, review, ACTION, "Draft the rota.", board.ops_planner.id,
                      review.meeting_on + timedelta(days=14), new_key())
    page = page_of(review)
    assert [item["text"] for item in page["decisions"]] == ["Fund a second shift."]
    assert [item["owner"] for item in page["actions"]] == ["Paul Planner"]


def test_signing_needs_both_notes_then_both_leaders_and_freezes_the_pack_with_its_hash(board):
    review = board.open()
    with pytest.raises(Refused):
        services.sign_review(board.fin_analyst, review)
    with pytest.raises(RuleError, match="On-time delivery"):
        services.sign_review(board.fin_leader, review)
    _write_both_notes(board, review)
    services.sign_review(board.fin_leader, review)
    assert review.state != SIGNED
    with pytest.raises(AlreadyRecorded):
        services.sign_review(make_user(Role.LEADER, function=board.fin), review)
    services.sign_review(board.ops_leader, review)
    assert review.state == SIGNED and review.signed_at is not None
    assert review.snapshot_sha256 == services.snapshot_hash(review.snapshot) and len(review.snapshot_sha256) == 64
    frozen = {line["name"]: line for line in review.snapshot["metrics"]}
    assert frozen["On-time delivery"]["value"] == 88.0 and frozen["On-time delivery"]["amber_threshold"] == 90.0
    assert review.snapshot["notes"][str(board.delivery.id)][EXPLANATION]["text"] == "A carrier missed two slots."
    with pytest.raises(RuleError):  # a signed review changes only through a reopen
        services.add_item(board.fin_leader, review, DECISION, "Late.", board.fin_leader.id, None, new_key())


def test_a_signed_pack_stays_as_signed_and_restated_values_show_as_differences(board):
    review = board.open()
    _write_both_notes(board, review)
    services.sign_review(board.fin_leader, review)
    services.sign_review(board.ops_leader, review)
    digest = review.snapshot_sha256
    save_metric_value(board.hr, board.delivery, board.month, None, 91.5)  # restated after signing
    services.set_up_metric(board.fin_leader, board.delivery.id, OPERATIONAL, board.ops.id, board.fin.id, 80.0, 70.0)
    page = page_of(review)
    delivery = next(line for line in page["lines"] if line.name == "On-time delivery")
    assert (delivery.value, delivery.amber_threshold, delivery.status) == (88.0, 90.0, AMBER)
    assert [(r.name, r.period, r.signed, r.now) for r in page["restated"]] == [
        ("On-time delivery", board.month, 88.0, 91.5)]
    assert review.snapshot_sha256 == digest == services.snapshot_hash(review.snapshot)


def test_a_reopen_is_audited_with_the_signed_hash_and_needs_a_reason(board):
    review = board.open()
    _write_both_notes(board, review)
    services.sign_review(board.fin_leader, review)
    services.sign_review(board.ops_leader, review)
    digest = review.snapshot_sha256
    with pytest.raises(Refused):
        services.reopen_review(board.ops_planner, review, "Numbers moved.")
    with pytest.raises(RuleError):
        services.reopen_review(board.ops_leader, review, " ")
    services.reopen_review(board.ops_leader, review, "Delivery was restated.")
    assert review.state == "draft" and review.snapshot is None and review.signoffs == []
    entry = db_scalar(select(AuditEntry).where(AuditEntry.action == "business_review.reopen"))
    assert entry.before["snapshot_sha256"] == digest and entry.after["reason"] == "Delivery was restated."
    with pytest.raises(RuleError):
        services.reopen_review(board.ops_leader, review, "Again.")


def db_scalar(query):
    from webapp.extensions import db
    return db.session.scalar(query)


# --- alerts -----------------------------------------------------------------------------------------------

def _crossings() -> tuple[list[dict], Callable[..., None]]:
    calls: list[dict] = []

    def receiver(sender, **kwargs) -> None:
        calls.append({"sender": sender, **kwargs})
    return calls, receiver


def test_a_value_crossing_a_threshold_alerts_both_functions_goes_on_the_next_review_and_is_announced(board):
    calls, receiver = _crossings()
    signals.metric_threshold_crossed.connect(receiver)
    try:
        this_month = clock.today().strftime("%Y-%m")
        save_metric_value(board.hr, board.delivery, this_month, None, 92.0)  # within both thresholds: nothing
        save_metric_value(board.hr, board.delivery, this_month, None, 84.0)  # from green to red, mid-month
        save_metric_value(board.hr, board.delivery, this_month, None, 83.0)  # still red: no second alert
    finally:
        signals.metric_threshold_crossed.disconnect(receiver)
    assert [(c["status"], c["value"], c["threshold"], c["mid_period"], c["owner_function_id"],
             c["partner_function_id"]) for c in calls] == [(RED, 84.0, 85.0, True, board.ops.id, board.fin.id)]
    alert = db_scalar(select(AgendaAlert).where(AgendaAlert.period == this_month))
    assert (alert.status, alert.value, alert.review_month, alert.trend) == (RED, 84.0, this_month, "worsening")
    told = {
        n.user_id for n in db_scalars(select(Notification).where(Notification.message.contains("On-time delivery")))
    }
    assert told == {board.fin_leader.id, board.ops_leader.id}


def test_a_crossing_of_a_month_already_signed_goes_onto_the_next_unsigned_review_and_is_not_mid_period(board):
    review = board.open(month_before(board.month))
    services.sign_review(board.fin_leader, review)
    services.sign_review(board.ops_leader, review)
    calls, receiver = _crossings()
    signals.metric_threshold_crossed.connect(receiver)
    try:
        save_metric_value(board.hr, board.cash, month_before(board.month), None, 61.0)  # amber, restated late
    finally:
        signals.metric_threshold_crossed.disconnect(receiver)
    assert [(c["status"], c["mid_period"]) for c in calls] == [(AMBER, False)]
    assert db_scalar(select(AgendaAlert.review_month).where(AgendaAlert.metric_id == board.cash.id)) == board.month
    assert {a.metric_id for a in queries.agenda_alerts(board.open())} == {board.cash.id, board.delivery.id}


def test_values_of_metrics_not_on_the_scorecard_or_of_another_function_alert_nobody(board):
    from programs.trust.services import save_metric
    rework = save_metric(board.hr, None, "Rework rate", "%", False, "monthly", "function")
    save_metric_value(board.hr, rework, board.month, board.fin.id, 99.0)
    services.set_up_metric(board.fin_leader, rework.id, OPERATIONAL, board.ops.id, board.fin.id, 7.0, 8.0)
    save_metric_value(board.hr, rework, board.month, board.fin.id, 98.0)  # Finance's value: not the owner's
    assert db_scalar(select(func.count()).where(AgendaAlert.metric_id == rework.id)) == 0
    save_metric_value(board.hr, rework, board.month, board.ops.id, 9.0)
    assert db_scalar(select(AgendaAlert.status).where(AgendaAlert.metric_id == rework.id)) == RED


def db_scalars(query):
    from webapp.extensions import db
    return db.session.scalars(query).all()


# --- pre-reads --------------------------------------------------------------------------------------------------

def test_the_draft_goes_out_as_a_pre_read_the_day_before_the_meeting_once(board):
    review = board.open()  # meets in three days
    assert services.send_pre_reads(clock.today()) == 0
    day_before = review.meeting_on - timedelta(days=1)
    with time_machine.travel(clock.now() + timedelta(days=2), tick=False):
        assert clock.today() == day_before
        assert services.send_pre_reads(clock.today()) == 1
        assert services.send_pre_reads(clock.today()) == 0
    told = {n.user_id for n in db_scalars(select(Notification).where(Notification.message.startswith("Pre-read")))}
    assert told == {board.fin_leader.id, board.ops_leader.id, board.fin_analyst.id, board.ops_planner.id}
    assert db_scalar(select(MonthlyReview.pre_read_sent_at)) is not None
    assert db_scalar(select(func.count()).select_from(ReviewSignoff)) == 0

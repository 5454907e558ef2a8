"""The rules of requests, in the services: the template, the answer, deciding together, escalation, look-back."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from programs.resource_requests import services
from programs.resource_requests.models import (
    Condition,
    Decision,
    OptionKind,
    RequestOption,
    RequestStatus,
    ResourceRequest,
)
from tests.resource_requests.requests_factories import (
    answered_request,
    condition_data,
    decided_request,
    option_data,
    request_data,
    sent_request,
)
from webapp import clock
from webapp.auth.models import AuditEntry
from webapp.errors import AlreadyRecorded, Refused, RuleError
from webapp.metrics import MONTHLY, MetricPoint, OutcomeMetric, _sources, register_metric_source
from webapp.notifications.models import Notification


def count(model) -> int:
    from webapp.extensions import db
    return db.session.scalars(select(func.count()).select_from(model)).one()


def notified(user) -> list[str]:
    from webapp.extensions import db
    return list(db.session.scalars(select(Notification.message).where(Notification.user_id == user.id)))


@pytest.mark.parametrize(("field", "value", "message"), [
    ("cost_monthly", "-5", "Amounts cannot be negative."),
    ("cost_monthly", "Infinity", "Enter a finite amount."),
    ("cost_monthly", "NaN", "Enter a finite amount."),
    ("cost_one_off", "1e30", "Enter an amount up to 1,000,000,000."),
    ("currency", "XXX", "Choose a currency from the list."),
    ("driver_value", float("inf"), "Enter a number from 0 to 1,000,000,000."),
    ("deadline", None, "Give the deadline."),
])
def test_the_template_refuses_bad_values_and_writes_nothing(db, pair, field, value, message):
    with pytest.raises(RuleError) as refused:
        services.submit_request(pair.requester, request_data(pair, **{field: value}), None, clock.today())
    assert str(refused.value) == message and refused.value.field == field
    db.session.rollback()
    assert count(ResourceRequest) == 0


@pytest.mark.parametrize("days", [0, -1, 731])
def test_a_deadline_is_after_today_and_within_two_years(db, pair, days):
    with pytest.raises(RuleError, match="deadline must be after today"):
        services.submit_request(pair.requester, request_data(pair, deadline=clock.today() + timedelta(days=days)),
                                None, clock.today())


def test_a_request_goes_to_another_function_and_needs_a_cost(db, pair):
    with pytest.raises(RuleError, match="another function"):
        services.submit_request(pair.requester, request_data(pair, to_function_id=pair.requester.function_id),
                                None, clock.today())
    with pytest.raises(RuleError, match="one-off or the monthly cost"):
        services.submit_request(pair.requester, request_data(pair, cost_monthly="0"), None, clock.today())


def test_a_replayed_template_is_recorded_once(db, pair):
    services.submit_request(pair.requester, request_data(pair), "k" * 24, clock.today())
    with pytest.raises(AlreadyRecorded):
        services.submit_request(pair.requester, request_data(pair), "k" * 24, clock.today())
    assert count(ResourceRequest) == 1


def test_the_reviewers_are_told_and_only_they_answer(db, pair):
    request = sent_request(pair)
    assert notified(pair.reviewer) and notified(pair.fin_leader) and not notified(pair.fin_employee)
    for stranger in (pair.requester, pair.fin_employee, pair.outsider, pair.ops_leader):
        with pytest.raises(Refused):
            services.add_option(stranger, request, option_data(), None, clock.today())
    assert count(RequestOption) == 0


def test_an_answer_has_two_options_one_of_them_a_way_to_yes_and_each_if_as_data(db, pair):
    request, today = sent_request(pair), clock.today()
    no = services.add_option(pair.reviewer, request, option_data(OptionKind.NO.value), None, today)
    with pytest.raises(RuleError, match="at least two options"):
        services.send_answer(pair.reviewer, request, clock.now())
    with pytest.raises(RuleError, match="already has a plain no"):
        services.add_option(pair.reviewer, request, option_data(OptionKind.NO.value), None, today)
    yes = services.add_option(pair.reviewer, request, option_data(), None, today)
    with pytest.raises(RuleError, match="needs its condition"):
        services.send_answer(pair.reviewer, request, clock.now())
    with pytest.raises(RuleError, match="yes-if or alternative"):
        services.add_condition(pair.reviewer, no, condition_data(), None, today)
    with pytest.raises(RuleError, match="Choose a comparison"):
        services.add_condition(pair.reviewer, yes, condition_data(comparison="!="), None, today)
    with pytest.raises(RuleError, match="review date must be after today"):
        services.add_condition(pair.reviewer, yes, condition_data(review_on=today), None, today)
    services.add_condition(pair.reviewer, yes, condition_data(), None, today)
    services.send_answer(pair.reviewer, request, clock.now())
    assert request.status == RequestStatus.ANSWERED and request.answered_version == 1
    assert any("answered" in m for m in notified(pair.requester))


def test_one_alternative_and_a_plain_no_is_an_answer(db, pair):
    request, today = sent_request(pair), clock.today()
    services.add_option(pair.reviewer, request, option_data(OptionKind.ALTERNATIVE.value), None, today)
    services.add_option(pair.reviewer, request, option_data(OptionKind.NO.value), None, today)
    services.send_answer(pair.reviewer, request, clock.now())
    assert request.status == RequestStatus.ANSWERED


def test_a_funded_option_needs_a_date_to_look_again(db, pair):
    with pytest.raises(RuleError, match="Give the date to look again"):
        services.add_option(pair.reviewer, sent_request(pair), option_data(look_again_on=None), None, clock.today())


def test_the_requester_picks_the_reviewer_confirms_and_the_decision_is_recorded(db, pair):
    request = answered_request(pair)
    contractors = next(o for o in request.current_options if o.label == "Contractors")
    with pytest.raises(Refused):
        services.pick_option(pair.reviewer, request, contractors.id, "Mine.")
    with pytest.raises(RuleError, match="no pick waiting"):
        services.confirm_pick(pair.reviewer, request, "", "Yes.", clock.now())
    services.pick_option(pair.requester, request, contractors.id, "Test demand first.")
    with pytest.raises(Refused):
        services.confirm_pick(pair.requester, request, "", "I confirm my own pick.", clock.now())
    decision = services.confirm_pick(pair.reviewer, request, "Fay Finance", "Cheapest way to learn.", clock.now())
    assert request.status == RequestStatus.DECIDED and request.decision == decision
    assert (decision.option_id, decision.picked_by_id, decision.decided_by_id) == (
        contractors.id, pair.requester.id, pair.reviewer.id)
    assert decision.consulted == "Fay Finance" and decision.reasons == "Cheapest way to learn."
    assert (
        "Fund in full (yes_if)" in decision.options_summary and "No: better scheduling (no)" in decision.options_summary
    )
    assert request.lookback_on == contractors.look_again_on
    with pytest.raises(RuleError, match="already decided|no pick waiting"):
        services.confirm_pick(pair.fin_leader, request, "", "Again.", clock.now())
    assert count(Decision) == 1


def test_a_plain_no_decided_has_no_look_back(db, pair):
    request = decided_request(pair, "No: better scheduling")
    assert request.lookback_on is None


def test_a_request_changed_after_the_answer_needs_a_new_answer(db, pair):
    request = answered_request(pair)
    old = request.current_options
    services.edit_request(pair.requester, request, request_data(pair, cost_monthly="15000"), clock.today())
    assert request.status == RequestStatus.OPEN and request.version == 2 and request.current_options == []
    with pytest.raises(RuleError):
        services.pick_option(pair.requester, request, old[0].id, "The old answer.")
    assert any("needs a new answer" in m for m in notified(pair.reviewer))
    with pytest.raises(Refused):
        services.edit_request(pair.reviewer, request, request_data(pair), clock.today())


def test_a_decided_request_changes_only_through_an_audited_reopen(db, pair):
    request = decided_request(pair)
    with pytest.raises(RuleError, match="only through a reopen"):
        services.edit_request(pair.requester, request, request_data(pair), clock.today())
    with pytest.raises(Refused):
        services.reopen_decision(pair.reviewer, request, "Changed my mind.", clock.now())
    services.reopen_decision(pair.ops_leader, request, "Demand fell before we started.", clock.now())
    assert request.status == RequestStatus.ANSWERED and request.decision is None
    assert request.decisions[0].reopened_by_id == pair.ops_leader.id
    assert count(AuditEntry) == 1


def test_the_what_if_driver_moves_by_either_side_and_each_edit_has_its_author(db, pair):
    request = answered_request(pair)
    services.set_driver_value(pair.reviewer, request, 1400, clock.now())
    services.set_driver_value(pair.requester, request, 1250.5, clock.now())
    assert [(e.author_id, e.before, e.after) for e in request.edits] == [
        (pair.reviewer.id, 1100, 1400), (pair.requester.id, 1400, 1250.5)]
    with pytest.raises(Refused):
        services.set_driver_value(pair.outsider, request, 1, clock.now())
    with pytest.raises(RuleError, match="Enter a number"):
        services.set_driver_value(pair.requester, request, float("nan"), clock.now())


def test_at_the_deadline_the_leaders_get_it_with_a_case_from_each_side_and_one_breaks_the_tie(db, pair):
    request = answered_request(pair)
    with pytest.raises(RuleError, match="escalated"):
        services.write_case(pair.requester, request, "Ours.")
    with time_machine.travel(clock.now() + timedelta(days=15)):
        assert services.run_daily(clock.today(), clock.now())["escalated"] == 1
        assert services.run_daily(clock.today(), clock.now())["escalated"] == 0
    assert request.status == RequestStatus.ESCALATED
    assert any("Escalated" in m for m in notified(pair.ops_leader)) and any("Escalated" in m for m in
                                                                            notified(pair.fin_leader))
    services.write_case(pair.requester, request, "Demand is real.")
    with pytest.raises(AlreadyRecorded):
        services.write_case(pair.ops_leader, request, "Operations again.")
    services.write_case(pair.reviewer, request, "Test it first.")
    with pytest.raises(Refused):
        services.leader_decides(pair.reviewer, request, request.current_options[1].id, "", "Me.", clock.now())
    decision = services.leader_decides(pair.fin_leader, request, request.current_options[1].id, "Olu, Fin",
                                       "Test first, fund if it holds.", clock.now())
    assert decision.by_leader and decision.decided_by_id == pair.fin_leader.id and decision.picked_by_id is None
    assert request.status == RequestStatus.DECIDED


class OneMetric:
    """A metric source of one monthly metric (the shape the trust pulse registers through webapp.metrics)."""

    def __init__(self, points: list[MetricPoint]) -> None:
        self._points = points

    def metrics(self) -> list[OutcomeMetric]:
        return [OutcomeMetric(9001, "Service calls", "calls", True, MONTHLY, False)]

    def points(self, metric_id: int) -> list[MetricPoint]:
        return self._points if metric_id == 9001 else []


@pytest.fixture
def service_calls():
    source = OneMetric([])
    register_metric_source(source)
    yield source
    _sources.remove(source)


def test_a_condition_linked_to_a_metric_takes_its_value_on_the_review_date(db, pair, service_calls):
    request, today = sent_request(pair), clock.today()
    yes = services.add_option(pair.reviewer, request, option_data(), None, today)
    condition = services.add_condition(pair.reviewer, yes, condition_data(metric_id=9001), None, today)
    with time_machine.travel(clock.now() + timedelta(days=31)):
        assert services.fill_actuals_from_metrics(clock.today(), clock.now()) == 0  # the value has not arrived
        service_calls._points.append(MetricPoint(condition.review_on.strftime("%Y-%m"), None, 1180))
        assert services.fill_actuals_from_metrics(clock.today(), clock.now()) == 1
    db.session.refresh(condition)
    assert (condition.actual, condition.held) == (1180, False)
    assert condition.actual_source.startswith("metric ")


def test_an_actual_by_hand_from_the_review_date_says_whether_the_if_held(db, pair):
    request = decided_request(pair)
    condition = request.decision.option.conditions[0]
    with pytest.raises(RuleError, match="from the review date"):
        services.record_actual(pair.requester, condition, 1300, clock.today(), clock.now())
    later = condition.review_on
    with pytest.raises(Refused):
        services.record_actual(pair.outsider, condition, 1300, later, clock.now())
    services.record_actual(pair.reviewer, condition, 1300, later, clock.now())
    assert condition.held is True and condition.actual_by_id == pair.reviewer.id
    with pytest.raises(AlreadyRecorded):
        services.record_actual(pair.requester, condition, 900, later, clock.now())
    assert count(Condition) == 1


def test_the_look_back_asks_both_sides_and_a_good_result_can_be_celebrated(db, pair):
    request = decided_request(pair)
    with pytest.raises(RuleError, match="opens on its date"):
        services.record_lookback(pair.requester, request, "good", "Held.", clock.today(), clock.now())
    with time_machine.travel(clock.now() + timedelta(days=91)):
        assert services.send_reminders(clock.today()) >= 2
        assert services.send_reminders(clock.today()) == 0  # once a day
        services.record_lookback(pair.requester, request, "good", "Calls stayed at 1,300.", clock.today(), clock.now())
        with pytest.raises(AlreadyRecorded):
            services.record_lookback(pair.ops_leader, request, "poor", "Twice.", clock.today(), clock.now())
        assert request.status == RequestStatus.DECIDED and not services.is_joint_win(request)
        services.record_lookback(pair.reviewer, request, "good", "Overtime fell.", clock.today(), clock.now())
    assert request.status == RequestStatus.CLOSED and services.is_joint_win(request)


def test_a_value_entered_on_the_trust_outcomes_page_settles_a_due_condition_at_once(db, pair):
    from programs.trust.models import TrustMetric
    from programs.trust.services import save_metric_value

    metric = TrustMetric(name="Service calls per month", unit="calls")
    db.session.add(metric)
    db.session.flush()
    request, today = sent_request(pair), clock.today()
    yes = services.add_option(pair.reviewer, request, option_data(), None, today)
    condition = services.add_condition(pair.reviewer, yes, condition_data(metric_id=metric.id), None, today)
    period = condition.review_on.strftime("%Y-%m")
    save_metric_value(pair.reviewer, metric, period, None, 1300)  # before the review date: nothing yet
    assert condition.actual is None
    with time_machine.travel(clock.now() + timedelta(days=31)):
        save_metric_value(pair.reviewer, metric, period, None, 1250)
    db.session.refresh(condition)
    assert (condition.actual, condition.held, condition.actual_source) == (1250, True, f"metric {period}")

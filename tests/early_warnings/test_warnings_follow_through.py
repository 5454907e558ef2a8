"""Time travel: the reminder before the response time ends and the escalation after it; the period-close
reconciliation (targets, previous periods, surprises); the warning a mid-period amber crossing opens; the
pair's scorecard figures and records."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from programs.early_warnings import services
from programs.early_warnings.models import EarlyWarning
from programs.early_warnings.rules import parse_period
from tests.conftest import sign_in
from tests.early_warnings.warnings_factories import add_value, make_metric, raise_warning
from webapp import clock, metrics, signals
from webapp.errors import RuleError
from webapp.extensions import db
from webapp.main.pair_records import pair_records
from webapp.main.scorecard import build_scorecard
from webapp.notifications.models import Notification
from webapp.periods import Quarter

MONDAY_9 = datetime(2030, 6, 3, 9, 0, tzinfo=UTC)  # a Monday: due Wednesday 09:00 with two working days


def _messages(user) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification.message).where(Notification.user_id == user.id)))


def test_a_reminder_comes_before_the_response_time_and_an_escalation_after_it(org):
    with time_machine.travel(MONDAY_9, tick=False):
        warning = raise_warning(org.author, org.fin_function.id, period="2030-Q3")
    assert warning.respond_by == datetime(2030, 6, 5, 9, 0, tzinfo=UTC)
    with time_machine.travel(MONDAY_9 + timedelta(hours=12), tick=False):  # more than a day left: nothing yet
        assert services.remind_and_escalate(clock.now()) == (0, 0)
    with time_machine.travel(datetime(2030, 6, 4, 10, 0, tzinfo=UTC), tick=False):  # under a day left
        assert services.remind_and_escalate(clock.now()) == (1, 0)
        assert services.remind_and_escalate(clock.now()) == (0, 0)  # once
        db.session.commit()
    assert any(m.startswith("Reminder:") for m in _messages(org.fin_manager))
    with time_machine.travel(datetime(2030, 6, 5, 9, 1, tzinfo=UTC), tick=False):  # breached
        assert services.remind_and_escalate(clock.now()) == (0, 1)
        assert services.remind_and_escalate(clock.now()) == (0, 0)
        db.session.commit()
    assert any(m.startswith("Overdue:") for m in _messages(org.fin_leader))
    assert not any(m.startswith("Overdue:") for m in _messages(org.fin_manager))  # leaders only


def test_an_acknowledged_warning_is_neither_reminded_nor_escalated(org):
    with time_machine.travel(MONDAY_9, tick=False):
        warning = raise_warning(org.author, org.fin_function.id, period="2030-Q3")
        services.acknowledge(org.fin_manager, warning, "On it", clock.now())
        db.session.commit()
    with time_machine.travel(MONDAY_9 + timedelta(days=5), tick=False):
        assert services.remind_and_escalate(clock.now()) == (0, 0)


def test_the_response_time_is_a_setting(org):
    actor = org.fin_leader  # the settings page admits admins only; the service only records who changed them
    services.save_policy(actor, {"response_days": 5, "material_percent": 5.0, "material_amount": 50000.0})
    with time_machine.travel(MONDAY_9, tick=False):
        warning = raise_warning(org.author, org.fin_function.id, period="2030-Q3")
    assert warning.respond_by == datetime(2030, 6, 10, 9, 0, tzinfo=UTC)
    with pytest.raises(RuleError):
        services.save_policy(actor, {"response_days": 0, "material_percent": 5.0, "material_amount": 50000.0})
    with pytest.raises(RuleError):
        services.save_policy(actor, {"response_days": 2, "material_percent": float("nan"), "material_amount": 1.0})


def _reconcile_july(org, target: float | None = None):
    metric = make_metric("Revenue")
    db.session.commit()
    with time_machine.travel(datetime(2030, 6, 10, 12, tzinfo=UTC), tick=False):
        warned = raise_warning(org.author, org.fin_function.id, period="2030-07", metric_id=metric.id,
                               title="Demand dropping")
    add_value(metric, "2030-06", 1_000_000.0)
    add_value(metric, "2030-07", 900_000.0)
    return metric, warned


def test_reconciliation_matches_a_material_variance_to_the_earlier_warning(org):
    metric, warned = _reconcile_july(org)
    with time_machine.travel(datetime(2030, 8, 2, 12, tzinfo=UTC), tick=False):
        variances = services.reconcile_period("2030-07", clock.now())
        db.session.commit()
    july = next(v for v in variances if v.metric_id == metric.id and v.period == "2030-07")
    assert (july.expected, july.expected_from, july.actual, july.material) == (1_000_000.0, "previous", 900_000.0, True)
    assert [w.id for w in july.warnings] == [warned.id] and not july.surprise


def test_an_unwarned_material_variance_is_a_surprise_and_a_small_one_is_not_material(org):
    metric = make_metric("Margin")
    add_value(metric, "2030-06", 100.0)
    add_value(metric, "2030-07", 80.0)
    small = make_metric("Orders")
    add_value(small, "2030-06", 1000.0)
    add_value(small, "2030-07", 1040.0)  # 4%: within 5%
    db.session.commit()
    with time_machine.travel(datetime(2030, 8, 2, 12, tzinfo=UTC), tick=False):
        variances = {v.metric_name: v for v in services.reconcile_period("2030-07", clock.now())}
    assert variances["Margin"].surprise
    assert not variances["Orders"].material and not variances["Orders"].surprise


def test_a_target_is_the_expected_value_when_there_is_one(org):
    _reconcile_july(org)
    kept = list(metrics._target_sources)
    metrics.register_target_source(lambda metric_id, period: 905_000.0 if period == "2030-07" else None)
    try:
        with time_machine.travel(datetime(2030, 8, 2, 12, tzinfo=UTC), tick=False):
            july = services.reconcile_period("2030-07", clock.now())[0]
        assert (july.expected, july.expected_from, july.material) == (905_000.0, "target", False)
    finally:
        metrics._target_sources[:] = kept


def test_a_period_is_reconciled_only_once_it_has_closed_and_again_replaces_the_results(org):
    _reconcile_july(org)
    with (
        time_machine.travel(datetime(2030, 7, 20, 12, tzinfo=UTC), tick=False),
        pytest.raises(RuleError, match="closed"),
    ):
        services.reconcile_period("2030-07", clock.now())
    with time_machine.travel(datetime(2030, 8, 2, 12, tzinfo=UTC), tick=False):
        first = services.reconcile_period("2030-07", clock.now())
        db.session.commit()
        second = services.reconcile_period("2030-07", clock.now())
        db.session.commit()
    assert [v.id for v in first] == [v.id for v in second]
    assert len(second[0].warnings) == 1


def test_the_reconciliation_page_names_no_person(client, org):
    _reconcile_july(org)
    with time_machine.travel(datetime(2030, 8, 2, 12, tzinfo=UTC), tick=False):
        sign_in(client, org.fin_manager)
        response = client.post("/warnings/reconciliation", data={"period": "2030-07"})
        assert response.status_code == 303
        page = client.get("/warnings/reconciliation?period=2030-07").get_data(as_text=True)
        refused = client.post("/warnings/reconciliation", data={"period": "2030-13"})
    assert "Demand dropping" in page and org.author.name not in page
    assert refused.status_code == 400 and "Enter a month" in refused.get_data(as_text=True)


def _crossing(org, **changes):
    values = {"metric_id": 7, "metric_name": "On-time delivery", "period": f"{clock.today():%Y-%m}", "value": 88.0,
                  "threshold": 90.0, "status": "amber", "owner_function_id": org.ops_function.id,
                  "partner_function_id": org.fin_function.id, "mid_period": True, "occurred_at": clock.now()}
    values.update(changes)
    signals.metric_threshold_crossed.send("business_review", **values)
    db.session.commit()


def test_a_mid_period_amber_crossing_opens_one_warning_from_the_owner_to_the_partner(app, org):
    _crossing(org)
    _crossing(org)  # the same crossing again opens nothing more
    _crossing(org, status="red")
    _crossing(org, mid_period=False, period="2030-01")
    opened = db.session.scalars(select(EarlyWarning)).all()
    assert len(opened) == 1
    warning = opened[0]
    assert (warning.author_id, warning.from_function_id, warning.to_function_id, warning.status) == (
        None, org.ops_function.id, org.fin_function.id, "raised")
    assert any("On-time delivery" in m for m in _messages(org.fin_manager))


def test_the_scorecard_and_pair_records_show_the_pairs_warnings(app, org):
    with time_machine.travel(MONDAY_9, tick=False):
        warning = raise_warning(org.author, org.fin_function.id, period="2030-Q4")
    with time_machine.travel(MONDAY_9 + timedelta(days=1), tick=False):
        services.acknowledge(org.fin_manager, warning, "Plan it", clock.now())
        db.session.commit()
    pair = (org.fin_function.id, org.ops_function.id)
    with app.test_request_context():
        figures = {f.label: f for f in build_scorecard(Quarter(2030, 2), pair)["Collaboration"]}
    lead = parse_period("2030-Q4").start - MONDAY_9.date()
    assert figures["Early warnings: median lead time"].value == lead.days
    assert figures["Early warnings: median time to acknowledge"].value == 1.0
    with app.test_request_context():
        records = pair_records(pair, MONDAY_9.date(), MONDAY_9.date() + timedelta(days=30), kind="warning")["warning"]
    assert [(r.id, r.title, r.is_open) for r in records] == [(warning.id, warning.title, True)]
    assert org.author.name not in repr(records)


def test_the_scorecard_page_shows_the_warning_figures_for_the_pair(client, org):
    raise_warning(org.author, org.fin_function.id)
    sign_in(client, org.fin_leader)
    page = client.get("/scorecard").get_data(as_text=True)
    for label in ("Early warnings: median lead time", "Material variances warned ahead",
                  "Early warnings: median time to acknowledge", "Warned impacts within their estimated range"):
        assert label in page


def test_the_daily_and_period_close_commands(app, org):
    _reconcile_july(org)
    runner = app.test_cli_runner()
    with time_machine.travel(datetime(2030, 8, 2, 12, tzinfo=UTC), tick=False):
        reconciled = runner.invoke(args=["early_warnings", "reconcile", "--period", "2030-07"])
        refused = runner.invoke(args=["early_warnings", "reconcile", "--period", "2031-01"])
        reminded = runner.invoke(args=["early_warnings", "remind"])
    assert reconciled.exit_code == 0 and "2030-07: 1 value(s), 1 material, 0 surprise(s)." in reconciled.output
    assert refused.exit_code != 0 and "once it has closed" in refused.output
    assert reminded.exit_code == 0 and "escalated 1 warning(s)" in reminded.output

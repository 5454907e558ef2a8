"""The trust pulse's business outcomes as other programmes read them: webapp.metrics and its signal."""
from __future__ import annotations

from programs.trust.services import import_metric_values, save_metric, save_metric_value
from tests.factories import make_function, make_user
from webapp import signals
from webapp.metrics import MetricPoint, get_outcome_metric, metric_points, outcome_metrics
from webapp.roles import Role


def _recorded(calls: list[dict]):
    def receiver(sender, **kwargs):
        calls.append({"sender": sender, **kwargs})
    return receiver


def test_metrics_and_their_values_read_as_plain_data(db):
    hr = make_user(Role.HR, function=make_function("Finance", "FIN"))
    delivery = save_metric(hr, None, "On-time delivery", "%", True, "monthly", "organisation")
    save_metric(hr, None, "Cash conversion", "days", False, "quarterly", "organisation")
    save_metric_value(hr, delivery, "2026-02", None, 91.0)
    save_metric_value(hr, delivery, "2026-01", None, 88.5)

    assert [metric.name for metric in outcome_metrics()] == ["Cash conversion", "On-time delivery"]
    read = get_outcome_metric(delivery.id)
    assert read is not None and (read.unit, read.higher_is_better, read.frequency, read.per_function) == (
        "%", True, "monthly", False)
    assert metric_points(delivery.id) == [MetricPoint("2026-01", None, 88.5), MetricPoint("2026-02", None, 91.0)]
    assert metric_points(10**6) == [] and get_outcome_metric(10**6) is None


def test_every_value_entered_or_imported_is_announced_with_the_value_it_replaced(db):
    hr = make_user(Role.HR, function=make_function("Finance", "FIN"))
    delivery = save_metric(hr, None, "On-time delivery", "%", True, "monthly", "organisation")
    calls: list[dict] = []
    receiver = _recorded(calls)
    signals.metric_value_recorded.connect(receiver)
    try:
        save_metric_value(hr, delivery, "2026-01", None, 88.5)
        save_metric_value(hr, delivery, "2026-01", None, 90.0)
        import_metric_values(hr, delivery, "values.csv", "period,value\n2026-01,92\n2026-02,93\n")
        import_metric_values(hr, delivery, "bad.csv", "period,value\n2026-03,abc\n")
    finally:
        signals.metric_value_recorded.disconnect(receiver)

    assert [(c["period"], c["value"], c["previous"]) for c in calls] == [
        ("2026-01", 88.5, None), ("2026-01", 90.0, 88.5), ("2026-01", 92.0, 90.0), ("2026-02", 93.0, None)]
    assert all(c["sender"] == "trust" and c["metric_id"] == delivery.id and c["recorded_by"] is hr for c in calls)


def test_a_target_is_read_from_the_registered_target_source_and_absent_otherwise(monkeypatch):
    from webapp import metrics
    monkeypatch.setattr(metrics, "_target_sources", [])
    assert metrics.metric_target(1, "2026-01") is None
    metrics.register_target_source(lambda metric_id, period: 95.0 if (metric_id, period) == (1, "2026-01") else None)
    assert metrics.metric_target(1, "2026-01") == 95.0 and metrics.metric_target(1, "2026-02") is None

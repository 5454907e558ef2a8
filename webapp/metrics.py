"""Business outcome metrics (and their targets) as plain data, for every programme that reads them.

One programme owns the metrics and their values (the trust pulse: revenue, margin, NPS ...) and registers
itself as the source at start-up; the monthly business review registers the targets. Others read through
`outcome_metrics()`, `metric_points()` and `metric_target()`, never through the owner's models. A value
entered or imported is announced by `webapp.signals.metric_value_recorded`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

MONTHLY = "monthly"
QUARTERLY = "quarterly"


@dataclass(frozen=True)
class OutcomeMetric:
    id: int
    name: str
    unit: str
    higher_is_better: bool
    frequency: str  # MONTHLY ("2026-07") or QUARTERLY ("2026-Q3") periods
    per_function: bool  # values per function, else one value for the organisation


@dataclass(frozen=True)
class MetricPoint:
    period: str
    function_id: int | None
    value: float


class MetricSource(Protocol):
    def metrics(self) -> list[OutcomeMetric]: ...

    def points(self, metric_id: int) -> list[MetricPoint]: ...


TargetSource = Callable[[int, str], "float | None"]
"""(metric id, period) -> the value planned for that period, or None when no target is set."""

_sources: list[MetricSource] = []
_target_sources: list[TargetSource] = []


def register_metric_source(source: MetricSource) -> None:
    """Make a programme's metrics readable by the others (replaces a source of the same type)."""
    _sources[:] = [known for known in _sources if type(known) is not type(source)] + [source]


def outcome_metrics() -> list[OutcomeMetric]:
    """Every registered metric, by name."""
    return sorted((metric for source in _sources for metric in source.metrics()), key=lambda metric: metric.name)


def get_outcome_metric(metric_id: int) -> OutcomeMetric | None:
    return next((metric for metric in outcome_metrics() if metric.id == metric_id), None)


def metric_points(metric_id: int) -> list[MetricPoint]:
    """The values of one metric, in period order (empty for an unknown metric)."""
    return [point for source in _sources for point in source.points(metric_id)]


def register_target_source(source: TargetSource) -> None:
    """Make a programme's targets readable by the others (one source: a second replaces the first)."""
    _target_sources[:] = [source]


def metric_target(metric_id: int, period: str) -> float | None:
    """The planned value of a metric for a period, or None (no target source, or no target set)."""
    return next((target for source in _target_sources if (target := source(metric_id, period)) is not None), None)

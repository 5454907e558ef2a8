"""Trust-pulse figures for the leadership scorecard: the Trust, Outcomes and Engagement rows."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from programs.trust.models import (
    ORGANISATION,
    TrustMetric,
    TrustMetricValue,
    TrustParticipation,
    TrustWave,
    TrustWaveAudience,
)
from programs.trust.queries import closed_wave_reports, function_names, index_series
from webapp.extensions import db
from webapp.main.scorecard import Figure, quarterly_series
from webapp.periods import Quarter, period_quarter


def _series(quarter: Quarter, values: dict[str, float], label: str, unit: str, drill: str, note: str = "") -> Figure:
    figure = quarterly_series(quarter, lambda q: values.get(str(q)))
    figure.label, figure.unit, figure.drill_url, figure.note = label, unit, drill, note
    return figure


def trust_figures(quarter: Quarter, pair: tuple[int, int]) -> list[Figure]:
    """The pair's trust index in both directions (hidden cells stay hidden), from the stored wave reports."""
    reports = closed_wave_reports()
    names = function_names()
    figures = []
    for rater, target in (pair, pair[::-1]):
        frame = index_series(reports, "cell", (rater, target))
        # rounded as the results page shows them
        values = {q: float(round(v)) for q, v in zip(frame["quarter"], frame["index"], strict=True)}
        figures.append(_series(quarter, values, f"{names[rater]} rates {names[target]}", "index 0-100",
                               url_for("trust.results"), note="Blank: no closed wave, or fewer than k respondents."))
    return figures


def outcome_figures(quarter: Quarter, pair: tuple[int, int]) -> list[Figure]:
    """Each business metric by quarter (mean of its periods): the organisation's, or each function of the pair's."""
    names = function_names()
    rows = db.session.execute(
        select(TrustMetric.id, TrustMetric.name, TrustMetric.unit, TrustMetric.scope, TrustMetricValue.period,
               TrustMetricValue.function_id, TrustMetricValue.value)
        .join(TrustMetricValue, TrustMetricValue.metric_id == TrustMetric.id)
        .order_by(TrustMetric.name)
    ).all()
    grouped: dict[tuple, dict[str, list[float]]] = {}
    for metric_id, name, unit, scope, period, function_id, value in rows:
        if scope == ORGANISATION:
            label = name
        elif function_id is not None and function_id in pair:
            label = f"{name} ({names[function_id]})"
        else:
            continue
        grouped.setdefault((metric_id, label, unit), {}).setdefault(period_quarter(period), []).append(value)
    return [
        _series(quarter, {q: sum(v) / len(v) for q, v in by_quarter.items()}, label, unit,
                url_for("trust.metric_detail", metric_id=metric_id), note="Quarter mean of the recorded periods.")
        for (metric_id, label, unit), by_quarter in grouped.items()
    ]


def response_rate_figure(quarter: Quarter, pair: tuple[int, int]) -> Figure:
    """Pulse response rate of the pair's two functions in the waves that closed in each quarter.

    Closed waves only; each wave's denominator is the pair's headcount recorded when it closed, so
    a past quarter's rate never moves when people join or leave.
    """
    invited = dict(db.session.execute(
        select(TrustWave.period, func.sum(TrustWaveAudience.people))
        .join(TrustWaveAudience, TrustWaveAudience.wave_id == TrustWave.id)
        .where(TrustWave.closed_at.is_not(None), TrustWaveAudience.function_id.in_(pair))
        .group_by(TrustWave.period)
    ).all())
    answered = dict(db.session.execute(
        select(TrustWave.period, func.count())
        .join(TrustParticipation, TrustParticipation.wave_id == TrustWave.id)
        .join(TrustWaveAudience, (TrustWaveAudience.wave_id == TrustWave.id)
              & (TrustWaveAudience.function_id == TrustParticipation.function_id))
        .where(TrustWave.closed_at.is_not(None), TrustParticipation.function_id.in_(pair))
        .group_by(TrustWave.period)
    ).all())
    rates = {q: 100.0 * answered.get(q, 0) / people for q, people in invited.items() if people}
    return _series(quarter, rates, "Pulse response rate of the pair's people", "%", url_for("trust.results"))

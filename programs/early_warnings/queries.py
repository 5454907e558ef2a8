"""Reads about early warnings: a person's lists, the pair's records, reconciliation results and the pair's figures."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload

from programs.early_warnings import rules
from programs.early_warnings.models import OPEN_STATUSES, EarlyWarning, Variance, WarningStatus
from webapp.extensions import db
from webapp.people.models import User
from webapp.periods import Quarter


def visible_warnings(viewer: User) -> Select:
    """The viewer's drafts, and the raised warnings from or to the viewer's function, newest first."""
    shared = and_(EarlyWarning.status != WarningStatus.DRAFT.value,
                  or_(EarlyWarning.from_function_id == viewer.function_id,
                      EarlyWarning.to_function_id == viewer.function_id))
    return (select(EarlyWarning).where(or_(EarlyWarning.author_id == viewer.id, shared))
            .order_by(EarlyWarning.created_at.desc(), EarlyWarning.id.desc()))


def waiting_for(function_id: int | None, limit: int) -> list[EarlyWarning]:
    """Warnings addressed to the function that wait for acknowledgement, the earliest due first."""
    if function_id is None:
        return []
    return list(db.session.scalars(select(EarlyWarning).where(
        EarlyWarning.to_function_id == function_id, EarlyWarning.status == WarningStatus.RAISED.value)
        .order_by(EarlyWarning.respond_by, EarlyWarning.id).limit(limit)))


def _pair_filter(pair: tuple[int, int]):
    first, second = pair
    return or_(and_(EarlyWarning.from_function_id == first, EarlyWarning.to_function_id == second),
               and_(EarlyWarning.from_function_id == second, EarlyWarning.to_function_id == first))


def _raised_in_pair(pair: tuple[int, int]) -> list[tuple[EarlyWarning, datetime]]:
    """The pair's raised warnings in the order they were raised, each with its moment of raising."""
    query = select(EarlyWarning).where(_pair_filter(pair), EarlyWarning.raised_at.is_not(None))
    rows = db.session.scalars(query.order_by(EarlyWarning.raised_at, EarlyWarning.id))
    return [(w, w.raised_at) for w in rows if w.raised_at is not None]  # the query's filter, again for the type


def pair_warnings(pair: tuple[int, int], first: date, last: date) -> list[tuple[EarlyWarning, datetime]]:
    """The pair's raised warnings that were open during [first, last] or raised within it, each with its moment of
    raising."""
    return [
        (w, raised_at)
        for w, raised_at in _raised_in_pair(pair)
        if raised_at.date() <= last
        and (w.status in OPEN_STATUSES or first <= raised_at.date()
             or (w.closed_at is not None and w.closed_at.date() >= first))
    ]


def variances_of(period: str) -> list[Variance]:
    """A period's reconciliation results (material ones first), each with the warnings that foresaw it."""
    return list(db.session.scalars(select(Variance).where(Variance.period == period)
                                   .order_by(Variance.material.desc(), Variance.metric_name, Variance.function_key)))


def reconciled_periods() -> list[str]:
    return list(db.session.scalars(select(Variance.period).distinct().order_by(Variance.period.desc())))


@dataclass(frozen=True)
class PairFigures:
    """One quarter's figures for a pair; nothing here belongs to a person."""

    lead_time_days: float | None  # median, raised warnings
    ack_days: float | None  # median days from raising to acknowledgement
    warned_share: float | None  # percent of material variances matched to an earlier warning of the pair
    calibration: rules.Calibration  # closed warnings: did the actual impact fall inside the range?


def pair_figures_by_quarter(pair: tuple[int, int], quarters: list[Quarter]) -> dict[Quarter, PairFigures]:
    """The figures of each quarter: the pair's warnings and the material variances read once for all of them."""
    raised = _raised_in_pair(pair)
    material = list(db.session.scalars(select(Variance).options(selectinload(Variance.warnings)).where(
        Variance.material.is_(True), or_(Variance.function_id.is_(None), Variance.function_id.in_(pair)))))
    return {quarter: _figures(pair, raised, material, quarter.start, quarter.end) for quarter in quarters}


def _figures(pair: tuple[int, int], raised_in_pair: list[tuple[EarlyWarning, datetime]], material: list[Variance],
             start: date, end: date) -> PairFigures:
    """The figures of warnings raised (and variances of periods starting) in [start, end)."""
    raised = [(w, raised_at) for w, raised_at in raised_in_pair if start <= raised_at.date() < end]
    lead = rules.median_or_none([float(w.lead_time_days) for w, _ in raised if w.lead_time_days is not None])
    ack = rules.median_or_none([(w.acknowledged_at - raised_at).total_seconds() / 86400 for w, raised_at in raised
                                if w.acknowledged_at is not None])
    judged = [(w.impact_low, w.impact_high, w.actual_impact) for w, _ in raised
              if w.status == WarningStatus.CLOSED.value
              and w.impact_low is not None and w.impact_high is not None and w.actual_impact is not None]
    return PairFigures(lead, ack, _warned_share(pair, material, start, end), rules.calibration(judged))


def _warned_share(pair: tuple[int, int], material: list[Variance], start: date, end: date) -> float | None:
    """The share of the material variances (of the pair's functions or the organisation) whose period starts in
    [start, end) that a warning between the pair came before."""
    due = [v for v in material if start <= rules.stored_period(v.period).start < end]
    warned = sum(any(set(w.pair) == set(pair) for w in v.warnings) for v in due)
    return rules.share(warned, len(due))

"""Joint-visit figures for the leadership scorecard (the Collaboration row)."""
from __future__ import annotations

from functools import partial

from flask import url_for
from sqlalchemy import func, select

from programs.visits.models import Account, Visit, VisitAttendee
from webapp.extensions import db
from webapp.main.scorecard import Figure, quarterly_series
from webapp.periods import Quarter


def _confirmed_pair_visits(pair: tuple[int, int]):
    """Confirmed visits that people of both functions attended."""
    attended = [select(VisitAttendee.visit_id).where(VisitAttendee.function_id == f) for f in pair]
    return select(Visit).where(Visit.confirmed_at.is_not(None), Visit.id.in_(attended[0]), Visit.id.in_(attended[1]))


def _value_of(values: dict[str, float], quarter: Quarter) -> float:
    return values.get(str(quarter), 0.0)


def visit_figures(quarter: Quarter, pair: tuple[int, int]) -> list[Figure]:
    """Confirmed joint visits by the pair, and the share of accounts they covered, per quarter."""
    visits = _confirmed_pair_visits(pair).subquery()
    rows = db.session.execute(
        select(visits.c.quarter, func.count(), func.count(func.distinct(visits.c.account_id))).group_by(
            visits.c.quarter
        )
    ).all()
    accounts = db.session.scalar(select(func.count()).select_from(Account)) or 0
    counts = {q: float(n) for q, n, _ in rows}
    coverage = {q: 100.0 * covered / accounts for q, _, covered in rows} if accounts else {}
    figures = []
    for label, unit, values in (("Confirmed joint visits by the pair", "visits", counts),
                                ("Accounts visited jointly by the pair", "% of accounts", coverage)):
        figure = quarterly_series(quarter, partial(_value_of, values))
        figure.label, figure.unit, figure.drill_url = label, unit, url_for("visits.coverage")
        figures.append(figure)
    return figures

"""Early-warning figures for the leadership scorecard (the Collaboration row), per quarter, for the pair."""
from __future__ import annotations

from collections.abc import Callable

from flask import url_for

from programs.early_warnings.queries import PairFigures, pair_figures_by_quarter
from webapp.main.scorecard import SPARK_QUARTERS, Figure, quarterly_series
from webapp.periods import Quarter

FIGURES: tuple[tuple[str, str, Callable[[PairFigures], float | None]], ...] = (
    ("Early warnings: median lead time", "days", lambda f: f.lead_time_days),
    ("Material variances warned ahead", "%", lambda f: f.warned_share),
    (
        "Early warnings: median time to acknowledge",
        "days",
        lambda f: None if f.ack_days is None else round(f.ack_days, 1),
    ),
    ("Warned impacts within their estimated range", "%", lambda f: f.calibration.within_share),
)


def _picked(pick: Callable[[PairFigures], float | None],
            by_quarter: dict[Quarter, PairFigures]) -> Callable[[Quarter], float | None]:
    """A quarter's figure: the picked value of that quarter's figures."""
    return lambda quarter: pick(by_quarter[quarter])


def warning_figures(quarter: Quarter, pair: tuple[int, int]) -> list[Figure]:
    """Lead time, warned share, acknowledgement time and calibration of the pair's warnings, over six quarters."""
    by_quarter = pair_figures_by_quarter(pair, quarter.trailing(SPARK_QUARTERS))
    figures = []
    for label, unit, pick in FIGURES:
        figure = quarterly_series(quarter, _picked(pick, by_quarter))
        figure.label, figure.unit, figure.drill_url = label, unit, url_for("early_warnings.reconciliation")
        figures.append(figure)
    figures[-1].note = "Accuracy is kept apart from credit: raising a warning earns the same, whatever happens."
    return figures

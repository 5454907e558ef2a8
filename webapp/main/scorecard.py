"""The leadership scorecard registry: domains register figures, webapp/main lays them out.

A figure function gets (quarter, pair) where pair is two function ids, and returns a Figure
(or None when it has nothing to say). Four rows, fixed by the balanced-scorecard design.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from webapp.cache import DATA, remember
from webapp.extensions import db
from webapp.main.periods import Quarter
from webapp.people.models import Function

ROWS = ("Trust", "Collaboration", "Outcomes", "Engagement")
DEFAULT_PAIR_CODES = ("FIN", "OPS")
SPARK_QUARTERS = 6


@dataclass
class Figure:
    label: str
    value: float | None
    unit: str = ""
    previous: float | None = None
    series: list[tuple[str, float | None]] = field(default_factory=list)  # (quarter, value), oldest first
    drill_url: str = ""
    note: str = ""

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


FigureFunction = Callable[[Quarter, tuple[int, int]], "Figure | list[Figure] | None"]
FIGURES: dict[str, list[tuple[int, str, FigureFunction]]] = {row: [] for row in ROWS}


def register_scorecard_figure(row: str, name: str, function: FigureFunction, order: int = 100) -> None:
    """Add (or replace) a figure provider in one of the four rows."""
    if row not in ROWS:
        raise ValueError(f"row must be one of {ROWS}")
    entries = [entry for entry in FIGURES[row] if entry[1] != name]
    FIGURES[row] = sorted([*entries, (order, name, function)], key=lambda entry: (entry[0], entry[1]))


def build_scorecard(quarter: Quarter, pair: tuple[int, int]) -> dict[str, list[Figure]]:
    """Every registered figure for the quarter and pair, by row (cached until a write changes the data)."""
    return remember([DATA], f"scorecard:{quarter}:{pair[0]}-{pair[1]}", lambda: _compute_scorecard(quarter, pair))


def _compute_scorecard(quarter: Quarter, pair: tuple[int, int]) -> dict[str, list[Figure]]:
    result: dict[str, list[Figure]] = {}
    for row in ROWS:
        figures: list[Figure] = []
        for _, _, function in FIGURES[row]:
            produced = function(quarter, pair)
            figures += produced if isinstance(produced, list) else [produced] if produced else []
        result[row] = figures
    return result


def quarterly_series(quarter: Quarter, value_for: Callable[[Quarter], float | None]) -> Figure:
    """A helper for figure functions: value this quarter, last quarter, and a sparkline series."""
    series = [(str(q), value_for(q)) for q in quarter.trailing(SPARK_QUARTERS)]
    return Figure(label="", value=series[-1][1], previous=series[-2][1], series=series)


def active_functions() -> list[Function]:
    return list(db.session.scalars(select(Function).where(Function.active.is_(True)).order_by(Function.name)))


def default_pair(functions: list[Function]) -> tuple[int, int] | None:
    """Finance and Operations when both exist, else the first two functions, else None."""
    by_code = {f.code: f.id for f in functions}
    pair = tuple(by_code[c] for c in DEFAULT_PAIR_CODES if c in by_code)
    if len(pair) != 2:
        pair = tuple(f.id for f in functions[:2])
    return pair if len(pair) == 2 else None

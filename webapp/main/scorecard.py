"""The leadership scorecard registry: domains register figures, webapp/main lays them out.

A figure function gets (quarter, pair) where pair is two function ids, and returns a Figure
(or None when it has nothing to say). Four rows, fixed by the balanced-scorecard design.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from webapp.cache import DATA, remember
from webapp.extensions import db
from webapp.people.models import Function
from webapp.people.queries import list_functions
from webapp.periods import Quarter

ROWS = ("Trust", "Collaboration", "Outcomes", "Engagement")
DEFAULT_PAIR_CODES = ("FIN", "OPS")
SPARK_QUARTERS = 6
SINGULAR_UNITS = {"wins": "win", "visits": "visit", "people": "person", "days": "day"}  # "1 win", not "1 wins"


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
    def digits(self) -> int:
        """Decimals to show: none when every value is whole (counts: "3", "+0"), else one ("3.5", "+0.5")."""
        values = [self.value, self.previous, *(value for _, value in self.series)]
        return 0 if all(value is None or float(value).is_integer() for value in values) else 1

    @property
    def unit_label(self) -> str:
        """The unit as the value reads it: "1 win", "3 wins"."""
        return SINGULAR_UNITS.get(self.unit, self.unit) if self.value == 1 else self.unit

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
    return list(db.session.scalars(list_functions(active_only=True)))


def default_pair(functions: list[Function]) -> tuple[int, int] | None:
    """Finance and Operations when both exist, else the first two functions, else None."""
    by_code = {f.code: f.id for f in functions}
    pair = tuple(by_code[c] for c in DEFAULT_PAIR_CODES if c in by_code)
    if len(pair) != 2:
        pair = tuple(f.id for f in functions[:2])
    return pair if len(pair) == 2 else None

"""The what-if maths of a request's options, as plain functions (no Flask, no session).

Each option is a linear model of one driver x (monthly volume, price, hours ...):
cost per month = fixed + per_unit * x, and it can serve the driver up to its capacity.
The preferred option at x is the cheapest one that can serve x (the first listed on a tie); when
none can, the one with the most capacity. The flip points are the driver values where the preferred
option changes, found exactly (in fractions) from the lines' intersections and the capacities.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations, pairwise

Number = Fraction | int


@dataclass(frozen=True)
class OptionModel:
    label: str
    fixed: Fraction  # cost per month that does not depend on the driver
    per_unit: Fraction  # cost per month for each unit of the driver
    capacity: Fraction | None  # the largest driver value it can serve (None: no limit)

    def cost(self, x: Number) -> Fraction:
        return self.fixed + self.per_unit * Fraction(x)

    def serves(self, x: Number) -> bool:
        return self.capacity is None or Fraction(x) <= self.capacity


@dataclass(frozen=True)
class Row:
    label: str
    cost: Fraction
    capacity: Fraction | None
    serves: bool
    preferred: bool


@dataclass(frozen=True)
class FlipPoint:
    at: Fraction  # the driver value where the preference changes
    below: int  # index of the option preferred just below it
    above: int  # index of the option preferred just above it


def preferred(options: list[OptionModel], x: Number) -> int | None:
    """Index of the preferred option at driver value x (None when there are no options)."""
    return _preferred_index(options, x) if options else None


def _preferred_index(options: list[OptionModel], x: Number) -> int:
    """Index of the preferred option at x among options (at least one)."""
    serving = [i for i, option in enumerate(options) if option.serves(x)]
    if serving:
        return min(serving, key=lambda i: (options[i].cost(x), i))
    return max(range(len(options)), key=lambda i: (options[i].capacity or 0, -i))


def table(options: list[OptionModel], x: Number) -> list[Row]:
    """The side-by-side rows at driver value x."""
    best = preferred(options, x)
    return [Row(option.label, option.cost(x), option.capacity, option.serves(x), i == best)
            for i, option in enumerate(options)]


def _candidates(options: list[OptionModel]) -> list[Fraction]:
    """Every driver value where the preference could change: capacities and the lines' crossings."""
    points = {option.capacity for option in options if option.capacity is not None}
    for first, second in combinations(options, 2):
        if first.per_unit != second.per_unit:
            points.add((second.fixed - first.fixed) / (first.per_unit - second.per_unit))
    return sorted(points)


def flip_points(options: list[OptionModel], low: Number, high: Number) -> list[FlipPoint]:
    """The driver values in (low, high) where the preferred option changes, in order, exact.

    Between two consecutive candidates the preference is constant, so each candidate is tested
    by comparing the option preferred on the open intervals either side of it.
    """
    if not options:
        return []
    low, high = Fraction(low), Fraction(high)
    inside = [point for point in _candidates(options) if low < point < high]
    edges = [low, *inside, high]
    on_interval = [_preferred_index(options, (left + right) / 2) for left, right in pairwise(edges)]
    return [FlipPoint(point, on_interval[i], on_interval[i + 1])
            for i, point in enumerate(inside) if on_interval[i] != on_interval[i + 1]]


def nearest_flip(options: list[OptionModel], x: Number, low: Number, high: Number) -> FlipPoint | None:
    """The flip point closest to x, or None when the preferred option is the same over the whole range."""
    flips = flip_points(options, low, high)
    return min(flips, key=lambda flip: abs(flip.at - Fraction(x))) if flips else None


def holds(actual: float, comparison: str, threshold: float) -> bool:
    """Whether a condition held: actual compared with threshold."""
    return COMPARISONS[comparison][1](actual, threshold)


COMPARISONS = {
    ">=": ("at least", lambda actual, threshold: actual >= threshold),
    ">": ("above", lambda actual, threshold: actual > threshold),
    "<=": ("at most", lambda actual, threshold: actual <= threshold),
    "<": ("below", lambda actual, threshold: actual < threshold),
}

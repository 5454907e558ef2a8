"""The what-if maths: the preferred option, and flip points that are exact and complete (property tests)."""
from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from programs.resource_requests.whatif import OptionModel, flip_points, holds, nearest_flip, preferred, table

HIGH = Fraction(5000)


def option(label: str, fixed: int, per_unit: Fraction | int, capacity: int | None = None) -> OptionModel:
    return OptionModel(label, Fraction(fixed), Fraction(per_unit), None if capacity is None else Fraction(capacity))


def test_the_cheapest_option_that_serves_the_driver_is_preferred():
    no = option("No", 0, 0, capacity=1000)
    contractors = option("Contractors", 2000, 3)
    hire = option("Hire", 9000, 0)
    assert preferred([no, contractors, hire], 900) == 0  # today's team copes: no costs nothing
    assert preferred([no, contractors, hire], 1200) == 1  # 5,600 beats 9,000
    assert preferred([no, contractors, hire], 2500) == 2  # 9,500 loses to 9,000
    rows = table([no, contractors, hire], 1200)
    assert [row.preferred for row in rows] == [False, True, False]
    assert rows[1].cost == 5600 and rows[0].serves is False


def test_flip_points_are_exact_for_lines_and_capacities():
    no = option("No", 0, 0, capacity=1000)
    contractors = option("Contractors", 2000, 3)
    hire = option("Hire", 9000, 0)
    flips = flip_points([no, contractors, hire], 0, HIGH)
    assert [(flip.at, flip.below, flip.above) for flip in flips] == [(1000, 0, 1), (Fraction(7000, 3), 1, 2)]
    assert nearest_flip([no, contractors, hire], 2000, 0, HIGH).at == Fraction(7000, 3)


def test_no_flip_point_when_one_option_wins_everywhere():
    assert flip_points([option("A", 100, 1), option("B", 200, 2)], 0, HIGH) == []
    assert nearest_flip([option("A", 100, 1)], 10, 0, HIGH) is None


def test_when_nothing_serves_the_largest_capacity_is_preferred():
    assert preferred([option("Small", 0, 0, 10), option("Big", 50, 0, 20)], 30) == 1
    assert preferred([], 3) is None


def test_conditions_compare_the_actual_with_the_threshold():
    assert holds(1250, ">=", 1200) and holds(1200, ">=", 1200) and not holds(1200, ">", 1200)
    assert holds(5, "<", 6) and not holds(7, "<=", 6)


options_strategy = st.lists(
    st.builds(option, st.just("o"), st.integers(0, 20000), st.fractions(0, 20, max_denominator=8),
              st.one_of(st.none(), st.integers(1, 4000))),
    min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(options_strategy, st.fractions(0, HIGH, max_denominator=50))
def test_preferred_is_the_brute_force_minimum(options, x):
    serving = [i for i, o in enumerate(options) if o.capacity is None or x <= o.capacity]
    best = preferred(options, x)
    if serving:
        assert best in serving
        assert all(options[best].cost(x) <= options[i].cost(x) for i in serving)
    else:
        assert options[best].capacity == max(o.capacity for o in options)


@settings(max_examples=200, deadline=None)
@given(options_strategy)
def test_the_preference_changes_exactly_at_the_flip_points(options):
    flips = flip_points(options, 0, HIGH)
    edges = [Fraction(0), *(flip.at for flip in flips), HIGH]
    assert edges == sorted(set(edges)), "flip points are distinct and in order"
    tiny = Fraction(1, 10**9)
    for flip in flips:  # either side of a flip point, a different option is preferred
        assert preferred(options, flip.at - tiny) == flip.below != flip.above == preferred(options, flip.at + tiny)
    for left, right in pairwise(edges):  # and between two, the same one all along
        samples = [left + (right - left) * Fraction(k, 7) for k in range(1, 7)]
        assert len({preferred(options, s) for s in samples}) == 1

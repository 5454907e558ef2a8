"""The plain maths of early warnings (and the points rule recognition applies to them)."""
from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from programs.early_warnings import rules
from recognition.rules import warning_points


def test_working_days_skip_the_weekend():
    thursday = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    assert rules.add_working_days(thursday, 2) == datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # Friday, Monday
    saturday = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert rules.add_working_days(saturday, 1) == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert rules.add_working_days(thursday, 0) == thursday


@pytest.mark.parametrize("text, start, end", [
    ("2026-07", date(2026, 7, 1), date(2026, 8, 1)),
    ("2026-12", date(2026, 12, 1), date(2027, 1, 1)),
    ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1)),
])
def test_periods_parse_to_their_days(text, start, end):
    period = rules.parse_period(text)
    assert (period.label, period.start, period.end) == (text, start, end)


@pytest.mark.parametrize("text", ["", "2026-13", "2026-00", "2026-Q5", "1899-Q1", "2999-01", "26-07", "2026-7",
                                  "2026-07\x00", "９９９９-01", "２０２６-07"])
def test_malformed_or_absurd_periods_are_refused(text):
    assert rules.parse_period(text) is None


def test_previous_period_and_containment():
    assert rules.previous_period(rules.parse_period("2026-01")).label == "2025-12"
    assert rules.previous_period(rules.parse_period("2026-Q1")).label == "2025-Q4"
    quarter, month = rules.parse_period("2026-Q3"), rules.parse_period("2026-08")
    assert rules.periods_overlap_by_containment(quarter, month)
    assert rules.periods_overlap_by_containment(month, quarter)
    assert not rules.periods_overlap_by_containment(quarter, rules.parse_period("2026-10"))


def test_lead_time_counts_days_to_the_start_of_the_period():
    assert rules.lead_time_days(date(2026, 9, 1), rules.parse_period("2026-Q4")) == 30
    assert rules.lead_time_days(date(2026, 10, 11), rules.parse_period("2026-Q4")) == -10


def test_points_grow_with_lead_time_are_capped_and_never_negative():
    assert warning_points(-30) == warning_points(0) == warning_points(6) == 10
    assert warning_points(7) == 12
    assert warning_points(70) == 30
    assert warning_points(10_000) == 30


@pytest.mark.parametrize("value, problem", [
    (None, "Enter"), (math.inf, "finite"), (math.nan, "finite"), (-5.0, "more than zero"), (0.0, "more than zero"),
    (1e13, "at most"),
])
def test_amount_problems(value, problem):
    assert problem in rules.amount_problem(value, "impact")


def test_a_sensible_amount_has_no_problem():
    assert rules.amount_problem(1250.5, "impact") is None


def test_materiality_is_the_lower_of_the_percent_and_the_fixed_amount():
    # expected 1,000,000: 5% is 50,000, the fixed amount 20,000 is lower
    assert rules.materiality_limit(1_000_000, 5, 20_000) == 20_000
    assert rules.is_material(1_020_001, 1_000_000, 5, 20_000)
    assert not rules.is_material(1_019_999, 1_000_000, 5, 20_000)
    # expected 100,000: 5% is 5,000, lower than the fixed amount
    assert rules.materiality_limit(100_000, 5, 20_000) == 5_000
    assert rules.is_material(94_000, 100_000, 5, 20_000)  # below as well as above
    assert rules.materiality_limit(-200, 5, 20_000) == 10  # a negative expectation (a loss) still has a size


def test_calibration_counts_hits_and_the_lean_of_misses():
    result = rules.calibration([(10, 20, 15), (10, 20, 25), (10, 20, 5), (10, 20, 20)])
    assert (result.judged, result.within_share, result.above, result.below) == (4, 50.0, 1, 1)
    assert rules.calibration([]).within_share is None


def test_share_and_median():
    assert rules.share(1, 4) == 25.0
    assert rules.share(0, 0) is None
    assert rules.median_or_none([3.0, 1.0, 2.0]) == 2.0
    assert rules.median_or_none([]) is None

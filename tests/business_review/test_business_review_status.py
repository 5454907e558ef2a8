"""The status rules as plain maths: percent of target, mirrored for lower-is-better, thresholds, crossings, trend."""
from __future__ import annotations

import math

import pytest

from programs.business_review.status import (
    AMBER,
    GREEN,
    IMPROVING,
    RED,
    STEADY,
    UNKNOWN,
    WORSENING,
    StatusRules,
    crossing,
    metric_status,
    percent_of_target,
    rules_error,
    target_status,
    thresholds_error,
    trend,
)

RULES = StatusRules()


@pytest.mark.parametrize(("value", "expected"), [
    (100, GREEN), (95, GREEN), (105, GREEN), (120, GREEN), (94.9, AMBER), (85, AMBER), (84.9, RED), (0, RED)])
def test_higher_is_better_on_track_from_95_behind_from_85_at_risk_below(value, expected):
    assert target_status(value, 100, True, RULES) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (100, GREEN), (105, GREEN), (80, GREEN), (105.1, AMBER), (115, AMBER), (115.1, RED)])
def test_lower_is_better_mirrors_the_bands(value, expected):
    assert target_status(value, 100, False, RULES) == expected


def test_the_bands_are_settings():
    strict = StatusRules(on_track_percent=99, at_risk_percent=97)
    assert target_status(98, 100, True, strict) == AMBER and target_status(96, 100, True, strict) == RED


def test_percent_of_target_and_no_usable_target():
    assert percent_of_target(90, 100, True) == pytest.approx(90) and percent_of_target(
        110, 100, False
    ) == pytest.approx(90)
    assert percent_of_target(5, 0, True) is None
    assert target_status(5, None, True, RULES) == UNKNOWN and target_status(5, 0, True, RULES) == UNKNOWN


def test_a_red_value_is_red_whatever_else_it_shows():
    # on plan against a target, but beyond the red threshold
    assert metric_status(80, 80, True, amber=88, red=85, rules=RULES) == RED
    assert metric_status(70, 70, False, amber=60, red=65, rules=RULES) == RED
    # beyond amber only: at least amber; within both: the target decides
    assert metric_status(87, 87, True, amber=88, red=85, rules=RULES) == AMBER
    assert metric_status(96, 100, True, amber=88, red=85, rules=RULES) == GREEN
    assert metric_status(None, 100, True, amber=88, red=85, rules=RULES) == UNKNOWN
    assert metric_status(90, None, True, amber=88, red=85, rules=RULES) == GREEN


@pytest.mark.parametrize(("higher", "amber", "red", "ok"), [
    (True, 90, 85, True), (True, 85, 90, False), (True, 90, 90, False),
    (False, 60, 65, True), (False, 65, 60, False), (True, math.inf, 85, False), (True, 90, math.nan, False)])
def test_thresholds_must_be_finite_and_red_beyond_amber(higher, amber, red, ok):
    assert (thresholds_error(higher, amber, red) is None) == ok


def test_status_rules_must_be_ordered_and_finite():
    assert rules_error(95, 85) is None
    assert rules_error(85, 95) and rules_error(95, 0) and rules_error(101, 85) and rules_error(math.inf, 85)


def test_a_crossing_is_a_move_into_a_worse_threshold_band():
    assert crossing(None, 89, True, 90, 85) == AMBER
    assert crossing(92, 84, True, 90, 85) == RED
    assert crossing(89, 86, True, 90, 85) is None  # still amber: no new crossing
    assert crossing(84, 89, True, 90, 85) is None  # getting better is no alert
    assert crossing(58, 61, False, 60, 65) == AMBER and crossing(None, 59, False, 60, 65) is None


def test_trend_follows_the_direction():
    assert trend([90, 92], True) == IMPROVING and trend([90, 92], False) == WORSENING
    assert trend([90, 90.1], True) == STEADY and trend([90], True) is None

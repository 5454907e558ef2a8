"""Status rules of the monthly business review, as plain functions (no Flask, no session).

A value is compared with its target (percent of the expected value, mirrored for lower-is-better metrics)
and with the metric's amber and red thresholds; the worse of the two wins, so a red value is red whatever
else it shows.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

GREEN, AMBER, RED, UNKNOWN = "green", "amber", "red", "unknown"
SEVERITY = {UNKNOWN: -1, GREEN: 0, AMBER: 1, RED: 2}
LABELS = {GREEN: "On track", AMBER: "Behind", RED: "At risk", UNKNOWN: "No value"}
IMPROVING, WORSENING, STEADY = "improving", "worsening", "steady"


@dataclass(frozen=True)
class StatusRules:
    """On track from on_track_percent of the expected value, behind from at_risk_percent, at risk below."""

    on_track_percent: float = 95.0
    at_risk_percent: float = 85.0


def rules_error(on_track_percent: float, at_risk_percent: float) -> str | None:
    """Why these percentages cannot be the status rules, or None."""
    if not all(math.isfinite(value) for value in (on_track_percent, at_risk_percent)):
        return "Percentages must be finite numbers."
    if not 0 < at_risk_percent < on_track_percent <= 100:
        return "The 'at risk' percentage must be above 0 and below the 'on track' one, which is at most 100."
    return None


def thresholds_error(higher_is_better: bool, amber: float, red: float) -> str | None:
    """Why these thresholds do not fit the metric's direction, or None (red must lie beyond amber)."""
    if not (math.isfinite(amber) and math.isfinite(red)):
        return "Thresholds must be finite numbers."
    if higher_is_better and not red < amber:
        return "For a higher-is-better metric the red threshold must be below the amber one."
    if not higher_is_better and not red > amber:
        return "For a lower-is-better metric the red threshold must be above the amber one."
    return None


def percent_of_target(value: float, target: float, higher_is_better: bool) -> float | None:
    """How well value does against target, in percent (100 = on plan; mirrored for lower-is-better)."""
    if target == 0:
        return None
    ratio = value / target
    return 100.0 * (ratio if higher_is_better else 2 - ratio)


def target_status(value: float, target: float | None, higher_is_better: bool, rules: StatusRules) -> str:
    """Green, amber or red against the target alone (unknown without a usable target)."""
    if target is None:
        return UNKNOWN
    percent = percent_of_target(value, target, higher_is_better)
    if percent is None:
        return UNKNOWN
    if percent >= rules.on_track_percent:
        return GREEN
    return AMBER if percent >= rules.at_risk_percent else RED


def threshold_status(value: float, higher_is_better: bool, amber: float, red: float) -> str:
    """Red beyond the red threshold, amber beyond the amber one, else green."""
    def beyond(line: float) -> bool:
        return value < line if higher_is_better else value > line

    if beyond(red):
        return RED
    return AMBER if beyond(amber) else GREEN


def worst(*statuses: str) -> str:
    return max(statuses, key=SEVERITY.__getitem__)


def metric_status(value: float | None, target: float | None, higher_is_better: bool, amber: float, red: float,
                  rules: StatusRules) -> str:
    """The review's status of one value: the worse of its target status and its threshold status."""
    if value is None:
        return UNKNOWN
    return worst(target_status(value, target, higher_is_better, rules),
                 threshold_status(value, higher_is_better, amber, red))


def crossing(previous: float | None, value: float, higher_is_better: bool, amber: float, red: float) -> str | None:
    """AMBER or RED when value crosses into a worse threshold band than previous had (None: no crossing)."""
    before = GREEN if previous is None else threshold_status(previous, higher_is_better, amber, red)
    after = threshold_status(value, higher_is_better, amber, red)
    return after if SEVERITY[after] > SEVERITY[before] else None


def trend(values: list[float], higher_is_better: bool, tolerance: float = 0.005) -> str | None:
    """Improving, worsening or steady from the last two values (None with fewer than two)."""
    if len(values) < 2:
        return None
    previous, latest = values[-2], values[-1]
    change = latest - previous
    if abs(change) <= tolerance * max(abs(previous), 1.0):
        return STEADY
    return IMPROVING if (change > 0) == higher_is_better else WORSENING

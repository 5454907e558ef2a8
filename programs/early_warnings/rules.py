"""The plain maths of early warnings: working days, periods, lead time, materiality and calibration.

No Flask, no session: data in, data out (unit-tested in tests/early_warnings/test_warning_rules.py).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from webapp.periods import Quarter

MONTH_PATTERN = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
FIRST_YEAR, LAST_YEAR = 2000, 2100
AMOUNT_MAX = 1e12  # an impact beyond a trillion is a typing error


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment `days` working days (Monday to Friday) after start, at the same time of day."""
    moment, left = start, days
    while left > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment


@dataclass(frozen=True)
class Period:
    """A month ("2026-07") or a calendar quarter ("2026-Q3"): its label and its days [start, end)."""

    label: str
    start: date
    end: date  # the first day after the period

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end


def parse_period(text: str) -> Period | None:
    """A month or quarter label as a Period; None when malformed or outside FIRST_YEAR..LAST_YEAR."""
    text = (text or "").strip()
    quarter = Quarter.parse(text)
    if quarter is not None:
        return Period(str(quarter), quarter.start, quarter.end) if FIRST_YEAR <= quarter.year <= LAST_YEAR else None
    match = MONTH_PATTERN.match(text)
    if not match or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        return None
    start = date(int(match[1]), int(match[2]), 1)
    return Period(text, start, (start + timedelta(days=32)).replace(day=1))


def stored_period(label: str) -> Period:
    """A period label read back from a row (checked when it was written) as a Period."""
    period = parse_period(label)
    if period is None:
        raise ValueError(f"not a month or quarter: {label!r}")
    return period


def periods_overlap_by_containment(first: Period, second: Period) -> bool:
    """A warning about a month speaks to its quarter, and one about a quarter to each of its months."""
    return first.contains(second) or second.contains(first)


def previous_period(period: Period) -> Period:
    """The month or quarter just before period."""
    quarter = Quarter.parse(period.label)
    if quarter is not None:
        before = quarter.previous()
        return Period(str(before), before.start, before.end)
    start = (period.start - timedelta(days=1)).replace(day=1)
    return Period(f"{start.year:04d}-{start.month:02d}", start, period.start)


def lead_time_days(raised_on: date, period: Period) -> int:
    """Days between raising a warning and the start of the period it hits (negative once the period began)."""
    return (period.start - raised_on).days


def amount_problem(value: float | None, label: str) -> str | None:
    """Why an amount is unacceptable (missing, not finite, not positive, absurdly large), or None."""
    if value is None:
        return f"Enter the {label}."
    if not math.isfinite(value):
        return f"The {label} must be a finite number."
    if value <= 0:
        return f"The {label} must be more than zero."
    if value > AMOUNT_MAX:
        return f"The {label} must be at most {AMOUNT_MAX:,.0f}."
    return None


def materiality_limit(expected: float, percent: float, fixed_amount: float) -> float:
    """The size a variance must exceed to be material: percent of expected or the fixed amount, whichever is lower."""
    return min(abs(expected) * percent / 100.0, fixed_amount)


def is_material(actual: float, expected: float, percent: float, fixed_amount: float) -> bool:
    """True when |actual - expected| is beyond the materiality limit."""
    return abs(actual - expected) > materiality_limit(expected, percent, fixed_amount)


def within_range(actual: float, low: float, high: float) -> bool:
    return low <= actual <= high


@dataclass(frozen=True)
class Calibration:
    """How well impact ranges held: how many were judged, the share inside the range, and the lean of the misses."""

    judged: int
    within_share: float | None  # percent of judged whose actual fell inside [low, high]
    above: int  # actual larger than the high end
    below: int  # actual smaller than the low end


def calibration(estimates: list[tuple[float, float, float]]) -> Calibration:
    """(low, high, actual) per closed warning -> Calibration (None share when nothing was judged)."""
    within = sum(within_range(actual, low, high) for low, high, actual in estimates)
    above = sum(actual > high for low, high, actual in estimates)
    share = 100.0 * within / len(estimates) if estimates else None
    return Calibration(len(estimates), share, above, len(estimates) - within - above)


def share(part: int, whole: int) -> float | None:
    """part of whole in percent, or None when whole is zero."""
    return 100.0 * part / whole if whole else None


def median_or_none(values: list[float]) -> float | None:
    return float(median(values)) if values else None

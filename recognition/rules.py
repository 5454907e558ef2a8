"""The pure rules of recognition: periods, what a receiver gets, how a win's points split.

Plain functions, data in and data out (no Flask, no session): the property tests use them directly.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

# The company values until an admin sets the organisation's own (recognition settings); kudos and wins store codes
DEFAULT_COMPANY_VALUES = ("Customer first", "One team", "Ownership", "Candour", "Curiosity", "Craft")
VALUE_NAME_MAX = 40
VALUES_MAX = 12
_NOT_CODE = re.compile(r"[^a-z0-9]+")
# Each reaction and its icon (a symbol of the vendored Bootstrap Icons subset): no emoji font is needed.
REACTIONS = {"clap": "hand-thumbs-up", "heart": "heart", "party": "stars", "bulb": "lightbulb", "handshake": "people"}
RECIPROCITY_FLOOR_PCT = 25
_RUNS = re.compile(r"(.)\1+")


def value_code(name: str) -> str:
    """The code kudos and wins store for a company value: "One team" is "one-team"."""
    return _NOT_CODE.sub("-", name.casefold()).strip("-")


COMPANY_VALUES = tuple(value_code(name) for name in DEFAULT_COMPANY_VALUES)  # the default codes (demo, bench)


def parse_company_values(text: str) -> list[str]:
    """The company values an admin typed, one per line (blank lines and repeats dropped); ValueError if unfit."""
    names: dict[str, str] = {}
    for line in text.splitlines():
        name = " ".join(line.split())
        if len(name) > VALUE_NAME_MAX:
            raise ValueError(f"Keep each value under {VALUE_NAME_MAX} characters.")
        if value_code(name):
            names.setdefault(value_code(name), name)
    if not 1 <= len(names) <= VALUES_MAX:
        raise ValueError(f"Name between 1 and {VALUES_MAX} company values, one per line.")
    return list(names.values())


def meaningful_length(text: str) -> int:
    """How many characters of substance text has: letters and digits only, each run of one repeated
    character counted once ("aaaa" is 1, "Thanks" padded with spaces is 6)."""
    letters = "".join(ch for ch in " ".join(text.split()).casefold() if ch.isalnum())
    return len(_RUNS.sub(r"\1", letters))


def month_end(moment: date | datetime) -> date:
    """The last day of the month a moment belongs to (when that month's allowance expires)."""
    return date(moment.year, moment.month, calendar.monthrange(moment.year, moment.month)[1])


def trading_exchanges(given_before: int, received_before: int) -> int:
    """The exchanges that damp a gift: only genuine trading counts (the receiver has given back within the
    window); then every earlier kudos between the two, either way. A one-way stream of thanks pays in full."""
    return given_before + received_before if received_before else 0








def allowance_for(monthly: int, per_report: int, direct_reports: int) -> int:
    """A month's allowance: the base, plus the extra per direct report for managers."""
    return monthly + per_report * direct_reports


def reciprocity_pct(previous_exchanges: int) -> int:
    """Diminishing return for two people trading kudos: 100, 50, 25 ... percent, never below the floor.

    previous_exchanges counts earlier kudos between two people who trade (see trading_exchanges).
    """
    return max(RECIPROCITY_FLOOR_PCT, 100 // (2 ** min(previous_exchanges, 8)))


@dataclass(frozen=True)
class Receipt:
    """What one receiver gets for a gift of `paid` points: base (after reciprocity) and bridge bonus."""

    paid: int
    base: int
    bridge_bonus: int

    @property
    def total(self) -> int:
        return self.base + self.bridge_bonus


def receipt(paid: int, previous_exchanges: int, crosses_functions: bool, bridge_multiplier_pct: int) -> Receipt:
    """Points received for `paid` given: reciprocity first, then the bridge bonus (free for the giver).

    The bonus rounds up, so even a 1-point kudos across functions earns one."""
    base = max(1, paid * reciprocity_pct(previous_exchanges) // 100) if paid > 0 else 0
    crossing = crosses_functions and bridge_multiplier_pct > 100
    bonus = -(-base * (bridge_multiplier_pct - 100) // 100) if crossing else 0
    return Receipt(paid, base, bonus)


def win_shares(points_per_function: int, function_count: int, people: int) -> int:
    """Each credited person's share of a win: a pool of points_per_function per credited function,
    split evenly among the credited people (rounded down, at least 1)."""
    if people <= 0:
        return 0
    return max(1, points_per_function * function_count // people)


def one_way_pairs(flows: dict[tuple[int, int], int]) -> set[tuple[int, int]]:
    """(giver function, receiver function) pairs with recognition one way and none back."""
    return {(a, b) for (a, b), n in flows.items() if n > 0 and a != b and flows.get((b, a), 0) == 0}


def anniversary_years(hired_on: date, today: date) -> int | None:
    """Whole years since hired_on when today is its anniversary (29 February counts on 28 February)."""
    if hired_on >= today:
        return None
    day = hired_on.day
    if hired_on.month == 2 and day == 29:
        leap = today.year % 4 == 0 and (today.year % 100 != 0 or today.year % 400 == 0)
        day = 29 if leap else 28
    if (today.month, today.day) != (hired_on.month, day):
        return None
    return today.year - hired_on.year



WARNING_BASE_POINTS, WARNING_POINTS_PER_WEEK, WARNING_MAX_LEAD_POINTS = 10, 2, 20


def warning_points(lead_days: int) -> int:
    """Points for raising an early warning: a base, plus more for each full week of lead time (capped); never
    negative, whatever later happens to the warning."""
    return WARNING_BASE_POINTS + min(WARNING_MAX_LEAD_POINTS, WARNING_POINTS_PER_WEEK * (max(lead_days, 0) // 7))

"""Period maths, one place for all of it: months ("2026-11") and calendar quarters ("2026-Q4").

Ledger entries are kept by month, scorecards, boards and visits by quarter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from webapp import clock

QUARTER_PATTERN = re.compile(r"^(\d{4})-Q([1-4])$")
FIRST_YEAR, LAST_YEAR = 1900, 2200  # the quarters anyone could mean; beyond them dates overflow


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def containing(cls, day: date | datetime) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter | None:
        """'2026-Q3' -> Quarter(2026, 3); None when malformed or outside FIRST_YEAR..LAST_YEAR."""
        match = QUARTER_PATTERN.match(text or "")
        if not match or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
            return None
        return cls(int(match[1]), int(match[2]))

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The first day after the quarter."""
        return self.next().start

    @property
    def start_utc(self) -> datetime:
        return datetime(self.start.year, self.start.month, 1, tzinfo=UTC)

    @property
    def end_utc(self) -> datetime:
        return datetime(self.end.year, self.end.month, 1, tzinfo=UTC)

    def months(self) -> list[str]:
        """Its three months, as "YYYY-MM"."""
        first = 3 * self.number - 2
        return [f"{self.year:04d}-{month:02d}" for month in range(first, first + 3)]

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def trailing(self, count: int) -> list[Quarter]:
        """This quarter and the count-1 before it, oldest first."""
        quarters = [self]
        while len(quarters) < count:
            quarters.append(quarters[-1].previous())
        return quarters[::-1]

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


def last_complete_quarter() -> Quarter:
    """The scorecard's default: the latest quarter that has ended."""
    return Quarter.containing(clock.today()).previous()


def month_label(moment: date | datetime) -> str:
    """The month a moment belongs to, as "YYYY-MM"."""
    return f"{moment.year:04d}-{moment.month:02d}"


def quarter_label(moment: date | datetime) -> str:
    """The quarter a moment belongs to, as "YYYY-Qn"."""
    return str(Quarter.containing(moment))


def period_quarter(period: str) -> str:
    """The quarter of a period label: '2025-07' (a month) -> '2025-Q3'; a quarter label stays as it is."""
    if "-Q" in period:
        return period
    year, month = period.split("-")
    return f"{year}-Q{(int(month) - 1) // 3 + 1}"


def quarter_ordinal(label: str) -> int:
    """'2025-Q3' -> a number that grows by one per quarter (consecutive quarters differ by one)."""
    year, number = label.split("-Q")
    return int(year) * 4 + int(number) - 1


def quarter_months(label: str) -> list[str]:
    """The three months of the quarter labelled "YYYY-Qn"."""
    quarter = Quarter.parse(label)
    if quarter is None:
        raise ValueError(f"not a quarter: {label!r}")
    return quarter.months()

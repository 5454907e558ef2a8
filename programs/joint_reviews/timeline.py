"""Merging the functions' timelines of a review and flagging where their accounts diverge (plain maths).

The algorithm, kept simple on purpose:
1. Entries whose topics are the same after normalising (case, spaces, punctuation) describe one moment.
2. Moments that only one function described are then paired with another function's lone moment when their
   times lie within `tolerance` of each other: the same moment, described differently.
3. Each merged moment is flagged when the accounts diverge: a function that drafted a timeline did not
   mention it ("missing"), its times differ by more than `tolerance` ("time"), or it is the same moment under
   different topics ("wording").
The merged timeline is ordered by each moment's earliest time.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DEFAULT_TOLERANCE = timedelta(minutes=60)


@dataclass(frozen=True)
class Entry:
    id: int
    function_id: int
    at: datetime
    topic: str
    text: str = ""


@dataclass
class Moment:
    """One thing that happened, as each function told it."""

    entries: list[Entry] = field(default_factory=list)
    divergences: list[str] = field(default_factory=list)  # "missing", "time", "wording"
    missing_function_ids: list[int] = field(default_factory=list)

    @property
    def at(self) -> datetime:
        return min(entry.at for entry in self.entries)

    @property
    def function_ids(self) -> set[int]:
        return {entry.function_id for entry in self.entries}

    @property
    def diverges(self) -> bool:
        return bool(self.divergences)


def normalise_topic(topic: str) -> str:
    """Lower case, punctuation dropped, single spaces: "Invoice  held!" == "invoice held"."""
    return " ".join(re.sub(r"[^\w\s]", " ", topic.casefold()).split())


def merge(entries: Iterable[Entry], tolerance: timedelta = DEFAULT_TOLERANCE) -> list[Moment]:
    """The merged timeline of every function's entries, each moment flagged where the accounts diverge."""
    entries = sorted(entries, key=lambda e: (e.at, e.function_id, e.id))
    drafted = {entry.function_id for entry in entries}
    by_topic: dict[str, Moment] = {}
    for entry in entries:
        by_topic.setdefault(normalise_topic(entry.topic), Moment()).entries.append(entry)
    moments = _pair_lone_moments(list(by_topic.values()), tolerance)
    for moment in moments:
        _flag(moment, drafted, tolerance)
    return sorted(moments, key=lambda m: (m.at, min(e.id for e in m.entries)))


def _pair_lone_moments(moments: list[Moment], tolerance: timedelta) -> list[Moment]:
    """Join moments told by one function only with the nearest-in-time lone moment of another function."""
    lone = sorted((m for m in moments if len(m.function_ids) == 1), key=lambda m: m.at)
    merged: list[Moment] = [m for m in moments if len(m.function_ids) > 1]
    used: set[int] = set()
    for i, moment in enumerate(lone):
        if i in used:
            continue
        partner = next((j for j in range(i + 1, len(lone)) if j not in used
                        and lone[j].function_ids != moment.function_ids
                        and abs(lone[j].at - moment.at) <= tolerance), None)
        if partner is not None:
            used.add(partner)
            moment = Moment(entries=moment.entries + lone[partner].entries, divergences=["wording"])
        merged.append(moment)
    return merged


def _flag(moment: Moment, drafted: set[int], tolerance: timedelta) -> None:
    """Add the moment's divergences: functions that drafted but did not mention it, and times far apart."""
    moment.missing_function_ids = sorted(drafted - moment.function_ids)
    if moment.missing_function_ids:
        moment.divergences.append("missing")
    earliest_by_function: dict[int, datetime] = {}
    for entry in moment.entries:
        earliest_by_function[entry.function_id] = min(entry.at, earliest_by_function.get(entry.function_id, entry.at))
    times = earliest_by_function.values()
    if len(earliest_by_function) > 1 and max(times) - min(times) > tolerance:
        moment.divergences.append("time")


def divergence_count(moments: list[Moment]) -> int:
    return sum(moment.diverges for moment in moments)

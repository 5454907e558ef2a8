"""Records a programme keeps about a pair of functions (warnings, requests, reviews ...), as plain data.

Programmes register a source at start-up; others list a pair's records through `pair_records()`
(the monthly business review shows them, a joint review links the warning that came before it)
without importing the programme that keeps them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PairRecord:
    kind: str  # the registered kind: "warning", "request", "review" ...
    id: int
    title: str
    url: str
    status: str  # short, human: "open", "acknowledged", "decided" ...
    dated: date  # the day it was raised or opened
    is_open: bool


RecordSource = Callable[[tuple[int, int], date, date], list[PairRecord]]
"""(pair of function ids, first day, last day) -> the pair's records open during or dated within those days."""


@dataclass(frozen=True)
class _Kind:
    label: str
    source: RecordSource
    order: int


_kinds: dict[str, _Kind] = {}


def register_pair_records(kind: str, label: str, source: RecordSource, order: int = 100) -> None:
    """Add (or replace) the source of one kind of record."""
    _kinds[kind] = _Kind(label, source, order)


def pair_record_kinds() -> list[tuple[str, str]]:
    """(kind, label) of every registered source, in order."""
    return [(kind, entry.label) for kind, entry in sorted(_kinds.items(), key=lambda item: (item[1].order, item[0]))]


def pair_records(
    pair: tuple[int, int], first: date, last: date, kind: str | None = None
) -> dict[str, list[PairRecord]]:
    """The pair's records by kind (only `kind` when given); a pair is unordered."""
    ordered = (min(pair), max(pair))
    return {name: _kinds[name].source(ordered, first, last) for name, _ in pair_record_kinds()
            if kind is None or name == kind}

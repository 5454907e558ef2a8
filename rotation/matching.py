"""Applicant-proposing deferred acceptance with capacities (many-to-one, as in residency matching).

Plain functions over plain data, no Flask: applicants and openings are any hashable, sortable ids.
A pair is acceptable when the applicant lists the opening and the opening's host lists the applicant.
The result is the applicant-optimal stable matching, so it does not depend on the order of proposals.
"""
from __future__ import annotations

import heapq
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar


class SortableId(Hashable, Protocol):
    """An id that can key a dict and be sorted (ints, strings)."""

    def __lt__(self, other: Any, /) -> bool: ...


Applicant = TypeVar("Applicant", bound=SortableId)
Opening = TypeVar("Opening", bound=Hashable)


@dataclass(frozen=True)
class Instance(Generic[Applicant, Opening]):
    """Who wants what: applicants' ranked openings, hosts' ranked applicants, seats per opening."""

    applicant_prefs: Mapping[Applicant, Sequence[Opening]]
    host_prefs: Mapping[Opening, Sequence[Applicant]]
    capacities: Mapping[Opening, int]

    def host_ranks(self) -> dict[Opening, dict[Applicant, int]]:
        """opening -> applicant -> position in the host's list (0 is best)."""
        return {o: {a: i for i, a in enumerate(prefs)} for o, prefs in self.host_prefs.items()}


@dataclass(frozen=True)
class Rejection(Generic[Applicant, Opening]):
    """Why an unmatched applicant did not get one of their openings."""

    opening: Opening
    ranked_higher: tuple[Applicant, ...]  # who holds the seats, all ranked higher by the host
    not_ranked: bool = False  # the host did not list the applicant at all
    free_seat: bool = False  # the opening has a seat left in this assignment (a hand-made draft): a blocking pair
    ranked_lower: tuple[Applicant, ...] = ()  # holders the host ranks below the applicant (a hand-made draft)


def deferred_acceptance(instance: Instance[Applicant, Opening]) -> dict[Applicant, Opening]:
    """The applicant-optimal stable matching: applicant -> opening (unmatched applicants are absent)."""
    ranks = instance.host_ranks()
    held: dict[Opening, list[tuple[int, Applicant]]] = {o: [] for o in instance.capacities}  # max-heap by rank
    next_choice = dict.fromkeys(instance.applicant_prefs, 0)
    free = sorted(instance.applicant_prefs, reverse=True)
    while free:
        applicant = free.pop()
        prefs = instance.applicant_prefs[applicant]
        while next_choice[applicant] < len(prefs):
            opening = prefs[next_choice[applicant]]
            next_choice[applicant] += 1
            rank = ranks.get(opening, {}).get(applicant)
            capacity = instance.capacities.get(opening, 0)
            if rank is None or capacity < 1:
                continue
            seats = held[opening]
            if len(seats) < capacity:
                heapq.heappush(seats, (-rank, applicant))
                break
            if -seats[0][0] > rank:
                _, bumped = heapq.heapreplace(seats, (-rank, applicant))
                free.append(bumped)
                break
    return {applicant: opening for opening, seats in held.items() for _, applicant in seats}


def holders(assignment: Mapping[Applicant, Opening]) -> dict[Opening, list[Applicant]]:
    """opening -> the applicants assigned to it."""
    by_opening: dict[Opening, list[Applicant]] = {}
    for applicant, opening in assignment.items():
        by_opening.setdefault(opening, []).append(applicant)
    return by_opening


def blocking_pairs(instance: Instance[Applicant, Opening],
                   assignment: Mapping[Applicant, Opening]) -> list[tuple[Applicant, Opening]]:
    """Acceptable (applicant, opening) pairs that both prefer each other to what they got."""
    ranks = instance.host_ranks()
    seats = holders(assignment)
    free = {o: len(seats.get(o, ())) < capacity for o, capacity in instance.capacities.items()}
    worst = {o: max((ranks.get(o, {}).get(a, len(ranks.get(o, {}))) for a in taken), default=-1)
             for o, taken in seats.items()}  # the host's rank of the least wanted holder
    pairs = []
    for applicant, prefs in instance.applicant_prefs.items():
        current = assignment.get(applicant)
        for opening in prefs:
            if opening == current:
                break
            rank = ranks.get(opening, {}).get(applicant)
            if rank is not None and (free.get(opening, False) or worst.get(opening, -1) > rank):
                pairs.append((applicant, opening))
    return pairs


def over_capacity(
    instance: Instance[Applicant, Opening], assignment: Mapping[Applicant, Opening]
) -> dict[Opening, int]:
    """opening -> seats assigned beyond its capacity (empty when capacity is respected)."""
    return {
        opening: len(taken) - instance.capacities.get(opening, 0)
        for opening, taken in holders(assignment).items()
        if len(taken) > instance.capacities.get(opening, 0)
    }


def explain_unmatched(instance: Instance[Applicant, Opening], assignment: Mapping[Applicant, Opening],
                      only: set[Applicant] | None = None) -> dict[Applicant, list[Rejection[Applicant, Opening]]]:
    """For each unmatched applicant (of only, when given), each preferred opening and who holds its seats."""
    ranks = instance.host_ranks()
    seats = holders(assignment)
    explanations: dict[Applicant, list[Rejection[Applicant, Opening]]] = {}
    for applicant, prefs in instance.applicant_prefs.items():
        if applicant in assignment or (only is not None and applicant not in only):
            continue
        reasons: list[Rejection[Applicant, Opening]] = []
        for opening in prefs:
            rank = ranks.get(opening, {}).get(applicant)
            if rank is None:
                reasons.append(Rejection(opening, (), not_ranked=True))
                continue
            taken = seats.get(opening, [])
            ahead = sorted((a for a in taken if ranks[opening].get(a, rank + 1) < rank),
                           key=lambda a: ranks[opening][a])
            below = tuple(a for a in taken if ranks[opening].get(a, rank + 1) > rank)
            reasons.append(Rejection(opening, tuple(ahead), free_seat=len(taken) < instance.capacities.get(opening, 0),
                                     ranked_lower=below))
        explanations[applicant] = reasons
    return explanations

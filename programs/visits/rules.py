"""The rules of joint visits as plain functions: data in, data out, no Flask and no session."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from programs.visits.models import LABEL_MAX, TAG_MAX

JOINT_MINIMUM_FUNCTIONS = 2
TAG_SEPARATORS = re.compile(r"[,;\n]+")
MAX_TAGS = 10
MAX_CONTACTS = 20


def is_joint(function_ids: Iterable[int | None]) -> bool:
    """A visit is joint when its attendees come from two or more functions."""
    return len({f for f in function_ids if f is not None}) >= JOINT_MINIMUM_FUNCTIONS




def confirmation_refusal(author_function_id: int | None, confirmer_function_id: int | None,
                         is_attendee: bool) -> str | None:
    """Why this person may not confirm the visit, or None when they may (the other visit rules aside)."""
    if not is_attendee:
        return "Only an attendee of the visit can confirm it."
    if confirmer_function_id is None or author_function_id is None:
        return "Confirmation needs an attendee of another function than the author's."
    if confirmer_function_id == author_function_id:
        return "An attendee of another function than the author's must confirm this visit."
    return None


def parse_tags(text: str) -> list[str]:
    """Learning tags from comma-separated text: lower-case, trimmed, de-duplicated, in order."""
    tags: list[str] = []
    for raw in TAG_SEPARATORS.split(text or ""):
        tag = " ".join(raw.split()).lower().lstrip("#")
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def tag_problems(tags: list[str]) -> list[str]:
    """What is wrong with a list of learning tags (empty when they are fine)."""
    problems = []
    if len(tags) > MAX_TAGS:
        problems.append(f"At most {MAX_TAGS} learnings per note.")
    problems += [f"“{t[:TAG_MAX]}…” is longer than {TAG_MAX} characters." for t in tags if len(t) > TAG_MAX]
    return problems


def parse_contacts(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The customer's people, one per line as "Name, role"; returns (name, role) pairs and problems."""
    contacts, problems = [], []
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_CONTACTS:
        problems.append(f"At most {MAX_CONTACTS} customer people per visit.")
    for number, line in enumerate(lines[:MAX_CONTACTS], start=1):
        name, _, role = (part.strip() for part in line.partition(","))
        if len(name) > LABEL_MAX * 2 or len(role) > LABEL_MAX * 2:
            problems.append(f"Line {number}: name and role are at most {LABEL_MAX * 2} characters each.")
        contacts.append((name, role))
    return contacts, problems


def follow_up_owner_problem(owner_function_id: int | None, partner_function_id: int | None,
                            needs_both: bool, partner_given: bool) -> str | None:
    """Why the owners of a follow-up do not fit, or None: one owner, or one per function when it needs both."""
    if not needs_both:
        return "A second owner is only for a follow-up that needs both functions." if partner_given else None
    if not partner_given:
        return "A follow-up that needs both functions needs an owner from each."
    if owner_function_id is None or partner_function_id is None or owner_function_id == partner_function_id:
        return "The two owners must come from different functions."
    return None


@dataclass(frozen=True)
class Candidate:
    """A person who might visit an account: their function and how often they already went there."""

    user_id: int
    function_id: int
    visits_here: int


def suggest_pairs(candidates: list[Candidate], visited_together: set[frozenset[int]],
                  limit: int = 10) -> list[tuple[Candidate, Candidate]]:
    """Pairs from two functions who have not visited the account together yet; most experienced first."""
    pairs = [
        (a, b) for a, b in combinations(candidates, 2)
        if a.function_id != b.function_id and frozenset((a.user_id, b.user_id)) not in visited_together
    ]
    pairs.sort(key=lambda p: (-(p[0].visits_here + p[1].visits_here), p[0].user_id, p[1].user_id))
    return pairs[:limit]


def coverage_rows(account_ids: list[int], cells: Iterable[tuple[int, int | None, int]],
                  joint_counts: dict[int, int], function_ids: list[int]) -> list[dict]:
    """Shape (account, function, visits) counts into one row per account with a cell per function."""
    by_account: dict[int, dict[int | None, int]] = {a: {} for a in account_ids}
    for account_id, function_id, visits in cells:
        if account_id in by_account:
            by_account[account_id][function_id] = visits
    return [
        {"account_id": a, "cells": [by_account[a].get(f, 0) for f in function_ids], "joint": joint_counts.get(a, 0)}
        for a in account_ids
    ]


def revision_changes(before: tuple[str, list[str]] | None, after: tuple[str, list[str]]) -> list[str]:
    """What a note revision changed, in words: (body, tags) before (None: the first version) and after."""
    if before is None:
        return ["wrote the note"]
    changes = ["changed the text"] if before[0] != after[0] else []
    added = [t for t in after[1] if t not in before[1]]
    removed = [t for t in before[1] if t not in after[1]]
    changes += [f"added {', '.join(added)}"] if added else []
    changes += [f"removed {', '.join(removed)}"] if removed else []
    return changes or ["saved it unchanged"]

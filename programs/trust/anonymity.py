"""Small-group suppression: which figures may be shown so that none describes fewer than k people.

Plain functions on counts. A cell is any reported figure, named by a hashable key; a group is a
partition: members whose respondents add up to the total (raters of one target, the values of
a filter inside one cell). Hiding one member of a visible total would let the reader recover it
by subtraction, so the next-smallest siblings are hidden too until at least two members are
hidden and together describe at least k people, or the total itself is hidden.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

MIN_GROUP_FLOOR = 3  # k may be configured, never below this
DEFAULT_MIN_GROUP = 5
DEFAULT_MIN_COMMENT_GROUP = 10


@dataclass(frozen=True)
class Group:
    """members partition the respondents of total."""

    members: tuple[Hashable, ...]
    total: Hashable


def suppress(counts: dict[Hashable, int], groups: Iterable[Group], k: int,
             pre_hidden: Iterable[Hashable] = ()) -> set[Hashable]:
    """The keys to hide: cells with 1..k-1 respondents, pre_hidden ones, and their complements."""
    groups = list(groups)
    hidden = {key for key, n in counts.items() if 0 < n < k} | set(pre_hidden)
    changed = True
    while changed:
        changed = False
        for group in groups:
            changed |= _protect(group, counts, hidden, k)
    return hidden


def _protect(group: Group, counts: dict[Hashable, int], hidden: set[Hashable], k: int) -> bool:
    """Hide siblings until the hidden members are at least two and together describe at least k people.

    One hidden member of a group could be recovered exactly (total minus the others) and then
    used in another group; so could a member that is the whole total. A hidden total is no
    excuse (it may be recoverable elsewhere). When no sibling is left, the total is hidden too.
    Returns True if anything changed.
    """
    present = [m for m in group.members if counts.get(m, 0) > 0]
    if len(present) == 1 and (present[0] in hidden) != (group.total in hidden):
        hidden.update((present[0], group.total))  # the member is the total: one figure, one fate
        return True
    hidden_members = [m for m in present if m in hidden]
    hidden_n = sum(counts[m] for m in hidden_members)
    changed = False
    while hidden_members and (hidden_n < k or len(hidden_members) < 2):
        visible = sorted((m for m in present if m not in hidden), key=lambda m: (counts[m], repr(m)))
        if not visible:
            changed |= group.total not in hidden
            hidden.add(group.total)
            return changed
        hidden.add(visible[0])
        hidden_members.append(visible[0])
        hidden_n += counts[visible[0]]
        changed = True
    return changed


def check_threshold(value: int, current: int | None, has_responses: bool, label: str) -> str | None:
    """Why a new minimum group size is refused, or None: never below the floor, never lowered after responses."""
    if value < MIN_GROUP_FLOOR:
        return f"The {label} cannot be below {MIN_GROUP_FLOOR}."
    if current is not None and has_responses and value < current:
        return f"This wave already has responses: its {label} cannot be lowered below {current}."
    return None


def remainder_refusal(total: int, chosen: int, k: int) -> str | None:
    """Why a filter is refused (its group or what it leaves out is a group of 1..k-1), or None."""
    if chosen < k:
        return f"This filter is not available: it selects fewer than {k} respondents."
    if 0 < total - chosen < k:
        return f"This filter is not available: it would leave out fewer than {k} respondents, who could be identified by subtraction."
    return None

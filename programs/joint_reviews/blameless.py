"""Blameless-language nudges: plain pattern matching, no Flask, no session.

`nudges(text, function_names)` finds counterfactual and blaming phrases ("should have", "failed to",
"if only", "careless", "Finance blocked" ...) and suggests a wording about the system instead.
The nudge is a gentle pointer: nothing is refused, and counts are kept per review, never per person.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Nudge:
    pattern: str  # a stable id of the pattern: "counterfactual", "failed-to", "blame-function" ...
    phrase: str  # the words found, as written
    start: int
    suggestion: str


# (id, regular expression, suggestion); {phrase} is replaced by the words found
_PATTERNS: tuple[tuple[str, str, str], ...] = (
    ("counterfactual", r"\b(?:should|could|would)(?:n['’]t| not)? have\b",
     "Describe what happened and what made it likely: \"no check prevented ...\" instead of \"{phrase}\"."),
    ("failed-to", r"\bfail(?:ed|s)? to\b",
     "Say what the process allowed: \"the step did not happen because ...\" instead of \"{phrase}\"."),
    ("if-only", r"\bif only\b",
     "Name the condition that was missing: \"nothing in the process ensured ...\"."),
    ("careless", r"\b(?:careless(?:ly|ness)?|negligen(?:t|ce)|sloppy|lazy|incompeten(?:t|ce))\b",
     "Describe the conditions (time pressure, missing information, unclear ownership) rather than a trait."),
    ("human-error", r"\bhuman error\b",
     "Ask how the system made the error easy: \"the form accepted ... without a warning\"."),
    ("fault", r"\b(?:(?:their|his|her|your) fault|to blame|blame[sd]?)\b",
     "Leave out who is at fault: describe the gap in the process."),
)
_BLAMING_VERBS = r"(?:blocked|failed|ignored|refused|dropped the ball|messed up|screwed up|didn['’]t bother)"
BLAME_FUNCTION_SUGGESTION = ("Describe the handover, not the team: \"no agreed step between the teams made sure "
                             "...\" instead of \"{phrase}\".")
COMMON_SHORT_NAMES = {"operations": ("ops",), "finance": ("fin",)}


def _function_pattern(function_names: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for "<function> blocked/failed ..." over the names given (and their usual short forms)."""
    names: set[str] = set()
    for name in function_names:
        name = name.strip()
        if name:
            names.add(name.lower())
            names.update(COMMON_SHORT_NAMES.get(name.lower(), ()))
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})(?:['’]s)?(?: team| people)? {_BLAMING_VERBS}", re.IGNORECASE)


def nudges(text: str, function_names: Iterable[str] = ()) -> list[Nudge]:
    """Every counterfactual or blaming phrase in text, in the order they appear, each with a suggestion."""
    found: list[Nudge] = []
    compiled = [(pid, re.compile(rx, re.IGNORECASE), hint) for pid, rx, hint in _PATTERNS]
    blame = _function_pattern(function_names)
    if blame is not None:
        compiled.insert(0, ("blame-function", blame, BLAME_FUNCTION_SUGGESTION))
    taken: list[tuple[int, int]] = []
    for pattern_id, regex, hint in compiled:
        for match in regex.finditer(text or ""):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue  # "Ops failed to" is one nudge (about the function), not two
            taken.append((match.start(), match.end()))
            found.append(Nudge(pattern_id, match.group(0), match.start(), hint.format(phrase=match.group(0))))
    return sorted(found, key=lambda nudge: nudge.start)

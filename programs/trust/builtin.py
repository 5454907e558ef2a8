"""The built-in "cross-functional trust pulse": written for this product, not a licensed instrument.

Each statement is about one target function ("they"); reverse items are worded negatively and
flipped before scoring.
"""
from __future__ import annotations

import math

from programs.trust.models import AGREE5

BUILTIN_NAME = "Cross-functional trust pulse"
BUILTIN_DESCRIPTION = (
    "Twelve statements about each function you work with, on six dimensions of trust between functions, "
    "an optional recommendation question and an optional comment. About three minutes."
)
DIMENSIONS = ("reliability", "communication", "understanding constraints", "shared goals", "respect", "problem solving")

# (dimension, statement, reverse-scored)
AGREEMENT_ITEMS = [
    ("reliability", "They deliver what they commit to, when they said they would.", False),
    ("reliability", "We often have to chase them for things they promised.", True),
    ("communication", "They share information early enough for us to act on it.", False),
    ("communication", "What they tell us is accurate and complete.", False),
    ("understanding constraints", "They understand the constraints we work under.", False),
    ("understanding constraints", "Their requests ignore our workload and our rules.", True),
    ("shared goals", "We work towards the same goals.", False),
    ("shared goals", "They would give up a local win for a result we share.", False),
    ("respect", "They treat our expertise with respect.", False),
    ("respect", "They listen to our view before they decide.", False),
    ("problem solving", "When things go wrong, they work with us on a fix instead of looking for blame.", False),
    ("problem solving", "We can raise a problem with them openly.", False),
]
RECOMMEND_ITEM = ("recommendation", "How likely are you to recommend working with them to a colleague?")
AGREEMENT_LABELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither", 4: "Agree", 5: "Strongly agree"}

SECONDS_PER_RATING = 8  # a five-point agreement item in a web survey takes about 5-10 seconds to read and answer
SECONDS_PER_SCALE_11 = 6  # the optional 0-10 question
SECONDS_PER_FUNCTION = 15  # reading who it is about, deciding whether you work with them, an optional comment glance
SECONDS_TO_START = 20


def time_estimate(items, functions: int) -> str:
    """"at most about 2 minutes" for the real item count asked about each of functions (people skip some)."""
    per_function = SECONDS_PER_FUNCTION + sum(
        SECONDS_PER_RATING if item.scale == AGREE5 else SECONDS_PER_SCALE_11 for item in items)
    minutes = max(1, math.ceil((SECONDS_TO_START + functions * per_function) / 60))
    return f"at most about {minutes} minute{'s' if minutes > 1 else ''}"

"""The built-in "cross-functional trust pulse": written for this product, not a licensed instrument.

Each statement is about one target function ("they"). The short form, and why:
- Six statements per function, two for each of the three facets of trustworthiness in Mayer, Davis and
  Schoorman's model (1995, "An integrative model of organizational trust"): ability (they deliver),
  benevolence (they take us into account) and integrity (they are straight with us). Their published scales
  (Mayer and Davis 1999) use 5-6 items a facet; two a facet is the least that still lets Cronbach's alpha be
  computed per dimension, and the pulse shows it (low alpha is flagged).
- By the Spearman-Brown formula, halving a scale whose alpha is 0.90 keeps about 0.82 (alpha' = 0.5a / (1 - 0.5a));
  12 statements for each of five functions was 60 ratings, the new form asks 30, and people may skip
  functions they do not work with, which cuts the low-information answers most.
- No reverse-worded statements: in short scales they tend to form a method factor of their own and lower
  reliability (Suarez-Alvarez et al. 2018, "Using reversed items in Likert scales: a questionable practice").
The recommendation question (0-10, for eNPS) and a comment stay optional.
"""
from __future__ import annotations

import math

from programs.trust.models import AGREE5

BUILTIN_NAME = "Cross-functional trust pulse"
BUILTIN_DESCRIPTION = (
    "Six statements about each function you work with, on three dimensions of trust between functions "
    "(reliability, consideration, openness), an optional recommendation question and an optional comment. "
    "You can skip functions you do not work with."
)

# (dimension, statement, reverse-scored)
AGREEMENT_ITEMS = [
    ("reliability", "They deliver what they commit to, when they said they would.", False),
    ("reliability", "They know their work and do it well.", False),
    ("consideration", "They take our constraints and workload into account.", False),
    ("consideration", "They treat our expertise with respect.", False),
    ("openness", "What they tell us is accurate and complete.", False),
    ("openness", "We can raise a problem with them openly.", False),
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

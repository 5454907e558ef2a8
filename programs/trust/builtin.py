"""The built-in "cross-functional trust pulse": written for this product, not a licensed instrument.

Each statement is about one target function ("they"); reverse items are worded negatively and
flipped before scoring.
"""
from __future__ import annotations

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

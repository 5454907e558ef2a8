"""The blameless-language nudges: what they point out, what they leave alone, and the suggested wording."""
from __future__ import annotations

import pytest

from programs.joint_reviews.blameless import nudges

FUNCTIONS = ["Finance", "Operations"]


@pytest.mark.parametrize("text, pattern", [
    ("The planner should have checked the stock.", "counterfactual"),
    ("We shouldn't have shipped it.", "counterfactual"),
    ("The approver failed to look at the total.", "failed-to"),
    ("If only someone had called.", "if-only"),
    ("A careless entry in the ledger.", "careless"),
    ("It was human error.", "human-error"),
    ("Finance blocked the purchase order.", "blame-function"),
    ("Ops failed to ship on Friday.", "blame-function"),
    ("The operations team ignored the alert.", "blame-function"),
])
def test_blaming_and_counterfactual_language_is_pointed_out(text, pattern):
    found = nudges(text, FUNCTIONS)
    assert [n.pattern for n in found] == [pattern]
    assert found[0].suggestion


def test_blaming_a_function_is_one_nudge_not_two():
    found = nudges("Ops failed to send the file", FUNCTIONS)
    assert [(n.pattern, n.phrase) for n in found] == [("blame-function", "Ops failed")]


def test_a_system_wording_draws_no_nudge():
    assert nudges("No check prevented a rush order from skipping the credit step; the alert went to a shared "
                  "inbox at night.", FUNCTIONS) == []


def test_nudges_come_in_the_order_of_the_text_with_a_system_suggestion():
    found = nudges("If only the buyer should have asked", FUNCTIONS)
    assert [n.pattern for n in found] == ["if-only", "counterfactual"]
    assert "no check prevented" in found[1].suggestion


def test_without_function_names_a_function_is_not_named_but_the_rest_still_works():
    assert [n.pattern for n in nudges("Finance failed to approve", [])] == ["failed-to"]
    assert nudges("", FUNCTIONS) == []

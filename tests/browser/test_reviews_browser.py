"""A joint review from opening to sign-off: both timelines, the divergence, a live nudge dismissed, factor,
action, each function's "fair to my team?"; axe at 1280 and 390 px on every step."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible_at_both_widths, log_in, open_menu, pick
from tests.factories import PASSWORD, make_function, make_team, make_user
from webapp import clock
from webapp.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reduced_motion")]


@pytest.fixture
def people(db):
    finance, operations = make_function("Finance", "FIN", "#1f77b4"), make_function("Operations", "OPS", "#d95f02")
    make_user(name="Fay Finance", email="fay@example.com", team=make_team(finance, "FP&A"), password=PASSWORD)
    make_user(Role.MANAGER, name="Otto Ops", email="otto@example.com", team=make_team(operations, "Logistics"),
              password=PASSWORD)
    db.session.commit()


def _add_entry(page, hours_ago: int, topic: str, text: str) -> None:
    page.get_by_label("When", exact=True).fill(
        clock.local(clock.now() - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Moment").fill(topic)
    page.get_by_label("What your function saw and did").fill(text)
    page.get_by_role("button", name="Add to our timeline").click()
    expect(page.locator("#own-entries")).to_contain_text(topic)


def _answer_fair(page) -> None:
    page.get_by_label("Yes: sign off for my function").check()
    page.get_by_role("button", name="Answer").click()
    expect(page.get_by_role("status").first).to_contain_text("Signed off for your function")


def test_a_review_from_opening_to_sign_off(page, people, console_errors):
    log_in(page, "fay@example.com", PASSWORD)
    open_menu(page, "Partnership", "Joint reviews")
    assert_accessible_at_both_widths(page)
    page.get_by_role("link", name="Open a review").click()
    page.get_by_label("What went wrong, in a line").fill("Rush orders shipped without credit check")
    page.get_by_label("An incident").check()
    page.get_by_label("When it happened").fill((clock.today() - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Open the review").click()  # only Fay: one function is refused in place
    expect(page.locator("#participant_ids-error")).to_contain_text("at least two functions")
    console_errors.remove("Failed to load resource: the server responded with a status of 400 (BAD REQUEST)")
    pick(page, "Participants", "Otto Ops")
    assert_accessible_at_both_widths(page)
    page.get_by_role("button", name="Open the review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rush orders shipped without credit check")

    _add_entry(page, 6, "order received", "The order came in outside the credit-check window.")
    page.get_by_label("What your function saw and did").fill("Ops failed to wait for the credit check")
    expect(page.locator("#entry-nudges")).to_contain_text("no agreed step between the teams")
    page.locator("#entry-nudges").get_by_role("button", name="Dismiss").click()
    expect(page.locator("#entry-nudges .nudges")).to_have_count(0)
    page.get_by_label("What your function saw and did").fill("")
    _add_entry(page, 3, "credit hold", "A hold was placed after dispatch.")
    page.get_by_label("Describe it").fill("No check prevented a rush order from skipping the credit step.")
    page.get_by_label("Factor", exact=True).select_option("process")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#factor-list")).to_contain_text("No check prevented")
    page.get_by_role("button", name="Add the action").click()  # empty: the error shows in place (htmx, 400)
    expect(page.locator("#action-description-error")).to_be_visible()
    console_errors.remove("Failed to load resource: the server responded with a status of 400 (BAD REQUEST)")
    page.get_by_label("Action", exact=True).fill("Add the credit check to the rush-order form")
    page.get_by_label("Owner", exact=True).select_option(label="Otto Ops")
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("#actions")).to_contain_text("Add the credit check to the rush-order form")
    expect(page.locator("#nudge-counts")).to_contain_text("1 pointer dismissed")
    expect(page.locator("#sign-off-refusal")).to_contain_text("Each function drafts its own timeline first")
    assert_accessible_at_both_widths(page)
    page.get_by_role("button", name="Sign out").click()

    log_in(page, "otto@example.com", PASSWORD)
    expect(page.locator("#tile-my-reviews")).to_contain_text("Rush orders shipped without credit check")
    page.locator("#tile-my-reviews").get_by_role("link", name="Rush orders shipped without credit check").click()
    _add_entry(page, 6, "order received", "Logged as a rush order.")
    expect(page.locator("#divergence-count")).to_contain_text("1 moment where the accounts diverge")
    expect(page.locator("#merged-timeline")).to_contain_text("not in Operations's account")
    _answer_fair(page)
    assert_accessible_at_both_widths(page)
    page.get_by_role("button", name="Sign out").click()

    log_in(page, "fay@example.com", PASSWORD)
    open_menu(page, "Partnership", "Joint reviews")
    page.get_by_role("link", name="Rush orders shipped without credit check").click()
    _answer_fair(page)
    expect(page.locator("#review-status")).to_have_text("signed, actions open")
    open_menu(page, "Partnership", "Library of learnings")
    expect(page.locator("#library-results")).to_contain_text("Rush orders shipped without credit check")
    page.get_by_label("Factor", exact=True).select_option("capacity")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#library-results")).to_contain_text("No signed review matches")
    assert_accessible_at_both_widths(page)
    open_menu(page, "Partnership", "Review actions done")
    expect(page.locator("#completion-total")).to_contain_text("0 of 1 actions done")
    assert_accessible_at_both_widths(page)

"""The monthly business review in the browser: a leader opens the draft, both functions write their notes (the
disagreement shows), a decision is recorded, both leaders sign, the frozen pack prints;
axe at 1280 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from programs.business_review import services
from programs.business_review.models import CUSTOMER
from programs.trust.services import save_metric, save_metric_value
from tests.browser.conftest import assert_accessible_at_both_widths, log_in, open_menu
from tests.business_review.conftest import last_month
from tests.factories import PASSWORD, make_function, make_user
from webapp import clock
from webapp.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reduced_motion")]


@pytest.fixture
def pair(db):
    finance, operations = make_function("Finance", "FIN", "#1f77b4"), make_function("Operations", "OPS", "#d95f02")
    hr = make_user(Role.HR, function=make_function("People", "PPL"))
    fay = make_user(Role.LEADER, name="Fay Finance", email="fay@example.com", function=finance, password=PASSWORD)
    otto = make_user(Role.LEADER, name="Otto Ops", email="otto@example.com", function=operations, password=PASSWORD)
    delivery = save_metric(hr, None, "On-time delivery", "%", True, "monthly", "organisation")
    services.set_up_metric(fay, delivery.id, CUSTOMER, operations.id, finance.id, 90.0, 85.0)
    services.set_target(fay, delivery.id, last_month(), 95.0)
    save_metric_value(hr, delivery, last_month(), None, 88.0)
    db.session.commit()
    return {"fay": fay, "otto": otto}


def _expect_failed_loads(console_errors: list[str], count: int) -> None:
    refused = [error for error in console_errors if "status of 400" in error]
    assert len(refused) == count, console_errors
    console_errors[:] = [error for error in console_errors if "status of 400" not in error]


def test_a_monthly_review_from_draft_to_signed_and_printed(page, pair, console_errors):
    log_in(page, "fay@example.com", PASSWORD)
    open_menu(page, "Partnership", "Business reviews")
    assert_accessible_at_both_widths(page)
    page.get_by_label("Second function").select_option(label="Operations")
    page.get_by_label("Month reviewed").fill(last_month())
    page.get_by_label("Meeting date").fill("")
    page.get_by_role("button", name="Open the review").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Choose the meeting date.")
    page.get_by_label("Meeting date").fill(clock.today().isoformat())
    page.get_by_role("button", name="Open the review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Business review {last_month()}")
    expect(page.locator("#business-review-metrics")).to_contain_text("Behind")
    expect(page.locator("#business-review-no-decision")).to_have_text("No decision recorded.")
    assert_accessible_at_both_widths(page)

    need = page.locator("#notes-1")
    need.get_by_role("button", name="Save the note").click()  # empty: the error shows in place (htmx, 400)
    expect(need.locator(".invalid-feedback")).to_contain_text("Write a few words.")
    _expect_failed_loads(console_errors, 2)  # the two refused forms above answered 400, as they should
    page.locator("#notes-1").get_by_label("Note").fill("Tell us a week ahead when a carrier drops out.")
    page.locator("#notes-1").get_by_label("Does the owner's explanation hold for you?").select_option("no")
    page.locator("#notes-1").get_by_role("button", name="Save the note").click()
    expect(page.locator("#notes-1")).to_contain_text("Tell us a week ahead")
    page.get_by_label("What was decided or is to be done").fill("Book carriers two weeks ahead in peak months.")
    page.get_by_label("Owner", exact=True).select_option(label="Otto Ops (OPS)")
    page.get_by_role("button", name="Record it").click()
    expect(page.locator("#business-review-decisions")).to_contain_text("Book carriers two weeks ahead")
    page.get_by_role("button", name="Sign out").click()

    log_in(page, "otto@example.com", PASSWORD)
    expect(page.locator("#tile-business-reviews-title")).to_be_visible()
    page.get_by_role("link", name=f"{last_month()}, FIN and OPS").first.click()
    page.locator("#notes-1").get_by_label("Note").fill("A carrier missed two slots; no check caught the gap.")
    page.locator("#notes-1").get_by_role("button", name="Save the note").click()
    expect(page.locator("#notes-1")).to_contain_text("They disagree")
    page.get_by_role("button", name="Sign for Operations").click()
    expect(page.get_by_role("status").first).to_contain_text("the other function's leader signs next")
    page.get_by_role("button", name="Sign out").click()

    log_in(page, "fay@example.com", PASSWORD)
    open_menu(page, "Partnership", "Business reviews")
    page.get_by_role("link", name=last_month()).click()
    page.get_by_role("button", name="Sign for Finance").click()
    expect(page.get_by_role("status").first).to_contain_text("Signed and frozen")
    expect(page.locator("#business-review-frozen")).to_contain_text("SHA-256")
    assert_accessible_at_both_widths(page)

    page.get_by_role("link", name="Printable pack").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Business review {last_month()}")
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Back to the review")).to_be_hidden()
    expect(page.locator("#business-review-metrics")).to_contain_text("On-time delivery")
    page.emulate_media(media="screen")
    assert_accessible_at_both_widths(page)

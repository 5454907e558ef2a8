"""htmx forms answer back: an invalid submission shows its message beside the field, a fix then succeeds."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in, pick
from tests.factories import PASSWORD
from tests.recognition.recognition_factories import give, make_org

pytestmark = pytest.mark.browser


@pytest.fixture
def org(db):
    org = make_org()
    for person, email in [(org.fin[0], "fin@example.com"), (org.ops[0], "ops@example.com")]:
        person.email = email
        person.set_password(PASSWORD)
    db.session.commit()
    return org


def _expect_failed_loads(console_errors: list[str], *statuses: int) -> None:
    """The browser logs each refused request as a console error: remove exactly the ones provoked."""
    for status in statuses:
        console_errors.remove(f"Failed to load resource: the server responded with a status of {status} "
                              f"({'BAD REQUEST' if status == 400 else 'NOT FOUND'})")


def test_the_kudos_form_shows_its_errors_then_sends(page, org, console_errors):
    log_in(page, "fin@example.com", PASSWORD)
    page.goto("/recognition/kudos/new")
    pick(page, "Colleagues", "Ops 1")
    page.get_by_label("Message").fill("Thanks")
    page.get_by_label("Points for each colleague").fill("15")
    page.get_by_role("button", name="Give kudos").click()
    expect(page.locator("#message-error")).to_be_visible()
    expect(page.get_by_label("Message")).to_have_attribute("aria-invalid", "true")
    assert page.url.endswith("/recognition/kudos/new")
    assert_accessible(page)

    page.get_by_label("Message").fill("Thank you for walking us through the new carrier invoices, it saved our close.")
    page.get_by_role("button", name="Give kudos").click()
    expect(page.get_by_role("status")).to_contain_text("Kudos sent to Ops 1")
    expect(page.locator("#message-error")).to_have_count(0)
    _expect_failed_loads(console_errors, 400)


def test_an_empty_comment_says_so_then_posts(page, org, db, console_errors):
    give(org.fin[1], org.fin[0], message="Thanks for closing the quarter with us, the reconciliation was spotless.")
    db.session.commit()
    log_in(page, "ops@example.com", PASSWORD)
    page.goto("/recognition")
    page.get_by_role("button", name="Comment", exact=True).click()
    comments = page.locator("[id^=comments-]")
    expect(comments.get_by_role("alert").or_(comments.locator(".invalid-feedback"))).to_be_visible()
    page.get_by_label("Comment on:").fill("Well deserved!")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(comments).to_contain_text("Well deserved!")
    _expect_failed_loads(console_errors, 400)


def test_an_error_that_is_not_a_form_error_appears_in_the_message_area(page, org, db, console_errors):
    give(org.fin[1], org.fin[0], message="Thanks for closing the quarter with us, the reconciliation was spotless.")
    db.session.commit()
    log_in(page, "ops@example.com", PASSWORD)
    page.goto("/recognition")
    page.evaluate("""() => {
        const form = document.querySelector('[hx-post*="/react"]');
        form.setAttribute('hx-post', '/recognition/items/999999/react');  // an item that is gone
        htmx.process(form);
    }""")
    page.get_by_role("button", name="React party").click()
    expect(page.locator("#flash-messages").get_by_role("alert")).to_contain_text("Not found")
    _expect_failed_loads(console_errors, 404)

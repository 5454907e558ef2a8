"""The bell: its count changes without a reload; the centre marks read; keyboard and axe."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, make_user
from webapp.notifications.services import notify
from webapp.roles import Role


def test_bell_count_changes_when_a_notification_arrives(page, db):
    user = make_user(email="reader@example.com", password=PASSWORD)
    db.session.commit()
    log_in(page, "reader@example.com", PASSWORD)
    expect(page.locator("#notification-count")).to_have_text("0")
    notify(user, "cosign", "Please co-sign the joint win 'Faster month-end'", "/people")
    db.session.commit()
    expect(page.locator("#notification-count")).to_have_text("1", timeout=5000)
    page.locator("#notification-bell").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Open\W+Please co-sign")).click()
    page.wait_for_url("**/people")
    expect(page.locator("#notification-count")).to_have_text("0")


def test_notification_settings_are_chosen_per_kind_at_1280_and_390_px(page, db):
    make_user(Role.MANAGER, email="manager@example.com", password=PASSWORD)
    db.session.commit()
    log_in(page, "manager@example.com", PASSWORD)
    page.goto("/notifications")
    page.get_by_role("link", name="Notification settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification settings")
    page.get_by_label("Badge earned").select_option("off")
    page.get_by_label("Co-sign request").select_option("app")
    page.get_by_label("Send me a weekly digest instead of single e-mails").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status").first).to_contain_text("Your notification settings are saved.")
    expect(page.get_by_label("Badge earned")).to_have_value("off")
    expect(page.get_by_label("Send me a weekly digest instead of single e-mails")).to_be_checked()
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)

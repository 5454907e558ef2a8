"""The bell: its count changes without a reload; the centre marks read; keyboard and axe."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, make_user
from webapp.notifications.services import notify


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

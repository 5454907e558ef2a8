"""A fresh organisation in the browser: the admin's checklist, its next step, and an empty state.

Axe checks each at 1280 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, make_user
from webapp.roles import Role


def fits_the_viewport(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_admin_follows_the_checklist_to_the_first_step(page, db, width):
    page.set_viewport_size({"width": width, "height": 900})
    make_user(Role.ADMIN, email="admin@example.com", password=PASSWORD)
    db.session.commit()
    log_in(page, "admin@example.com", PASSWORD)
    tile = page.locator("#tile-first-run")
    expect(tile.get_by_role("heading", name="Set up your organisation")).to_be_visible()
    expect(tile).to_contain_text("0 of 8 steps done. Next: Add your functions.")
    assert_accessible(page)
    assert fits_the_viewport(page)
    tile.get_by_role("link", name="Import your people").first.click()
    page.wait_for_url("**/people/import")
    page.goto("/admin/teams")
    expect(page.locator("#teams-empty")).to_contain_text("No teams yet")
    assert_accessible(page)
    assert fits_the_viewport(page)

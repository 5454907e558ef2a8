"""Irreversible actions ask first, in the browser: deactivating a person goes through a confirmation page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, make_function, make_user
from webapp.people.models import User
from webapp.roles import Role

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_deactivating_a_person_asks_first_and_cancel_changes_nothing(page, db, width):
    finance = make_function("Finance", "FIN")
    make_user(Role.ADMIN, name="Ada Admin", email="ada@example.com", function=finance, password=PASSWORD)
    leaving = make_user(
        name="Lee Leaving", email="lee.leaving.with.a.rather.long.address@example.com", function=finance
    )
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "ada@example.com", PASSWORD)
    page.goto(f"/people/{leaving.id}")
    assert_accessible(page)
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Lee Leaving?")
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lee Leaving")
    db.session.expire_all()
    assert db.session.get(User, leaving.id).active is True

    page.get_by_role("button", name="Deactivate").click()
    page.get_by_role("button", name="Deactivate Lee Leaving").click()
    expect(page.get_by_role("status").first).to_contain_text("Lee Leaving is deactivated.")
    db.session.expire_all()
    assert db.session.get(User, leaving.id).active is False

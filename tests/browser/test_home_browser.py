"""Each role's home page in the browser (axe on each), inline co-sign, and the bell on a co-sign request."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, make_user
from tests.recognition.recognition_factories import log_joint_win, make_org
from tests.trust.trust_factories import make_wave
from webapp.roles import Role

HOME_TILES = {
    "employee": ["#tile-trust-pulse", "#tile-recognition"],
    "manager": ["#tile-trust-pulse"],
    "hr": ["#tile-pulse-rates", "#tile-visit-activity", "#tile-organisation"],
    "leader": ["#tile-scorecard", "#tile-organisation"],
}


@pytest.fixture
def org(db):
    org = make_org()
    for person in (org.fin_manager, org.ops_manager, *org.fin, *org.ops):
        person.set_password(PASSWORD)
    org.fin[0].email = "employee@example.com"
    org.ops_manager.email = "manager@example.com"
    make_user(Role.HR, email="hr@example.com", function=org.fin[0].function, password=PASSWORD)
    make_user(Role.LEADER, email="leader@example.com", function=org.fin[0].function, password=PASSWORD)
    make_wave([org.fin[0].function, org.ops[0].function], title="Autumn pulse")
    db.session.commit()
    return org


@pytest.mark.parametrize("role", list(HOME_TILES))
def test_each_roles_home_page(page, org, role):
    log_in(page, f"{role}@example.com", PASSWORD)
    for tile in HOME_TILES[role]:
        expect(page.locator(tile)).to_be_visible()
    assert_accessible(page)


def test_bell_rings_on_a_co_sign_request_and_the_manager_co_signs_inline(page, org, db):
    log_in(page, "manager@example.com", PASSWORD)
    expect(page.locator("#notification-count")).to_have_text("0")
    log_joint_win(org, title="One cut-off calendar")
    db.session.commit()
    expect(page.locator("#notification-count")).to_have_text("1", timeout=5000)
    page.reload()
    tile = page.locator("#tile-cosigns")
    expect(tile).to_contain_text("One cut-off calendar")
    assert_accessible(page)
    tile.get_by_role("button", name=re.compile("^Co-sign")).click()
    expect(page.get_by_role("status").first).to_contain_text("The win is published")
    expect(page.locator("#tile-cosigns")).to_have_count(0)

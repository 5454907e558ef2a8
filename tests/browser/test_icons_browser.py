"""Icons draw from the vendored sprite (no emoji font needed) and their controls keep a name."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.recognition.recognition_factories import give, make_org

pytestmark = pytest.mark.browser


def test_reaction_buttons_show_drawn_icons_and_read_as_their_names(page, db):
    org = make_org()
    org.ops[0].email = "ops@example.com"
    org.ops[0].set_password(PASSWORD)
    give(org.fin[1], org.fin[0], message="Thanks for closing the quarter with us, the reconciliation was spotless.")
    db.session.commit()
    log_in(page, "ops@example.com", PASSWORD)
    page.goto("/recognition")
    for name in ("clap", "heart", "party", "bulb", "handshake"):
        button = page.get_by_role("button", name=f"React {name}")
        expect(button).to_be_visible()
        drawn = button.locator("svg.bi use").evaluate("use => use.getBBox().width")
        assert drawn > 0, f"the {name} icon did not draw"
    bell = page.locator("#notification-bell svg.bi use").evaluate("use => use.getBBox().width")
    assert bell > 0

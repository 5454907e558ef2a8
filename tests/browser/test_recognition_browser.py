"""What people click in recognition: kudos through the htmx form, the live poll, reactions, comments, co-signs."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in, pick
from tests.factories import PASSWORD, make_user
from tests.recognition.recognition_factories import give, log_joint_win, make_org
from webapp.roles import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def org(db):
    org = make_org()
    for person, email in [(org.fin[0], "fin@example.com"), (org.ops[0], "ops@example.com"),
                          (org.ops_manager, "oscar@example.com")]:
        person.email = email
        person.set_password(PASSWORD)
    db.session.commit()
    return org


def test_kudos_given_through_the_form_appear_in_another_browser_by_polling(page, browser, base_url, org, db):
    watcher_context = browser.new_context(base_url=base_url)
    watcher = watcher_context.new_page()
    watcher_errors: list[str] = []
    watcher.on("console", lambda msg: watcher_errors.append(msg.text) if msg.type == "error" else None)
    log_in(watcher, "ops@example.com", PASSWORD)
    watcher.clock.install()
    watcher.goto("/recognition")
    expect(watcher.get_by_text("Nothing to celebrate here yet")).to_be_visible()
    assert_accessible(watcher)

    log_in(page, "fin@example.com", PASSWORD)
    page.goto("/recognition/kudos/new")
    assert_accessible(page)
    pick(page, "Colleagues", "Ops 1")
    page.get_by_label("Message").fill("Thank you for walking us through the new carrier invoices, it saved our close.")
    page.get_by_label("Company value").select_option("one-team")
    page.get_by_label("Points for each colleague").fill("15")
    page.get_by_role("button", name="Give kudos").click()
    expect(page.get_by_role("status")).to_contain_text("Kudos sent to Ops 1")
    expect(page.locator("#allowance-left")).to_have_text("85")
    assert page.url.endswith("/recognition/kudos/new")  # swapped in place by htmx
    assert_accessible(page)

    watcher.clock.fast_forward(11_000)
    banner = watcher.get_by_role("link", name="1 new celebration")
    expect(banner).to_be_visible(timeout=5_000)
    banner.click()
    expect(watcher.locator("#feed-items")).to_contain_text("gave kudos to Ops 1")
    assert_accessible(watcher)
    watcher_context.close()
    assert watcher_errors == []


def test_react_and_comment_inline(page, org, db):
    give(org.fin[1], org.fin[0], message="Thanks for closing the quarter with us, the reconciliation was spotless.")
    db.session.commit()
    log_in(page, "ops@example.com", PASSWORD)
    page.goto("/recognition")
    party = page.get_by_role("button", name="React party")
    party.click()
    expect(page.get_by_role("button", name="React party")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="React party")).to_contain_text("1")
    page.get_by_label("Comment on:").fill("Well deserved, <b>truly</b>!")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator("[id^=comments-]")).to_contain_text("Well deserved, <b>truly</b>!")
    assert_accessible(page)
    page.get_by_role("button", name="React party").click()
    expect(page.get_by_role("button", name="React party")).to_have_attribute("aria-pressed", "false")


def test_co_signing_a_joint_win_publishes_it(page, org, db):
    win = log_joint_win(org, "Freight invoices matched automatically")
    db.session.commit()
    log_in(page, "oscar@example.com", PASSWORD)
    page.goto("/recognition/approvals")
    assert_accessible(page)
    page.get_by_role("link", name="Freight invoices matched automatically").click()
    expect(page.locator("#win-status")).to_have_text("pending")
    assert_accessible(page)
    page.get_by_role("button", name="Co-sign for Operations").click()
    expect(page.locator("#win-status")).to_have_text("published")
    page.goto("/recognition")
    expect(page.locator("#feed-items")).to_contain_text("Joint win: Freight invoices matched automatically")
    assert win.id


def test_every_recognition_page_is_accessible(page, org, db):
    boss = make_user(Role.ADMIN, Role.HR, Role.MANAGER, name="Ada Admin", email="ada@example.com",
                     function=org.fin[0].function, password=PASSWORD)
    give(org.fin[0], org.ops[0])
    give(org.ops[0], boss)
    win = log_joint_win(org)
    db.session.commit()
    log_in(page, "ada@example.com", PASSWORD)
    for path in ["/", "/recognition", "/recognition?scope=cross-functional", "/recognition/kudos/new",
                 "/recognition/wins/new", f"/recognition/wins/{win.id}", "/recognition/approvals",
                 "/recognition/leaderboards", "/recognition/flow", "/recognition/settings",
                 "/recognition/items/1/hide", "/recognition/badges", "/recognition/badges/new", f"/people/{boss.id}"]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)

"""The searchable people picker (Tom Select).

By keyboard, by touch at 390 px, again after an htmx swap, and without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in, pick
from tests.factories import PASSWORD
from tests.recognition.recognition_factories import make_org

pytestmark = pytest.mark.browser
MESSAGE = "Thank you for walking us through the new carrier invoices, it saved our close."


@pytest.fixture
def org(db):
    org = make_org()
    org.fin[0].email = "fin@example.com"
    org.fin[0].set_password(PASSWORD)
    org.fin_manager.set_password(PASSWORD)
    db.session.commit()
    return org


def _chosen(page):
    return page.get_by_role("combobox", name="Colleagues").locator("xpath=..").locator(".item")


def test_two_colleagues_picked_by_keyboard_only_and_the_picker_returns_after_the_swap(page, org):
    log_in(page, "fin@example.com", PASSWORD)
    page.goto("/recognition/kudos/new")
    assert_accessible(page)
    pick(page, "Colleagues", "Ops 0", "Ops 1")
    expect(_chosen(page)).to_have_text(["Ops 0 — Operations×", "Ops 1 — Operations×"])
    assert_accessible(page)
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Message")).to_be_focused()
    page.keyboard.type(MESSAGE)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Company value")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # submits from the points field
    expect(page.get_by_role("status")).to_contain_text("Kudos sent to Ops 0")
    expect(page.get_by_role("status")).to_contain_text("Ops 1")
    box = page.get_by_role("combobox", name="Colleagues")  # the fresh form swapped in by htmx has its picker again
    expect(box).to_be_visible()
    expect(_chosen(page)).to_have_count(0)
    pick(page, "Colleagues", "Fiona Finance")
    assert_accessible(page)


def test_two_colleagues_picked_by_tapping_on_a_phone(browser, base_url, org):
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, "fin@example.com", PASSWORD)
    page.goto("/recognition/kudos/new")
    page.get_by_role("combobox", name="Colleagues").tap()  # the list stays open for several picks
    for name in ["Ops 0", "Ops 1"]:
        page.get_by_role("option", name=f"{name} — Operations").tap()
    expect(_chosen(page)).to_have_text(["Ops 0 — Operations×", "Ops 1 — Operations×"])
    assert_accessible(page)
    page.get_by_role("heading", level=1).tap()  # tapping outside closes the list
    expect(page.get_by_role("listbox", name="Colleagues")).to_be_hidden()
    page.get_by_label("Message").tap()
    page.get_by_label("Message").fill(MESSAGE)
    page.get_by_role("button", name="Give kudos").tap()
    expect(page.get_by_role("status")).to_contain_text("Kudos sent to Ops 0")
    assert_accessible(page)
    context.close()
    assert errors == []


def test_without_javascript_the_native_select_still_sends(browser, base_url, org):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "fin@example.com", PASSWORD)
    page.goto("/recognition/kudos/new")
    page.get_by_label("Colleagues").select_option([str(org.ops[0].id), str(org.ops[1].id)])
    page.get_by_label("Message").fill(MESSAGE)
    page.get_by_role("button", name="Give kudos").click()
    expect(page.get_by_role("status").first).to_contain_text("Kudos sent to Ops 0")
    context.close()


def test_a_joint_win_credits_people_and_values_through_pickers(page, org):
    log_in(page, "fiona@example.com", PASSWORD)
    page.goto("/recognition/wins/new")
    page.get_by_label("Title").fill("Freight invoices matched automatically")
    page.get_by_label("Story").fill("We matched carrier invoices to deliveries together, every night.")
    pick(page, "People credited", "Fin 0", "Ops 0")
    pick(page, "Company values", "One team")
    page.keyboard.press("Escape")
    assert_accessible(page)
    page.get_by_role("button", name="Log the win").click()
    expect(page.locator("#win-status")).to_have_text("pending")

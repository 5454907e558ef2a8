"""What users click in joint visits: plan with two functions (live joint check), log, confirm, follow up.

Axe everywhere."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in, open_menu, pick
from tests.factories import PASSWORD, make_function, make_team, make_user
from tests.visits.visits_factories import make_account, make_follow_up, make_visit
from webapp.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reduced_motion")]


@pytest.fixture
def people(db):
    finance, operations = make_function("Finance", "FIN", "#1f77b4"), make_function("Operations", "OPS", "#d95f02")
    fay = make_user(name="Fay Finance", email="fay@example.com", team=make_team(finance, "FP&A"), password=PASSWORD)
    otto = make_user(Role.MANAGER, name="Otto Ops", email="otto@example.com", team=make_team(operations, "Logistics"),
                     password=PASSWORD)
    make_user(name="Finn Finance", email="finn@example.com", function=finance)
    make_account("Acme Logistics", owner=otto)
    db.session.commit()
    return {"fay": fay, "otto": otto}


def test_plan_log_confirm_and_complete_a_follow_up(page, people):
    log_in(page, "fay@example.com", PASSWORD)
    open_menu(page, "Visits", "Visits")
    page.get_by_role("link", name="Plan or log a visit").click()
    expect(page.locator("#joint-status")).to_contain_text("Not joint yet")
    assert_accessible(page)
    page.get_by_label("Account", exact=True).select_option(label="Acme Logistics")
    page.get_by_label("Date").fill(date.today().isoformat())
    page.get_by_label("Virtual").check()
    page.get_by_label("Purpose").fill("Quarterly business review")
    pick(page, "Internal attendees", "Finn Finance")  # the author, Fay, is picked already
    expect(page.locator("#joint-status")).to_contain_text("everyone picked is from Finance")
    page.keyboard.press("Backspace")  # removes the last pick, Finn
    pick(page, "Internal attendees", "Otto Ops")
    expect(page.locator("#joint-status")).to_contain_text("Joint visit: attendees from Finance, Operations")
    page.get_by_label("The customer's people").fill("Jo Smith, CFO")
    page.get_by_role("button", name="Save the visit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Visit to Acme Logistics")
    expect(page.locator("#visit-attendees")).to_contain_text("Otto Ops — Operations")
    assert_accessible(page)

    page.get_by_role("button", name="Log it as held").click()
    expect(page.get_by_role("status").first).to_contain_text("you are its author")
    page.get_by_text("Edit the summary").click()
    page.get_by_role("textbox", name="Shared summary").fill("They want longer payment terms.")
    page.get_by_label("Customer sentiment").select_option("4")
    page.get_by_role("button", name="Save the summary").click()
    expect(page.locator("#summary-text")).to_have_text("They want longer payment terms.")
    page.get_by_label("Your function's note").fill("Payment terms at 60 days.")
    page.get_by_label("Learnings (tags)").fill("payment terms, cost to serve")
    page.get_by_role("button", name="Save the note").click()
    expect(page.locator(f"#note-{people['fay'].function_id}")).to_contain_text("payment terms")
    page.get_by_text("Add a follow-up").click()
    page.get_by_label("What needs doing").fill("Send the revised payment schedule")
    page.get_by_label("Owner", exact=True).select_option(label="Otto Ops (Operations)")
    page.get_by_role("button", name="Add the follow-up").click()
    expect(page.locator("#follow-up-list")).to_contain_text("Send the revised payment schedule")
    expect(page.locator("#visit-confirmation")).to_contain_text("waiting for an attendee of another function")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    log_in(page, "otto@example.com", PASSWORD)
    tile = page.locator("#tile-visits-to-confirm")
    expect(tile).to_contain_text("Acme Logistics")
    expect(page.locator("#tile-my-follow-ups")).to_contain_text("Send the revised payment schedule")
    assert_accessible(page)
    tile.get_by_role("link").click()
    page.get_by_role("button", name="Confirm this joint visit").click()
    expect(page.locator("#visit-confirmation")).to_contain_text("Confirmed by Otto Ops")
    expect(page).to_have_url(re.compile(r"/visits/\d+$"))
    assert_accessible(page)

    open_menu(page, "Visits", "My follow-ups")
    item = page.locator("#my-open-follow-ups li").first
    item.get_by_label("Status").select_option("done")
    item.get_by_label("Outcome").fill("Schedule agreed")
    item.get_by_label("Outcome").press("Enter")  # by keyboard: the form submits through htmx
    expect(page.locator("#my-open-follow-ups")).to_contain_text("Outcome: Schedule agreed")
    expect(page.locator("#my-open-follow-ups [data-status=done]")).to_have_count(1)
    assert_accessible(page)
    page.reload()
    expect(page.locator("#my-closed-follow-ups")).to_contain_text("Schedule agreed")


def test_every_visits_page_is_accessible(page, people, db, tmp_path):
    fay, otto = people["fay"], people["otto"]
    held = make_visit([fay, otto], purpose="Pricing review")
    make_follow_up(held, otto, date(2020, 1, 1), description="Overdue report")
    make_visit([fay], status="planned", purpose="Solo check-in")
    db.session.commit()
    bad = tmp_path / "accounts.csv"
    bad.write_text("name,segment,owner_email\n,SMB,\nBeta,SMB,ghost@example.com\n")
    log_in(page, "otto@example.com", PASSWORD)
    for path in ["/visits", "/visits?status=held&mine=1", f"/visits/{held.id}", "/accounts",
                 f"/accounts/{held.account_id}", "/accounts/new", "/coverage", "/coverage?days=180&never_joint=1",
                 "/learnings", "/follow-ups", "/accounts/import"]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
    page.get_by_label("Accounts CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#import-errors")).to_contain_text("name is missing")
    assert_accessible(page)
    page.goto("/coverage")
    page.get_by_label("Only accounts never visited jointly").check()
    expect(page).to_have_url(re.compile(r"never_joint=1"))
    expect(page.locator("#coverage-results")).not_to_contain_text(held.account.name)


def test_the_author_reads_the_note_history_and_withdraws_a_confirmation(page, people, db, console_errors):
    from programs.visits.services import confirm_visit
    from webapp import clock

    fay, otto = people["fay"], people["otto"]
    visit = make_visit([fay, otto], purpose="Renewal discussion", author=fay)
    confirm_visit(otto, visit, clock.now())
    make_user(Role.ADMIN, name="Ada Admin", email="ada@example.com", password=PASSWORD)
    db.session.commit()
    log_in(page, "fay@example.com", PASSWORD)
    page.goto(f"/visits/{visit.id}")
    for text in ("Terms at 60 days.", "Terms at 75 days."):
        page.get_by_label("Your function's note").fill(text)
        page.get_by_role("button", name="Save the note").click()
        expect(page.get_by_role("status").first).to_contain_text("Your function's note is saved.")
    history = page.locator(f"#note-{fay.function_id}-history")
    history.get_by_text("History (2 versions)").click()
    expect(history).to_contain_text("Fay Finance changed the text")
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw the confirmation").click()
    expect(page.get_by_role("status").first).to_contain_text("The confirmation is withdrawn")
    expect(page.locator("#visit-confirmation")).to_contain_text("waiting for an attendee of another function")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    log_in(page, "ada@example.com", PASSWORD)
    page.goto("/visits/settings")
    page.get_by_label("Visits with points per pair and month").fill("0")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.locator("#pair_monthly_cap-error")).to_be_visible()
    assert_accessible(page)
    console_errors[:] = [e for e in console_errors if "status of 400" not in e]  # the refused form, on purpose
    page.get_by_label("Visits with points per pair and month").fill("3")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_role("status").first).to_contain_text("Visit settings saved.")

"""A fresh organisation, end to end: from `create-admin` to a first kudos and a first pulse answer by invited people."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in, pick
from webapp import clock

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "a long admin password"
PEOPLE = ("email,name,function,team,manager_email,roles,hired_on\n"
          "fay@example.com,Fay Finance,Finance,,,,2024-01-15\n"
          "otto@example.com,Otto Operations,Operations,,,,2023-05-02\n")


def _add_function(page, name: str, code: str) -> None:
    page.goto("/admin/functions/new")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Short code").fill(code)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(name).first).to_be_visible()


def _invitation_links(page) -> dict[str, str]:
    """With e-mail off, the invitation page shows each person's link to copy."""
    links = {}
    for field in page.locator("input[readonly]").all():
        label = page.locator(f"label[for='{field.get_attribute('id')}']").inner_text()
        links[label.split(" (")[0]] = field.input_value()  # "Fay Finance (fay@example.com)"
    return links


def _set_password(page, url: str, password: str) -> None:
    page.goto(url)
    page.get_by_label("New password").fill(password)
    page.get_by_label("Repeat the password").fill(password)
    page.get_by_role("button", name="Set password and sign in").click()


def test_from_create_admin_to_a_first_kudos_and_a_first_pulse_answer(app, page, browser, base_url, tmp_path):
    created = app.test_cli_runner().invoke(args=["create-admin", "--email", "ada@example.com", "--name", "Ada Admin",
                                                 "--password", ADMIN_PASSWORD])
    assert created.exit_code == 0, created.output
    log_in(page, "ada@example.com", ADMIN_PASSWORD)
    expect(page.locator("#tile-first-run")).to_contain_text("Next: Add your functions.")
    assert_accessible(page)
    _add_function(page, "Finance", "FIN")
    _add_function(page, "Operations", "OPS")

    people = tmp_path / "people.csv"
    people.write_text(PEOPLE)
    page.goto("/people/import")
    page.get_by_label("People CSV file").set_input_files(str(people))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("button", name="Import 2 people").click()
    page.get_by_role("button", name=re.compile(r"^Invite everyone without a password")).click()
    links = _invitation_links(page)
    assert set(links) >= {"Fay Finance", "Otto Operations"}, links
    assert_accessible(page)

    page.goto("/trust/waves/new")
    page.get_by_label("Title").fill("First pulse")
    page.get_by_label("Opens on").fill(clock.today().isoformat())
    page.get_by_label("Closes on").fill(clock.today().replace(day=28).isoformat() if clock.today().day < 28
                                       else clock.today().isoformat())
    for name in ("Finance", "Operations"):
        page.get_by_role("group", name="Who answers (functions)").get_by_label(name).check()
        page.get_by_role("group", name="Functions to rate").get_by_label(name).check()
    page.get_by_role("button", name="Create wave").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("First pulse")

    fay = browser.new_context(base_url=base_url).new_page()
    _set_password(fay, links["Fay Finance"], "fay's own password")
    expect(fay.get_by_role("link", name="Fay Finance")).to_be_visible()  # signed in
    fay.goto("/recognition/kudos/new")
    pick(fay, "Colleagues", "Otto Operations")
    fay.get_by_label("Message").fill("Thank you for walking us through the new carrier invoices, it saved our close.")
    fay.get_by_role("button", name="Give kudos").click()
    expect(fay.get_by_role("status")).to_contain_text("Kudos sent to Otto Operations")
    assert_accessible(fay)

    fay.goto("/")
    fay.get_by_role("link", name=re.compile("First pulse")).first.click()
    card = fay.locator("section.pulse-target").filter(has=fay.get_by_role("heading", name="Working with Operations"))
    statements = card.locator("fieldset.pulse-item").filter(has=fay.get_by_text("Agree", exact=True))
    for index in range(statements.count()):
        statements.nth(index).get_by_text("Agree", exact=True).click()
    card.get_by_text("8", exact=True).click()
    assert_accessible(fay)
    fay.get_by_role("button", name="Send my answers").click()
    expect(fay.get_by_role("status").first).to_contain_text("your answers are in")
    fay.context.close()

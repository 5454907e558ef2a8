"""What users click in the foundation: sign in per role, active search, CSV import, XSS, a11y."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, make_function, make_team, make_user
from webapp.roles import Role

pytestmark = pytest.mark.browser

ROLE_PAGES = {
    Role.EMPLOYEE: ["/", "/people", "/account/password"],
    Role.MANAGER: ["/", "/people"],
    Role.HR: ["/", "/people/import"],
    Role.LEADER: ["/", "/people"],
    Role.ADMIN: ["/", "/people", "/admin/functions", "/admin/teams", "/admin/audit", "/admin/people/new",
                 "/admin/functions/new", "/admin/teams/new", "/people/import", "/account/password"],
}
NAV_FOR = {Role.ADMIN: "Audit log", Role.HR: "Import people"}


@pytest.fixture
def org(db):
    finance = make_function("Finance", "FIN", "#1f77b4")
    operations = make_function("Operations", "OPS", "#d95f02")
    fpa = make_team(finance, "FP&A")
    logistics = make_team(operations, "Logistics")
    people = {role: make_user(role, name=f"{role.value.title()} Person", email=f"{role.value}@example.com",
                              team=fpa, password=PASSWORD) for role in Role if role != Role.EMPLOYEE}
    people[Role.EMPLOYEE] = make_user(name="Erin Employee", email="employee@example.com", team=logistics,
                                      password=PASSWORD)
    for n in range(30):
        make_user(name=f"Ops Colleague {n:02d}", team=logistics)
    db.session.commit()
    return people


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_and_every_page_it_may_use_is_accessible(page, org, role):
    log_in(page, f"{role.value}@example.com", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    if role in NAV_FOR:
        expect(page.get_by_role("navigation", name="Main")).to_contain_text(NAV_FOR[role])
    else:
        expect(page.get_by_role("navigation", name="Main")).not_to_contain_text("Audit log")
    for path in ROLE_PAGES[role]:
        page.goto(path)
        assert_accessible(page)


def test_sign_in_page_is_accessible_and_sign_out_works(page, org):
    page.goto("/login")
    assert_accessible(page)
    log_in(page, "employee@example.com", PASSWORD)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out")
    assert_accessible(page)


def test_directory_active_search_updates_as_you_type(page, org):
    log_in(page, "employee@example.com", PASSWORD)
    page.goto("/people")
    rows = page.locator("#directory-rows tr")
    expect(rows).to_have_count(26)  # a page of 25 and the "load more" row
    page.get_by_label("Search by name, email, function or team").press_sequentially("Erin", delay=20)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Erin Employee")
    expect(page).to_have_url(re.compile(r"q=Erin"))
    page.get_by_label("Search by name, email, function or team").fill("finance")
    expect(rows.first).to_contain_text("Admin Person")
    assert_accessible(page)


def test_directory_load_more_appends_the_next_page(page, org):
    log_in(page, "employee@example.com", PASSWORD)
    page.goto("/people")
    page.get_by_role("link", name="Load more people").click()
    expect(page.locator("#directory-rows tr")).to_have_count(35)  # all 35 people, no "load more" row
    expect(page).to_have_url(re.compile(r"/people$"))


def test_csv_import_through_preview_and_confirm(page, org, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "email,name,function,team,roles\nnot-an-email,Broken Row,Finance,FP&A,\nok@example.com,Ok,Nowhere,,\n"
        "boss@example.com,Boss,Finance,,manager\n"
    )  # HR may not grant manager: the person form refuses it
    good = tmp_path / "people.csv"
    good.write_text(  # semicolons, as Excel writes CSV in much of Europe
        "email;name;function;team;manager_email;roles;hired_on\n"
        "new.one@example.com;New One;Finance;FP&A;admin@example.com;;2024-01-15\n"
        "new.two@example.com;New Two;Operations;Warehouse;new.one@example.com;hr;2023-05-02\n"
    )
    log_in(page, "hr@example.com", PASSWORD)
    page.goto("/people/import")
    page.get_by_label("People CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#import-errors")).to_contain_text("is not a valid address")
    expect(page.locator("#import-errors")).to_contain_text("unknown function 'Nowhere'")
    expect(page.locator("#import-errors")).to_contain_text("Only an admin may grant or remove the manager role.")
    expect(page.locator("#import-summary")).to_contain_text("3 rows: 0 to add, 0 to update, 3 with errors.")
    expect(page.get_by_role("link", name=re.compile("^Download the 3 rejected rows"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})  # the wide tables scroll inside their own region
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Upload a file").click()
    page.get_by_label("People CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#import-summary")).to_contain_text("2 rows: 2 to add, 0 to update")
    assert_accessible(page)
    page.get_by_role("button", name="Import 2 people").click()
    expect(page.get_by_role("status").first).to_contain_text("2 people added, 0 updated")
    expect(page.get_by_label("New Two")).to_be_visible()  # next: invite the newcomers to sign in
    page.goto("/people")
    page.get_by_label("Search by name, email, function or team").fill("Warehouse")
    expect(page.locator("#directory-rows tr")).to_have_count(1)
    expect(page.locator("#directory-rows")).to_contain_text("New Two")


def test_html_in_a_name_is_shown_as_text(page, org, db):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    person = make_user(name=payload, email="xss@example.com", function=org[Role.ADMIN].function)
    db.session.commit()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, "employee@example.com", PASSWORD)
    page.goto(f"/people/{person.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(payload)
    page.goto("/people?q=xss")
    expect(page.locator("#directory-rows")).to_contain_text(payload)
    assert dialogs == []
    assert page.locator("img[src=x]").count() == 0


def test_admin_edits_a_person_by_keyboard_and_sees_the_audit_log(page, org):
    log_in(page, "admin@example.com", PASSWORD)
    page.goto(f"/admin/people/{org[Role.EMPLOYEE].id}/edit")
    page.get_by_label("Job title").focus()
    page.keyboard.type("Logistics Analyst")
    page.get_by_label("Job title").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Erin Employee")
    expect(page.get_by_text("Logistics Analyst").first).to_be_visible()
    page.goto("/admin/audit")
    expect(page.locator("#audit-rows")).to_contain_text("person.update")
    expect(page.locator("#audit-rows")).to_contain_text("Logistics Analyst")
    assert_accessible(page)


def test_skip_link_is_the_first_tab_stop(page, org):
    page.goto("/login")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()


def test_error_pages_are_friendly_and_accessible(page, org, console_errors):
    log_in(page, "employee@example.com", PASSWORD)
    for path, heading in [("/no-such-page", "Not found"), ("/admin/functions", "Not allowed")]:
        response = page.goto(path)
        assert response.status in (403, 404)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)
    console_errors[:] = [e for e in console_errors if "status of 403" not in e and "status of 404" not in e]

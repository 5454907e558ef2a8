"""A "Yes, if..." request in the browser: from the template to options, the what-if table, a pick and its
confirmation, then the look-back and the joint win; axe at 1280 and 390 px."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible_at_both_widths, log_in, open_menu
from tests.factories import PASSWORD, make_function, make_team, make_user
from webapp import clock
from webapp.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reduced_motion")]


@pytest.fixture
def people(db):
    finance, operations = make_function("Finance", "FIN", "#1f77b4"), make_function("Operations", "OPS", "#d95f02")
    make_user(Role.MANAGER, name="Fay Finance", email="fay@example.com", team=make_team(finance, "FP&A"),
              password=PASSWORD)
    make_user(Role.MANAGER, name="Otto Ops", email="otto@example.com", team=make_team(operations, "Logistics"),
              password=PASSWORD)
    db.session.commit()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_a_request_from_the_template_to_a_chosen_option_and_its_look_back(page, people, console_errors):
    today = clock.today()
    log_in(page, "otto@example.com", PASSWORD)
    open_menu(page, "Partnership", "Ask another function")
    assert_accessible_at_both_widths(page)
    form = page.locator("#request-form")
    form.get_by_label("What you ask for").fill("Three more field technicians")
    form.get_by_label("Function you ask").select_option(label="Finance")
    form.get_by_label("The need, and why now").fill("Service calls grew 20% in a quarter.")
    form.get_by_label("Customer or operational impact").fill("Customers wait three days.")
    form.get_by_label("One-off cost").fill("0")
    form.get_by_label("Monthly cost").fill("-12000")
    form.get_by_label("Decision needed by").fill((today + timedelta(days=14)).isoformat())
    form.get_by_label("Alternatives already considered").fill("Overtime.")
    form.get_by_label("The number that drives the need").fill("monthly service calls")
    form.get_by_label("Its value today").fill("1100")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("#cost_monthly-error")).to_have_text("Amounts cannot be negative.")
    page.locator("#request-form").get_by_label("Monthly cost").fill("12000")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Three more field technicians")
    expect(page.locator("#request-status")).to_have_text("waiting for options")
    request_url = page.url
    sign_out(page)

    log_in(page, "fay@example.com", PASSWORD)
    expect(page.locator("#tile-requests-waiting")).to_contain_text("answer with options")
    page.goto(request_url)
    for kind, label, fixed, per_unit, capacity in (("Yes, if…", "Fund in full", "12000", "0", ""),
                                                   ("An alternative", "Contractors", "2000", "7", "1500"),
                                                   ("A plain no", "No: better scheduling", "0", "0", "1000")):
        page.get_by_text("Draft an option").click()
        option = page.locator("#option-form")
        option.get_by_label(kind).check()
        option.get_by_label("The option").fill(label)
        option.get_by_label("Fixed cost per month").fill(fixed)
        option.get_by_label("Cost per month for each unit of the driver").fill(per_unit)
        option.get_by_label("Capacity (the most of the driver it handles)").fill(capacity)
        if kind != "A plain no":
            option.get_by_label("When to look again").fill((today + timedelta(days=90)).isoformat())
        option.get_by_role("button", name="Add the option").click()
        expect(page.locator("#options")).to_contain_text(label)
    page.get_by_role("button", name=re.compile("Send the answer")).click()
    expect(page.get_by_role("alert").first).to_contain_text("Each yes-if option needs its condition.")
    card = page.locator("article", has_text="Fund in full")
    card.get_by_text("Add a condition").click()
    card.get_by_label("Driver").fill("monthly service calls")
    card.get_by_label("Comparison").select_option(label="at least")
    card.get_by_label("Threshold").fill("1200")
    card.get_by_label("Review date").fill((today + timedelta(days=30)).isoformat())
    card.get_by_role("button", name="Add the condition").click()
    expect(page.locator("article", has_text="Fund in full")).to_contain_text("If monthly service calls is at least")
    page.get_by_role("button", name=re.compile("Send the answer")).click()
    expect(page.locator("#request-status")).to_have_text("options to pick")
    assert_accessible_at_both_widths(page)
    sign_out(page)

    log_in(page, "otto@example.com", PASSWORD)
    page.goto(request_url)
    expect(page.locator("#whatif-flip")).to_contain_text(
        "The preferred option changes at monthly service calls 1,000.0"
    )
    table = page.locator("#whatif")
    table.get_by_label("Monthly service calls").fill("-5")
    table.get_by_role("button", name="Show the table").click()
    expect(page.locator("#whatif")).to_contain_text("Enter a number from 0")  # the error, in place (htmx, 422)
    page.locator("#whatif").get_by_label("Monthly service calls").fill("1400")
    page.locator("#whatif").get_by_role("button", name="Show the table").click()
    expect(page.locator("#whatif-table .table-success")).to_contain_text("Contractors")
    expect(page.locator("#whatif")).to_contain_text("Otto Ops moved it from 1,100.0 to 1,400.0")
    assert_accessible_at_both_widths(page)
    pick = page.locator("#pick-form")
    pick.get_by_label("Contractors").check()
    pick.get_by_label("Why this option").fill("Learn whether demand lasts before hiring.")
    page.get_by_role("button", name="Pick this option").click()
    expect(page.locator("#request-status")).to_have_text("pick to confirm")
    sign_out(page)

    log_in(page, "fay@example.com", PASSWORD)
    page.goto(request_url)
    confirm = page.locator("#confirm-form")
    confirm.get_by_label("Who was consulted").fill("Head of Finance")
    confirm.get_by_label("Reasons").fill("The cheapest way to learn.")
    page.get_by_role("button", name="Confirm the decision").click()
    expect(page.locator("#decision")).to_contain_text("Decided: “Contractors”")
    expect(page.locator("#decision")).to_contain_text("Picked by Otto Ops, confirmed by Fay Finance")
    assert_accessible_at_both_widths(page)
    sign_out(page)

    with time_machine.travel(clock.now() + timedelta(days=91), tick=True):  # the look-back date has come
        for email, note in (("otto@example.com", "Calls stayed at 1,400."), ("fay@example.com", "Overtime fell.")):
            log_in(page, email, PASSWORD)
            expect(page.locator("#tile-requests-waiting")).to_contain_text("record the look-back")
            page.goto(request_url)
            lookback = page.locator("#lookback-form")
            lookback.get_by_label("It delivered").check()
            lookback.get_by_label("What happened").fill(note)
            page.get_by_role("button", name="Record the look-back").click()
            expect(page.locator("#lookback")).to_contain_text(note)
            if email == "otto@example.com":
                sign_out(page)
        expect(page.locator("#request-status")).to_have_text("looked back")
        assert_accessible_at_both_widths(page)
        page.get_by_role("link", name="Celebrate it as a joint win").click()
        expect(page.get_by_label("Title")).to_have_value("Yes, if… that worked: Three more field technicians")
        expect(page.get_by_label("Story")).to_contain_text("both sides said it delivered")
    provoked = ["400 (BAD REQUEST)", "400 (BAD REQUEST)", "422 (UNPROCESSABLE ENTITY)"]  # the three refusals above
    assert [error.rsplit("status of ", 1)[-1] for error in console_errors] == provoked
    console_errors.clear()


def test_every_requests_page_in_every_state_is_accessible(page, db):
    from programs.resource_requests import services
    from tests.resource_requests.requests_factories import Pair, answered_request, decided_request, sent_request

    ops, fin = make_function("Operations", "OPS"), make_function("Finance", "FIN")
    leader = make_user(Role.LEADER, Role.MANAGER, name="Fay Finance", email="fay@example.com", function=fin,
                       password=PASSWORD)
    pair = Pair(make_user(name="Olu Ops", function=ops), make_user(Role.LEADER, function=ops),
                make_user(Role.MANAGER, function=fin), leader, make_user(function=fin), make_user(Role.MANAGER))
    waiting, answered = sent_request(pair), answered_request(pair)
    decided, escalated = decided_request(pair), answered_request(pair)
    services.escalate_overdue(escalated.deadline + timedelta(days=1), clock.now())
    services.write_case(pair.requester, escalated, "Demand is real.")
    db.session.commit()
    log_in(page, "fay@example.com", PASSWORD)
    for path in ["/requests", "/requests/new", *(f"/requests/{r.id}" for r in (waiting, answered, decided, escalated))]:
        page.goto(path)
        for details in page.locator("details").all():
            details.evaluate("element => element.open = true")  # the folded forms are checked too
        assert_accessible_at_both_widths(page)

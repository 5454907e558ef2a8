"""What users click in early warnings: a draft, raised, acknowledged with a next step, discussed (htmx), closed
with what happened once its month has passed, and the reconciliation page; axe at 1280 and 390 px throughout."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from programs.early_warnings.rules import parse_period
from tests.browser.conftest import assert_accessible_at_both_widths, log_in, open_menu
from tests.factories import PASSWORD, make_function, make_team, make_user
from tests.timeline import START
from webapp.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reduced_motion")]


@pytest.fixture
def people(db):
    finance, operations = make_function("Finance", "FIN", "#1f77b4"), make_function("Operations", "OPS", "#d95f02")
    make_user(name="Olu Ops", email="olu@example.com", team=make_team(operations, "Logistics"), password=PASSWORD)
    make_user(Role.MANAGER, name="Fay Finance", email="fay@example.com", team=make_team(finance, "FP&A"),
              password=PASSWORD)
    db.session.commit()


def test_a_warning_from_draft_to_close(page, people, console_errors):
    month = f"{START:%Y-%m}"
    log_in(page, "olu@example.com", PASSWORD)
    open_menu(page, "Partnership", "Early warnings")
    assert_accessible_at_both_widths(page)
    page.get_by_role("link", name="Raise an early warning").click()
    assert_accessible_at_both_widths(page)
    page.get_by_label("To which function").select_option(label="Finance")
    page.get_by_label("What is happening").fill("Freight rates up 15%")
    page.get_by_label("Kind").select_option(label="Cost")
    page.get_by_label("Estimated impact: at least").fill("-100")
    page.get_by_label("Estimated impact: at most").fill("60000")
    page.get_by_label("The period it will hit").fill(month)
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator("#impact_low-error")).to_contain_text("more than zero")  # refused in place, nothing saved
    assert_accessible_at_both_widths(page)
    page.get_by_label("Estimated impact: at least").fill("20000")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("status").first).to_contain_text("only you can see it")
    expect(page.locator("#warning-status")).to_have_text("Draft")
    page.get_by_role("button", name="Raise it now").click()
    expect(page.locator("#warning-status")).to_have_text("Waiting for acknowledgement")
    assert_accessible_at_both_widths(page)
    page.get_by_role("button", name="Sign out").click()

    log_in(page, "fay@example.com", PASSWORD)
    tile = page.locator("#tile-warnings-to-acknowledge")
    expect(tile).to_contain_text("Freight rates up 15%")
    tile.get_by_role("link", name="Freight rates up 15%").click()
    expect(page.get_by_text("Someone in Operations")).to_be_visible()  # the author chose not to show the name
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#ack_form-error, #ack-next_step-error")).to_contain_text("Name the next step.")
    page.get_by_label("Next step").fill("Rework the freight forecast with Ops on Monday")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#warning-ack")).to_contain_text("Rework the freight forecast")
    page.get_by_label("Add to the discussion").fill("Which carriers are affected?")
    page.get_by_role("button", name="Post").click()
    expect(page.locator("#warning-comments")).to_contain_text("Which carriers are affected?")
    assert_accessible_at_both_widths(page)
    detail = page.url.split("#")[0]
    page.get_by_role("button", name="Sign out").click()  # whether a session outlives the month depends on the date

    with time_machine.travel(parse_period(month).end + timedelta(days=2, hours=12)):
        log_in(page, "fay@example.com", PASSWORD)
        page.goto(detail)
        page.get_by_label("What actually happened").select_option(label="Larger than estimated")
        page.get_by_label("Actual impact").fill("-3")
        page.get_by_role("button", name="Close the warning").click()
        expect(page.locator("#close-actual_impact-error")).to_contain_text("more than zero")
        page.get_by_label("Actual impact").fill("75000")
        page.get_by_role("button", name="Close the warning").click()
        expect(page.locator("#warning-status")).to_have_text("Closed")
        expect(page.locator("#warning-outcome")).to_contain_text("Larger than estimated: 75,000 EUR")
        assert_accessible_at_both_widths(page)
        open_menu(page, "Partnership", "Warnings against the numbers")
        page.get_by_label("Period to reconcile").fill(month)
        page.get_by_role("button", name="Reconcile").click()
        expect(page.get_by_role("status").first).to_contain_text("is reconciled")
        assert_accessible_at_both_widths(page)
    # the refusals shown in place answered 400 (a negative impact, a missing next step, a negative actual impact)
    console_errors[:] = [e for e in console_errors if "status of 400" not in e]

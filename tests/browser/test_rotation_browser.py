"""What people click in a rotation: apply with ranked openings, approve, rank, run and publish the match, accept."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from rotation import services
from rotation.models import Application, Placement
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, make_user
from tests.rotation.rotation_factories import make_cohort, make_opening, make_org, make_program
from webapp import clock
from webapp.roles import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def world(db):
    org = make_org()
    for person in (org.finance_manager, org.ops_manager, org.hr):
        person.set_password(PASSWORD)
    applicant = org.finance_person(name="Ada Applicant", email="ada@example.com", password=PASSWORD)
    cohort = make_cohort(make_program(org, name="Finance and Operations exchange"),
                         opens_on=clock.today() - timedelta(days=2))
    seats = [make_opening(cohort, org.ops_manager, title=t) for t in ("Alpha docks", "Bravo stock", "Charlie quality")]
    make_user(Role.LEADER, email="leader@example.com", password=PASSWORD)
    db.session.commit()
    return org, applicant, cohort, seats


def _switch(page, email: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    log_in(page, email, PASSWORD)


def _visit(page, path: str) -> None:
    page.goto(path)
    assert_accessible(page)


def _titles(page) -> list[str]:
    return page.locator("#choice-list li").evaluate_all("items => items.map(li => li.dataset.itemName)")


def test_apply_approve_rank_match_publish_accept(page, db, world):
    org, applicant, cohort, seats = world
    log_in(page, applicant.email, PASSWORD)
    assert_accessible(page)
    _visit(page, "/rotation")
    _visit(page, f"/rotation/programs/{cohort.program_id}")
    _visit(page, f"/rotation/cohorts/{cohort.id}")
    _visit(page, f"/rotation/openings/{seats[0].id}")
    page.goto(f"/rotation/cohorts/{cohort.id}")
    page.get_by_role("link", name="Apply to this cohort").click()
    assert_accessible(page)
    page.get_by_role("button", name="Up Charlie quality").click()  # moved in place by the script
    assert _titles(page) == ["Alpha docks", "Charlie quality", "Bravo stock"]
    expect(page.locator("#choice-list-status")).to_have_text("Charlie quality is now number 2.")
    page.locator("#choice-list li").nth(2).drag_to(page.locator("#choice-list li").nth(0))
    assert _titles(page)[0] == "Bravo stock"
    page.get_by_role("checkbox", name="Bravo stock").check()
    page.get_by_role("checkbox", name="Alpha docks").check()
    page.get_by_label("Why this rotation").fill("I want to see the warehouse.")
    page.get_by_label("Your learning goals").fill("Cost a flow end to end.")
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("status")).to_contain_text("Your application is submitted")
    application = db.session.scalar(db.select(Application))
    assert [c.opening.title for c in application.choices] == ["Bravo stock", "Alpha docks"]

    _switch(page, org.finance_manager.email)
    tile = page.locator("#tile-rotation-approvals")
    expect(tile).to_contain_text("Ada Applicant applied to Spring")
    assert_accessible(page)
    tile.get_by_role("button", name="Approve… Ada Applicant").click()  # from the home page, to be confirmed
    expect(page.get_by_role("heading", name="Confirm your decision")).to_be_visible()
    expect(page.locator("#release-cap")).to_contain_text("Already approved for a rotation in this period: 0")
    expect(page.get_by_label("Decision", exact=True)).to_have_value("approve")
    assert_accessible(page)
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status")).to_contain_text("is approved")
    expect(page).to_have_url(re.compile(r"/$"))

    _switch(page, org.ops_manager.email)
    _visit(page, f"/rotation/openings/{seats[1].id}/ranking")
    page.get_by_role("button", name="Save ranking").click()
    expect(page.get_by_role("status")).to_contain_text("Your ranking is saved")
    _visit(page, f"/rotation/cohorts/{cohort.id}/openings/new")

    _switch(page, org.hr.email)
    _visit(page, f"/rotation/cohorts/{cohort.id}/match")
    expect(page.get_by_role("button", name="Run the match")).to_have_count(0)  # applications are still open
    page.get_by_label("I understand nobody can apply or change an application afterwards").check()
    page.get_by_role("button", name="Close applications now").click()
    expect(page.get_by_role("status")).to_contain_text("Applications are closed")
    page.get_by_role("button", name="Run the match").click()
    expect(page.locator("#draft-table")).to_contain_text("Bravo stock")
    assert_accessible(page)
    page.get_by_role("link", name="Move Ada Applicant").click()
    assert_accessible(page)
    page.get_by_label("Search openings by title or function").fill("Charlie")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#move-found")).to_contain_text("not on their list")
    assert_accessible(page)
    page.goto(f"/rotation/cohorts/{cohort.id}/match")
    page.get_by_label("I have reviewed the draft: send the offers to the matched applicants").check()
    page.get_by_role("button", name="Publish the match").click()
    expect(page.locator("#placements-table")).to_contain_text("offered")
    for path in (
        f"/rotation/cohorts/{cohort.id}",
        "/rotation/programs/new",
        f"/rotation/programs/{cohort.program_id}/cohorts/new",
        f"/rotation/programs/{cohort.program_id}/health",
    ):
        _visit(page, path)

    _switch(page, applicant.email)
    page.locator("#tile-my-rotation").get_by_role("link", name="Open your placement").click()
    assert_accessible(page)
    page.get_by_role("button", name="Accept the rotation").click()
    expect(page.locator("#placement-status")).to_have_text("accepted")
    assert db.session.scalar(db.select(Placement.status)) == "accepted"
    _visit(page, "/rotation")
    expect(page.locator("#my-placements-title")).to_be_visible()


def test_a_ranked_list_that_htmx_swaps_in_still_moves_in_place(page, db, world):
    _org, applicant, cohort, _seats = world
    log_in(page, applicant.email, PASSWORD)
    page.goto(f"/rotation/cohorts/{cohort.id}/apply")
    page.evaluate("document.getElementById('choice-list').dataset.old = '1'")
    page.evaluate("htmx.ajax('GET', location.pathname,"
                  " {target: '#choice-list', select: '#choice-list', swap: 'outerHTML'})")
    expect(page.locator("#choice-list:not([data-old])")).to_have_count(1)  # the swapped-in list
    page.get_by_role("button", name="Up Charlie quality").click()  # the old script left it to post the form
    expect(page.locator("#choice-list-status")).to_have_text("Charlie quality is now number 2.")
    assert _titles(page) == ["Alpha docks", "Charlie quality", "Bravo stock"]
    expect(page.locator("#choice-list:not([data-old])")).to_have_count(1)  # no page load in between


def test_ranking_works_without_javascript(browser, base_url, db, world):
    _org, applicant, cohort, _seats = world
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, applicant.email, PASSWORD)
    page.goto(f"/rotation/cohorts/{cohort.id}/apply")
    page.get_by_role("button", name="Down Alpha docks").click()
    expect(page.locator("#choice-list li label")).to_have_text(["Bravo stock", "Alpha docks", "Charlie quality"])
    context.close()


def test_active_placement_check_in_and_sign_offs(page, db):
    org = make_org()
    for person in (org.finance_manager, org.ops_manager):
        person.set_password(PASSWORD)
    rotator = org.finance_person(name="Ria Rotator", email="ria@example.com", password=PASSWORD)
    today = clock.today()
    cohort = make_cohort(make_program(org), opens_on=today - timedelta(days=120))  # ends in 4 days: sign-offs open
    seat = make_opening(cohort, org.ops_manager, title="Warehouse flow")
    application = services.submit_application(rotator, cohort, [seat.id], "s", "g", cohort.applications_open_on)
    services.decide_application(org.finance_manager, application, True, "", cohort.applications_open_on)
    services.run_match(org.hr, cohort, cohort.matching_on)
    [placement] = services.publish_match(org.hr, cohort, cohort.matching_on, confirmed=True)
    services.respond_to_offer(rotator, placement, True, cohort.matching_on)
    db.session.commit()
    log_in(page, rotator.email, PASSWORD)
    _visit(page, f"/rotation/placements/{placement.id}")
    page.get_by_label("Progress on the learning goals").fill("Halfway there.")
    page.get_by_label("What surprised you about the other function").fill("How much is manual.")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("status")).to_contain_text("check-in is saved")
    page.get_by_label("Your reflection").fill("I see the month-end differently now.")
    page.get_by_label("Your rating of the rotation (1 poor, 5 excellent)").select_option("4")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_role("status")).to_contain_text("Your sign-off is saved")
    assert_accessible(page)
    _switch(page, org.finance_manager.email)
    _visit(page, f"/rotation/placements/{placement.id}")
    page.get_by_role("button", name="Confirm the rotation is complete").click()
    _switch(page, org.ops_manager.email)
    _visit(page, f"/rotation/placements/{placement.id}")
    page.get_by_label("Feedback for the rotator").fill("Welcome back any time.")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_role("status")).to_contain_text("The rotation is complete")
    expect(page.locator("#placement-status")).to_have_text("completed")
    _visit(page, f"/people/{rotator.id}")
    expect(page.locator("#tile-rotations")).to_contain_text("Warehouse flow")

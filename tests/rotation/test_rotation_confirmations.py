"""Decisions started from the home tile are confirmed on the decision page, which shows the team release cap."""
from __future__ import annotations

import re

import pytest

from tests.conftest import sign_in
from tests.rotation.rotation_factories import make_application, make_cohort, make_opening, make_program


@pytest.fixture
def cohort(org):
    program = make_program(org, release_cap_percent=20)
    return make_cohort(program)


def test_the_home_tile_leads_to_a_confirmation_and_changes_nothing_itself(db, client, org, cohort):
    seat = make_opening(cohort, org.ops_manager)
    application = make_application(org.finance_person(), cohort, [seat])
    sign_in(client, org.finance_manager)
    home = client.get("/").get_data(as_text=True)
    tile_form = re.search(rf'<form method="(\w+)" action="/rotation/applications/{application.id}"', home)
    assert tile_form and tile_form.group(1) == "get"  # following it cannot decide anything

    page = client.get(f"/rotation/applications/{application.id}?decision=approve&comment=Go+for+it&next=/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and application.status == "submitted"
    assert "Confirm your decision" in html and "A decision cannot be undone." in html
    assert re.search(r'<option selected value="approve">|<option value="approve" selected', html)
    assert "Go for it" in html
    assert f'action="/rotation/applications/{application.id}?next=/"' in html

    confirmed = client.post(f"/rotation/applications/{application.id}?next=/", data={"decision": "approve"})
    assert confirmed.status_code == 303 and confirmed.headers["Location"] == "/"
    assert application.status == "approved"


def test_the_decision_page_shows_the_release_cap_and_who_is_away(db, client, org, cohort):
    seat = make_opening(cohort, org.ops_manager)
    people = [org.finance_person() for _ in range(3)]  # four in the team with the manager: 20% lets one go
    first, second = (make_application(person, cohort, [seat]) for person in people[:2])
    sign_in(client, org.finance_manager)
    before = client.get(f"/rotation/applications/{second.id}").get_data(as_text=True)
    assert "at most 1 of the 4 people of this team away at once" in before
    assert "Already approved for a rotation in this period: 0." in before and "The cap is reached" not in before

    assert client.post(f"/rotation/applications/{first.id}", data={"decision": "approve"}).status_code == 303
    after = client.get(f"/rotation/applications/{second.id}").get_data(as_text=True)
    assert "Already approved for a rotation in this period: 1." in after and "The cap is reached" in after


def test_people_who_do_not_decide_see_no_release_figures(db, client, org, cohort):
    application = make_application(org.finance_person(), cohort, [make_opening(cohort, org.ops_manager)])
    sign_in(client, org.ops_manager)  # the host sees the application, not the home team's figures
    html = client.get(f"/rotation/applications/{application.id}").get_data(as_text=True)
    assert "release cap" not in html.lower()

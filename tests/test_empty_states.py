"""Empty pages say what to do next, and link to it for the people who can do it."""
from __future__ import annotations

import pytest
from sqlalchemy import delete

from tests.conftest import sign_in
from tests.factories import make_user
from tests.rotation.rotation_factories import make_cohort, make_org, make_program
from webapp.people.models import Membership
from webapp.roles import Role


def page(client, viewer, url: str) -> str:
    sign_in(client, viewer)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_a_new_cohort_says_host_managers_post_openings_and_gives_them_the_link(client, db):
    org = make_org()
    cohort = make_cohort(make_program(org, host_function_ids=[org.operations.id]))
    url = f"/rotation/cohorts/{cohort.id}"
    opening_link = f'href="/rotation/cohorts/{cohort.id}/openings/new"'
    for_hr = page(client, org.hr, url)
    assert "No openings posted yet. Managers in the host\n    function\n    (Operations) post them" in for_hr
    assert "Let the host managers know" in for_hr
    host_manager = page(client, org.ops_manager, url)
    assert "Post the first opening" in host_manager and opening_link in host_manager
    assert "Post the first opening" not in page(client, org.finance_manager, url)  # not a host function


@pytest.mark.parametrize(("role", "url", "says", "link"), [
    (Role.HR, "/rotation", "No rotation programs yet.", 'href="/rotation/programs/new"'),
    (Role.EMPLOYEE, "/rotation", "HR sets programs up", None),
    (Role.ADMIN, "/trust/waves", "No waves yet.", 'href="/trust/waves/new"'),
    (Role.HR, "/trust/outcomes", "No metrics yet.", 'href="/trust/outcomes/new"'),
    (Role.ADMIN, "/admin/teams", "No teams yet.", 'href="/admin/teams/new"'),
    (Role.EMPLOYEE, "/recognition", "Nothing to celebrate here yet.", 'href="/recognition/kudos/new"'),
    (Role.EMPLOYEE, "/visits", "No visits here yet.", 'href="/visits/new"'),
    (Role.HR, "/accounts", "No customer accounts yet.", 'href="/accounts/import"'),
    (Role.EMPLOYEE, "/accounts", "Managers and HR add them", None),
])
def test_empty_pages_say_what_to_do_next(client, db, role, url, says, link):
    html = page(client, make_user(role), url)
    assert says in html
    if link:
        assert link in html
    else:
        assert "/new" not in html.split("<main", 1)[-1].split("</main>", 1)[0]


def test_a_program_without_cohorts_offers_hr_the_first_one(client, db):
    org = make_org()
    program = make_program(org)
    html = page(client, org.hr, f"/rotation/programs/{program.id}")
    assert "No cohorts yet." in html and "Open the first cohort" in html
    assert "HR opens cohorts" in page(client, make_user(), f"/rotation/programs/{program.id}")


def test_an_organisation_without_functions_is_told_to_add_the_first(client, db):
    admin = make_user(Role.ADMIN)
    function, admin.function = admin.function, None
    db.session.execute(delete(Membership).where(Membership.function_id == function.id))  # the factory's history
    db.session.delete(function)
    html = page(client, admin, "/admin/functions")
    assert "No functions yet." in html and 'href="/admin/functions/new"' in html

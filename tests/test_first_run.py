"""A fresh organisation knows what to do next: the admin's first-run checklist ticks itself off as data appears."""
from __future__ import annotations

import re

from tests.conftest import sign_in
from tests.factories import PASSWORD, make_function, make_user
from tests.recognition.recognition_factories import give
from tests.rotation.rotation_factories import make_org, make_program
from tests.trust.trust_factories import make_wave
from webapp.roles import Role

STEPS = ["functions", "people", "teams", "roles", "invitations", "rotation-program", "pulse-wave", "kudos"]


def checklist(client) -> dict[str, bool] | None:
    """Each step on the admin's home and whether it is done; None when the checklist is not shown."""
    html = client.get("/").get_data(as_text=True)
    if 'id="first-run-steps"' not in html:
        return None
    return {name: done == "yes" for name, done in re.findall(r'data-step="([\w-]+)" data-done="(yes|no)"', html)}


def done_steps(client) -> list[str]:
    return [name for name, done in (checklist(client) or {}).items() if done]


def test_a_fresh_organisation_sees_every_step_in_order_each_linking_where_it_is_done(client, db):
    sign_in(client, make_user(Role.ADMIN, password=PASSWORD))
    steps = checklist(client)
    assert list(steps) == STEPS and not any(steps.values())
    html = client.get("/").get_data(as_text=True)
    assert "0 of 8 steps done. Next: <a href=\"/admin/functions\">Add your functions</a>" in html
    for href in ("/admin/functions", "/people/import", "/admin/teams", "/people", "/admin/invitations",
                 "/rotation/programs/new", "/trust/waves/new", "/recognition/kudos/new"):
        assert f'href="{href}"' in html
        assert client.get(href).status_code == 200, href  # the admin may do each step


def test_steps_tick_themselves_off_as_the_data_appears_and_the_list_goes_when_all_are_done(client, db):
    admin = make_user(Role.ADMIN, password=PASSWORD, function=make_function("Admin office", "ADM"))
    sign_in(client, admin)
    org = make_org()  # two more functions, people, two teams with managers, a manager and an HR person
    assert done_steps(client) == ["functions", "people", "teams"]
    make_user(Role.LEADER, name="Lea Leader")
    assert "roles" in done_steps(client)
    assert "invitations" not in done_steps(client)
    assert (
        client.post("/admin/invitations", data={"everyone": "y", "idempotency_key": "key-of-this-form"}).status_code
        == 200
    )
    assert "invitations" in done_steps(client)
    make_program(org)
    make_wave([org.finance, org.operations], actor=org.hr)
    assert done_steps(client) == STEPS[:-1]
    give(org.finance_manager, org.ops_manager)
    assert checklist(client) is None  # all set: the tile makes way for the others


def test_roles_need_a_manager_an_hr_person_and_a_leader(client, db):
    sign_in(client, make_user(Role.ADMIN, password=PASSWORD))
    make_user(Role.MANAGER)
    make_user(Role.HR)
    assert "roles" not in done_steps(client)
    make_user(Role.LEADER, active=False)
    assert "roles" not in done_steps(client)  # a deactivated leader does not count
    make_user(Role.LEADER)
    assert "roles" in done_steps(client)


def test_only_admins_see_the_checklist(client, db):
    for role in (Role.HR, Role.MANAGER, Role.LEADER, Role.EMPLOYEE):
        sign_in(client, make_user(role))
        assert checklist(client) is None, role

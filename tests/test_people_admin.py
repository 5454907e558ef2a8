"""Admin of people, functions and teams: rules, deactivation, audit log, bad input."""
from __future__ import annotations

import pytest

from tests.conftest import sign_in
from tests.factories import make_function, make_team, make_user
from webapp.auth.models import AuditEntry
from webapp.people.models import Function, Team, User
from webapp.roles import Role


@pytest.fixture
def admin(client, db):
    user = make_user(Role.ADMIN, name="Admin Person")
    sign_in(client, user)
    return user


def person_form(function, **overrides) -> dict:
    return {"name": "New Person", "email": "new@example.com", "function_id": str(function.id), "team_id": "",
            "job_title": "Analyst", "manager_email": "", "hired_on": "2024-03-01", **overrides}


def audit_actions(db) -> list[str]:
    return [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]


def test_admin_creates_a_person_with_roles_and_it_is_audited(client, admin, db):
    function = make_function()
    response = client.post("/admin/people/new", data=person_form(function, roles=["manager", "hr"]))
    assert response.status_code == 302
    person = db.session.query(User).filter_by(email="new@example.com").one()
    assert person.roles == {Role.EMPLOYEE, Role.MANAGER, Role.HR}
    entry = db.session.query(AuditEntry).filter_by(action="person.create").one()
    assert entry.actor_id == admin.id and entry.before is None and entry.after["email"] == "new@example.com"


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"email": "not-an-email"}, "Invalid email address"),
        ({"name": ""}, "This field is required"),
        ({"name": "x" * 121}, "between"),
        ({"function_id": "99999"}, "Not a valid choice"),
        ({"manager_email": "nobody@example.com"}, "No person has this email"),
        ({"hired_on": "31/02/2024"}, "Not a valid date"),
        ({"roles": ["superuser"]}, "not a valid choice"),
    ],
)
def test_bad_person_input_is_explained_and_nothing_is_saved(client, admin, db, overrides, message):
    function = make_function()
    response = client.post("/admin/people/new", data=person_form(function, **overrides))
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    assert db.session.query(User).filter_by(email="new@example.com").count() == 0


def test_duplicate_email_is_refused_case_insensitively(client, admin, db):
    function = make_function()
    make_user(email="taken@example.com")
    response = client.post("/admin/people/new", data=person_form(function, email="TAKEN@example.com"))
    assert response.status_code == 400 and "already uses this email" in response.get_data(as_text=True)


def test_team_must_belong_to_the_persons_function(client, admin, db):
    finance, ops = make_function(), make_function()
    team = make_team(ops)
    response = client.post("/admin/people/new", data=person_form(finance, team_id=str(team.id)))
    assert response.status_code == 400 and "belongs to another function" in response.get_data(as_text=True)


def test_manager_chain_cannot_loop(client, admin, db):
    top = make_user(email="top@example.com")
    middle = make_user(email="middle@example.com", manager=top)
    make_user(email="bottom@example.com", manager=middle)
    data = person_form(top.function, name=top.name, email=top.email, manager_email="bottom@example.com")
    response = client.post(f"/admin/people/{top.id}/edit", data=data)
    assert response.status_code == 400 and "loop in the manager chain" in response.get_data(as_text=True)
    assert db.session.get(User, top.id).manager_id is None


def test_html_in_names_is_escaped(client, admin, db):
    person = make_user(name='<script>alert("x")</script>')
    html = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_deactivate_never_deletes_and_signs_the_person_out(app, client, admin, db):
    person = make_user(name="Leaving Person")
    their_client = app.test_client()
    sign_in(their_client, person)
    assert their_client.get("/").status_code == 200
    response = client.post(f"/admin/people/{person.id}/active", data={"active": "0", "confirmed": "1"})
    assert response.status_code == 303
    assert db.session.get(User, person.id).active is False
    assert their_client.get("/").status_code == 302
    client.post(f"/admin/people/{person.id}/active", data={"active": "1"})
    assert db.session.get(User, person.id).active is True
    assert audit_actions(db)[-2:] == ["user.deactivate", "user.reactivate"]


@pytest.mark.parametrize("kind", ["people", "teams", "functions"])
def test_deactivating_asks_first_and_changes_nothing_until_confirmed(app, client, admin, db, kind):
    person = make_user(name="Leaving Person")
    item = {"people": person, "teams": make_team(person.function, "Payables"), "functions": person.function}[kind]
    db.session.commit()
    their_client = app.test_client()
    sign_in(their_client, person)
    response = client.post(f"/admin/{kind}/{item.id}/active", data={"active": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f"Deactivate {item.name}?" in html
    assert 'name="confirmed" value="1"' in html
    db.session.expire_all()
    assert db.session.get(type(item), item.id).active is True
    assert their_client.get("/").status_code == 200
    assert "user.deactivate" not in audit_actions(db)
    client.post(f"/admin/{kind}/{item.id}/active", data={"active": "0", "confirmed": "1"})
    db.session.expire_all()
    assert db.session.get(type(item), item.id).active is False


def test_the_last_admin_cannot_be_deactivated_or_demoted(client, admin, db):
    response = client.post(f"/admin/people/{admin.id}/active", data={"active": "0", "confirmed": "1"})
    assert response.status_code == 303 and db.session.get(User, admin.id).active is True
    data = person_form(admin.function, name=admin.name, email=admin.email, roles=[])
    response = client.post(f"/admin/people/{admin.id}/edit", data=data)
    assert response.status_code == 400 and "at least one active admin" in response.get_data(as_text=True)
    assert Role.ADMIN in db.session.get(User, admin.id).roles


def test_activity_route_rejects_unknown_kinds_and_values(client, admin, db):
    person = make_user()
    assert client.post(f"/admin/robots/{person.id}/active", data={"active": "0"}).status_code == 404
    assert client.post(f"/admin/people/{person.id}/active", data={"active": "maybe"}).status_code == 400
    assert client.post("/admin/people/999999/active", data={"active": "0"}).status_code == 404


def test_functions_are_created_edited_and_unique(client, admin, db):
    response = client.post("/admin/functions/new", data={"name": "Finance", "code": "fin", "colour": "#112233"})
    assert response.status_code == 302
    finance = db.session.query(Function).filter_by(name="Finance").one()
    assert finance.code == "FIN"
    response = client.post("/admin/functions/new", data={"name": "finance", "code": "FN2", "colour": "#112233"})
    assert response.status_code == 400 and "already uses this name" in response.get_data(as_text=True)
    response = client.post("/admin/functions/new", data={"name": "Ops", "code": "O P S", "colour": "red"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Letters, digits and - only" in body and "A colour like" in body
    client.post(
        f"/admin/functions/{finance.id}/edit", data={"name": "Finance & Accounting", "code": "FIN", "colour": "#112233"}
    )
    assert db.session.get(Function, finance.id).name == "Finance & Accounting"
    assert audit_actions(db) == ["function.create", "function.update"]


def test_teams_are_created_with_a_manager_and_unique_within_a_function(client, admin, db):
    function = make_function()
    manager = make_user(email="lead@example.com", function=function)
    data = {"name": "Logistics", "function_id": str(function.id), "manager_email": "lead@example.com"}
    assert client.post("/admin/teams/new", data=data).status_code == 302
    team = db.session.query(Team).filter_by(name="Logistics").one()
    assert team.manager_id == manager.id
    response = client.post("/admin/teams/new", data={**data, "name": "LOGISTICS"})
    assert response.status_code == 400 and "already has a team with that name" in response.get_data(as_text=True)
    response = client.post("/admin/teams/new", data={**data, "name": "Other", "manager_email": "ghost@example.com"})
    assert response.status_code == 400 and "No person has this email" in response.get_data(as_text=True)


def test_audit_log_pages_with_load_more(client, admin, db):
    for n in range(55):
        make_function(name=f"F{n}", code=f"C{n}")
        client.post("/admin/functions/new", data={"name": f"Func {n}", "code": f"X{n}", "colour": "#000000"})
    html = client.get("/admin/audit").get_data(as_text=True)
    assert html.count("function.create") == 50 and 'id="audit-more"' in html
    oldest_shown = int(html.split("before=")[1].split('"')[0])
    more = client.get(f"/admin/audit?before={oldest_shown}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert more.count("function.create") == 5 and "<html" not in more

"""People CSV import: the planner's row errors, all-or-nothing apply, re-import, the web flow, the CLI."""
from __future__ import annotations

import io

import pytest

from tests.conftest import sign_in
from tests.factories import make_function, make_user
from tests.timeline import TODAY
from webapp.auth.models import AuditEntry
from webapp.people.importing import ExistingPeople, plan_people_import
from webapp.people.models import PendingImport, Team, User
from webapp.people.services import PeopleError, PersonData, save_person
from webapp.roles import Role

HEADER = "email,name,function,team,manager_email,roles,hired_on\n"
EXISTING = ExistingPeople(function_ids={"finance": 1, "fin": 1, "operations": 2}, manager_of={"boss@x.com": None})


def plan(rows: str):
    return plan_people_import(HEADER + rows, EXISTING, TODAY)


def errors_by_line(result) -> dict[int, list[str]]:
    return {row.line: row.errors for row in result.rows if row.errors}


def test_a_valid_file_plans_creates_and_updates():
    result = plan("a@x.com,A,Finance,FP&A,boss@x.com,manager,2020-01-31\nboss@x.com,Boss,FIN,,,,\n")
    assert result.is_valid
    assert [row.action for row in result.rows] == ["create", "update"]
    assert result.rows[0].roles == {Role.MANAGER} and result.rows[0].function_id == 1


@pytest.mark.parametrize(
    "row,message",
    [
        ("not-an-email,A,Finance,,,,", "is not a valid address"),
        (",A,Finance,,,,", "email is missing"),
        ("a@x.com,,Finance,,,,", "name is missing"),
        ("a@x.com,A,Marketing,,,,", "unknown function 'Marketing'"),
        ("a@x.com,A,Finance,,ghost@x.com,,", "manager 'ghost@x.com' not found"),
        ("a@x.com,A,Finance,,,,2020-13-01", "is not a date"),
        ("a@x.com,A,Finance,,,wizard,", "unknown role 'wizard'"),
        ("a@x.com,A,Finance,,a@x.com,,", "cannot be their own manager"),
        ("a@x.com," + "N" * 121 + ",Finance,,,,", "longer than 120"),
        ('a@x.com,"<script>x</script>",Finance,,,,2020-01-01', None),
    ],
)
def test_each_bad_row_says_why(row, message):
    result = plan(row + "\n")
    if message is None:
        assert result.is_valid and result.rows[0].name == "<script>x</script>"
    else:
        assert any(message in e for e in errors_by_line(result)[2]), errors_by_line(result)
        assert not result.is_valid


def test_duplicate_emails_are_found_case_insensitively():
    errors = errors_by_line(plan("a@x.com,A,Finance,,,,\nA@X.com,A2,Finance,,,,\n"))
    assert list(errors) == [3] and "duplicate email: also on line 2" in errors[3][0]


def test_manager_cycles_in_the_file_are_found_on_every_row_of_the_loop():
    errors = errors_by_line(
        plan("a@x.com,A,Finance,,b@x.com,,\nb@x.com,B,Finance,,c@x.com,,\nc@x.com,C,Finance,,a@x.com,,\n")
    )
    assert list(errors) == [2, 3, 4]
    assert errors[2] == ["cycle in the manager chain: a@x.com → b@x.com → c@x.com → a@x.com"]


def test_cycles_through_people_already_in_the_directory_are_found():
    existing = ExistingPeople(function_ids={"finance": 1}, manager_of={"boss@x.com": "a@x.com", "a@x.com": None})
    result = plan_people_import(HEADER + "a@x.com,A,Finance,,boss@x.com,,\n", existing, TODAY)
    assert any("cycle" in e for e in result.rows[0].errors)


@pytest.mark.parametrize(
    "content,message",
    [("", "empty"), ("email,name\nx@y.com,X\n", "Missing column(s): function"), (HEADER, "no rows"),
     ('email,name,function\n"unterminated,x,y\n', "not readable as CSV")],
)
def test_file_level_problems(content, message):
    result = plan_people_import(content, EXISTING, TODAY)
    assert not result.is_valid and message in " ".join(result.file_errors)


@pytest.fixture
def hr(client, db):
    make_function("Finance", "FIN")
    make_function("Operations", "OPS")
    user = make_user(Role.HR, email="hr@example.com")
    sign_in(client, user)
    return user


def upload(client, content: str, name: str = "people.csv"):
    return client.post("/people/import", data={"file": (io.BytesIO(content.encode()), name)})


GOOD = (HEADER + "ada@example.com,Ada,Finance,FP&A,,hr,2019-04-01\n"
        "grace@example.com,Grace,Operations,Logistics,ada@example.com,,2021-09-15\n")


def test_upload_previews_then_confirm_applies_everything(client, hr, db):
    response = upload(client, GOOD)
    assert response.status_code == 303
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 to add, 0 to update" in preview
    assert db.session.query(User).count() == 1  # nothing changes before confirming
    token = response.headers["Location"].rsplit("/", 1)[1]
    assert client.post(f"/people/import/{token}/confirm").status_code == 303
    grace = db.session.query(User).filter_by(email="grace@example.com").one()
    assert grace.manager.email == "ada@example.com" and grace.team.name == "Logistics"
    assert db.session.query(Team).filter_by(name="Logistics").one().function.name == "Operations"


def test_after_adding_people_the_importer_is_taken_to_invite_them(client, hr, db):
    token = upload(client, GOOD).headers["Location"].rsplit("/", 1)[1]
    confirmed = client.post(f"/people/import/{token}/confirm")
    assert confirmed.headers["Location"] == "/admin/invitations"
    page = client.get("/admin/invitations").get_data(as_text=True)
    assert "ada@example.com" in page and "grace@example.com" in page and "Invite everyone without a password" in page


def test_a_replayed_confirmation_changes_nothing(client, hr, db):
    token = upload(client, GOOD).headers["Location"].rsplit("/", 1)[1]
    client.post(f"/people/import/{token}/confirm")
    response = client.post(f"/people/import/{token}/confirm", follow_redirects=True)
    assert "already imported" in response.get_data(as_text=True)
    assert db.session.query(User).count() == 3


def test_reimport_updates_instead_of_duplicating(client, hr, db):
    for content in (GOOD, GOOD.replace("Grace,Operations", "Grace Hopper,Operations")):
        token = upload(client, content).headers["Location"].rsplit("/", 1)[1]
        client.post(f"/people/import/{token}/confirm")
    assert db.session.query(User).filter_by(email="grace@example.com").one().name == "Grace Hopper"
    assert db.session.query(User).count() == 3


def test_a_file_with_one_bad_row_changes_nothing(client, hr, db):
    content = GOOD + "bad,Broken,Finance,,,,\n"
    location = upload(client, content).headers["Location"]
    preview = client.get(location).get_data(as_text=True)
    assert "1 with errors" in preview and "is not a valid address" in preview
    token = location.rsplit("/", 1)[1]
    response = client.post(f"/people/import/{token}/confirm", follow_redirects=True)
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert db.session.query(User).count() == 1


def test_someone_elses_upload_is_not_found(app, client, hr, db):
    token = upload(client, GOOD).headers["Location"].rsplit("/", 1)[1]
    other = app.test_client()
    sign_in(other, make_user(Role.ADMIN))
    assert other.get(f"/people/import/{token}").status_code == 404
    assert other.post(f"/people/import/{token}/confirm").status_code == 404
    assert db.session.query(PendingImport).one().applied_at is None


@pytest.mark.parametrize(
    "name,content,message",
    [("people.xlsx", GOOD, "Only .csv files"), ("people.csv", "", "Choose a CSV file"),
     ("people.csv", "\x00\x01binary", "not a text CSV")],
)
def test_wrong_files_get_a_clear_message(client, hr, name, content, message):
    data = {"file": (io.BytesIO(content.encode()), name)} if content else {}
    response = client.post("/people/import", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_template_downloads_as_csv(client, hr):
    response = client.get("/people/import/template.csv")
    assert response.mimetype == "text/csv" and response.get_data(as_text=True).startswith("email,name,function")


def test_cli_import_is_all_or_nothing(app, db, tmp_path):
    make_function("Finance", "FIN")
    make_function("Operations", "OPS")
    db.session.commit()
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "bad,Broken,Finance,,,,\n")
    result = app.test_cli_runner().invoke(args=["import-people", str(bad)])
    assert result.exit_code == 1 and "line 4 (bad)" in result.output and "nothing was imported" in result.output
    assert db.session.query(User).count() == 0
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    result = app.test_cli_runner().invoke(args=["import-people", str(good)])
    assert result.exit_code == 0 and "2 added, 0 updated" in result.output
    assert db.session.query(User).count() == 2


# --- the person form's role rules hold in the import too -------------------------------------

def token_of(response) -> str:
    return response.headers["Location"].rsplit("/", 1)[1]


def preview_errors(client, response) -> str:
    return client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("roles, named", [("manager", "manager"), ("leader", "leader"), ("admin", "admin"),
                                          ("leader;manager", "leader and manager")])
def test_hr_cannot_grant_leader_manager_or_admin_through_the_import(client, hr, db, roles, named):
    response = upload(client, HEADER + f"hr@example.com,Hana HR,Finance,,,hr;{roles},\n"
                                       f"new@example.com,New,Finance,,,{roles},\n")
    preview = preview_errors(client, response)
    assert "2 with errors" in preview and f"Only an admin may grant or remove the {named} role." in preview
    client.post(f"/people/import/{token_of(response)}/confirm")
    assert db.session.get(User, hr.id).roles == {Role.EMPLOYEE, Role.HR}
    assert db.session.query(User).filter_by(email="new@example.com").one_or_none() is None


def test_hr_cannot_remove_a_managers_role_through_the_import(client, hr, db):
    boss = make_user(Role.MANAGER, email="boss@example.com", function=hr.function)
    db.session.commit()
    response = upload(client, HEADER + "boss@example.com,Boss,Finance,,,,\n")
    assert "Only an admin may grant or remove the manager role." in preview_errors(client, response)
    client.post(f"/people/import/{token_of(response)}/confirm")
    assert Role.MANAGER in db.session.get(User, boss.id).roles


def test_hr_may_import_people_without_changing_privileged_roles(client, hr, db):
    boss = make_user(Role.MANAGER, email="boss@example.com", function=hr.function)
    db.session.commit()
    response = upload(
        client, HEADER + "boss@example.com,Boss Renamed,Finance,,,manager,\nnew@example.com,New,FIN,,,hr,\n"
    )
    assert client.post(f"/people/import/{token_of(response)}/confirm").status_code == 303
    assert db.session.get(User, boss.id).name == "Boss Renamed"
    assert db.session.query(User).filter_by(email="new@example.com").one().roles == {Role.EMPLOYEE, Role.HR}


@pytest.fixture
def admin(client, db):
    user = make_user(Role.ADMIN, email="admin@example.com", function=make_function("Finance", "FIN"))
    sign_in(client, user)
    return user


def test_the_import_cannot_remove_the_last_active_admin(client, admin, db):
    response = upload(client, HEADER + "admin@example.com,Admin,Finance,,,,\n")
    assert "There must stay at least one active admin." in preview_errors(client, response)
    client.post(f"/people/import/{token_of(response)}/confirm")
    assert Role.ADMIN in db.session.get(User, admin.id).roles
    assert client.get("/admin/audit").status_code == 200


def test_the_import_may_hand_the_admin_role_to_someone_else(client, admin, db):
    response = upload(client, HEADER + "admin@example.com,Admin,Finance,,,,\nheir@example.com,Heir,FIN,,,admin,\n")
    assert client.post(f"/people/import/{token_of(response)}/confirm").status_code == 303
    assert Role.ADMIN not in db.session.get(User, admin.id).roles
    assert Role.ADMIN in db.session.query(User).filter_by(email="heir@example.com").one().roles


def test_the_audit_log_records_each_changed_persons_before_and_after(client, admin, db):
    kept = make_user(email="kept@example.com", name="Kept", function=admin.function)
    moved = make_user(email="moved@example.com", name="Old Name", function=admin.function)
    db.session.commit()
    kept_row = f"kept@example.com,Kept,Finance,,,,{kept.hired_on.isoformat() if kept.hired_on else ''}"
    response = upload(client, HEADER + f"{kept_row}\nmoved@example.com,New Name,Finance,,,manager,\n"
                                       "fresh@example.com,Fresh,Finance,,,,\n")
    assert client.post(f"/people/import/{token_of(response)}/confirm").status_code == 303
    entries = {e.object_id: e for e in db.session.query(AuditEntry).filter(AuditEntry.action.like("person.%"))}
    fresh = db.session.query(User).filter_by(email="fresh@example.com").one()
    assert set(entries) == {str(moved.id), str(fresh.id)}  # the unchanged person gets no entry
    change = entries[str(moved.id)]
    assert change.action == "person.update" and change.actor_id == admin.id
    assert change.before["name"] == "Old Name" and change.before["roles"] == ["employee"]
    assert change.after["name"] == "New Name" and change.after["roles"] == ["employee", "manager"]
    assert entries[str(fresh.id)].action == "person.create" and entries[str(fresh.id)].before is None
    assert db.session.query(AuditEntry).filter_by(action="people.import").count() == 1  # and the summary


def test_the_person_form_path_refuses_hr_with_the_same_rule(app, db):
    hr = make_user(Role.HR, email="hr@example.com")
    data = PersonData(email="new@example.com", name="New", function_id=hr.function_id, roles={Role.LEADER})
    with pytest.raises(PeopleError, match="Only an admin may grant or remove the leader role."):
        save_person(hr, None, data)

"""flask create-admin and flask demo."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.factories import make_user
from webapp.auth.models import AuditEntry
from webapp.people.models import Function, Team, User
from webapp.roles import Role


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_create_admin_makes_a_signed_in_capable_admin(app, client, db):
    result = run(app, "create-admin", "--email", "First@Example.com", "--name", "First Admin",
                 input="a long enough secret\na long enough secret\n")
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(select(User).where(User.email == "first@example.com"))
    assert Role.ADMIN in admin.roles and admin.check_password("a long enough secret")
    response = client.post("/login", data={"email": "first@example.com", "password": "a long enough secret"})
    assert response.status_code == 302
    assert client.get("/admin/audit").status_code == 200
    assert db.session.query(AuditEntry).filter_by(action="person.make-admin").count() == 1


def test_create_admin_refuses_a_short_password(app, db):
    result = run(app, "create-admin", "--email", "a@example.com", "--name", "A", input="short\nshort\n")
    assert result.exit_code != 0 and "at least 10 characters" in result.output
    assert db.session.query(User).count() == 0


def test_create_admin_promotes_an_existing_person(app, db):
    person = make_user(email="known@example.com")
    db.session.commit()
    run(app, "create-admin", "--email", "known@example.com", "--name", "ignored", input="a long enough secret\n" * 2)
    assert Role.ADMIN in db.session.get(User, person.id).roles
    assert db.session.query(User).count() == 1


def snapshot_demo(db) -> list[tuple]:
    rows = db.session.execute(
        select(User.email, User.name, User.hired_on, Function.code, Team.name)
        .join(Function, User.function_id == Function.id).outerjoin(Team, User.team_id == Team.id)
        .order_by(User.email)
    )
    return [tuple(row) for row in rows]


def test_demo_builds_a_believable_organisation_deterministically(app, db):
    from tests.conftest import wipe_database

    assert run(app, "demo").exit_code == 0
    first = snapshot_demo(db)
    assert 140 <= len(first) <= 160
    assert db.session.scalar(select(func.count()).select_from(Function)) == 6
    years = {row[2].year for row in first}
    assert max(years) - min(years) >= 7
    for role in Role:
        login = db.session.scalar(select(User).where(User.email == f"{role.value}@demo.commonground.example"))
        assert role in login.roles and login.check_password("demo-password")
    assert all(team.manager is not None for team in db.session.scalars(select(Team)))
    assert "already has people" in run(app, "demo").output
    wipe_database()
    run(app, "demo")
    assert snapshot_demo(db) == first

"""What the people package adds to the shell: navigation and home-page tiles."""
from __future__ import annotations

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.main.checklist import any_row, register_setup_step
from webapp.main.navigation import register_nav_item
from webapp.main.tiles import register_tile
from webapp.people.models import Function, RoleGrant, Team, User
from webapp.people.queries import count_active_people, count_people_by_function, list_direct_reports
from webapp.roles import Role


def my_team_tile(viewer: User, subject: User) -> dict:
    """Where I sit: function, team, manager, and my direct reports."""
    reports = db.session.scalars(list_direct_reports(subject).limit(8)).all()
    return {"person": subject, "reports": reports}


def organisation_tile(viewer: User, subject: User) -> dict:
    """Headcount by function, for people who run programs."""
    return {"total": count_active_people(), "by_function": count_people_by_function()}


SETUP_ROLES = (Role.MANAGER, Role.HR, Role.LEADER)


def _count(statement) -> int:
    return db.session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()


def has_two_functions() -> bool:
    return _count(select(Function.id).where(Function.active.is_(True))) >= 2


def has_people() -> bool:
    """More people than the one who set the organisation up."""
    return _count(select(User.id).where(User.active.is_(True))) >= 2


def has_managed_team() -> bool:
    return any_row(select(Team.id).where(Team.active.is_(True), Team.manager_id.is_not(None)))


def has_setup_roles() -> bool:
    """Someone active holds each of manager, HR and leader."""
    held = select(RoleGrant.role).join(User).where(User.active.is_(True), RoleGrant.role.in_(SETUP_ROLES)).distinct()
    return _count(held) == len(SETUP_ROLES)


def register_setup_steps() -> None:
    register_setup_step(
        "functions", "Add your functions", "The departments to bring together, such as Finance and Operations: "
        "at least two.", "people.functions", has_two_functions, order=10)
    register_setup_step(
        "people", "Import your people", "Upload a CSV file of names, e-mail addresses and functions (a template "
        "is on the page).", "people.import_upload", has_people, order=20)
    register_setup_step(
        "teams", "Add teams with their managers", "Managers approve rotations and log joint wins for their team.",
        "people.teams", has_managed_team, order=30)
    register_setup_step(
        "roles", "Give people their roles", "At least one manager, one HR person and one leader: edit a person in "
        "the directory, or add a roles column to the import.", "people.directory", has_setup_roles, order=40)


def register() -> None:
    register_demo()
    register_setup_steps()
    register_nav_item("Directory", "people.directory", group="People")
    register_nav_item("Import people", "people.import_upload", Role.ADMIN, Role.HR, group="People")
    register_nav_item("Functions", "people.functions", Role.ADMIN, group="People")
    register_nav_item("Teams", "people.teams", Role.ADMIN, group="People")
    register_tile("home", "my-team", "people/_tile_my_team.html", my_team_tile, order=10)
    register_tile(
        "home", "organisation", "people/_tile_organisation.html", organisation_tile,
        Role.HR, Role.ADMIN, Role.LEADER, order=90,
    )


def register_demo() -> None:
    from webapp.cli import register_demo_seeder
    from webapp.people.demo import seed_people

    register_demo_seeder(10, "people", seed_people)

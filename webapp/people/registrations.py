"""What the people package adds to the shell: navigation and home-page tiles."""
from __future__ import annotations

from webapp.extensions import db
from webapp.main.navigation import register_nav_item
from webapp.main.tiles import register_tile
from webapp.people.models import User
from webapp.people.queries import count_active_people, count_people_by_function, list_direct_reports
from webapp.roles import Role


def my_team_tile(viewer: User, subject: User) -> dict:
    """Where I sit: function, team, manager, and my direct reports."""
    reports = db.session.scalars(list_direct_reports(subject).limit(8)).all()
    return {"person": subject, "reports": reports}


def organisation_tile(viewer: User, subject: User) -> dict:
    """Headcount by function, for people who run programs."""
    return {"total": count_active_people(), "by_function": count_people_by_function()}


def register() -> None:
    register_demo()
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

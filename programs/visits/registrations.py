"""What the visits package adds to the shell: navigation, home tiles and demo data."""
from __future__ import annotations

from programs.visits.queries import activity_summary, my_open_follow_ups, visits_to_confirm
from programs.visits.scorecard import visit_figures
from webapp import clock
from webapp.main.navigation import register_nav_item
from webapp.main.scorecard import register_scorecard_figure
from webapp.main.tiles import register_tile
from webapp.people.models import User
from webapp.roles import Role

TILE_ITEMS = 5


def my_follow_ups_tile(viewer: User, subject: User) -> dict:
    """The viewer's open follow-ups, overdue first."""
    today = clock.today()
    return {"items": my_open_follow_ups(subject, today, limit=TILE_ITEMS), "today": today}


def visits_to_confirm_tile(viewer: User, subject: User) -> dict | None:
    """Joint visits the viewer attended and can confirm (hidden when there are none)."""
    visits = visits_to_confirm(subject, limit=TILE_ITEMS)
    return {"visits": visits} if visits else None


def activity_tile(viewer: User, subject: User) -> dict:
    """HR and leaders: this quarter's visit activity and follow-ups past due."""
    return activity_summary(clock.today())


def register() -> None:
    from programs.visits.demo import seed_visits
    from webapp.cli import register_demo_seeder

    register_demo_seeder(40, "visits", seed_visits)
    register_nav_item("Visits", "visits.visit_list", group="Visits")
    register_nav_item("Accounts", "visits.accounts", group="Visits")
    register_nav_item("My follow-ups", "visits.my_follow_ups", group="Visits")
    register_nav_item("Coverage", "visits.coverage", group="Visits")
    register_nav_item("Learnings", "visits.learnings", group="Visits")
    register_nav_item("Visit settings", "visits.settings", Role.ADMIN, group="Visits")
    register_scorecard_figure("Collaboration", "joint-visits", visit_figures, order=40)
    register_tile("home", "visit-activity", "visits/_tile_activity.html", activity_tile, Role.HR, order=42)
    register_tile("home", "visits-to-confirm", "visits/_tile_to_confirm.html", visits_to_confirm_tile, order=20)
    register_tile("home", "my-follow-ups", "visits/_tile_follow_ups.html", my_follow_ups_tile, order=25)

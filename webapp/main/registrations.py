"""What webapp/main adds to itself: navigation, and the leadership scorecard tile on a leader's home."""
from __future__ import annotations

from webapp.main.checklist import first_run_tile
from webapp.main.navigation import register_nav_item
from webapp.main.scorecard import active_functions, build_scorecard, default_pair
from webapp.main.tiles import register_tile
from webapp.people.models import User
from webapp.periods import last_complete_quarter
from webapp.roles import Role


def scorecard_tile(viewer: User, subject: User) -> dict | None:
    """The first figure of each scorecard row, this quarter, for the default pair."""
    functions = active_functions()
    pair = default_pair(functions)
    if pair is None:
        return None
    quarter = last_complete_quarter()
    rows = build_scorecard(quarter, pair)
    names = {f.id: f.name for f in functions}
    return {"quarter": quarter, "pair": pair, "names": names,
            "headlines": [(row, figures[0]) for row, figures in rows.items() if figures]}


def register() -> None:
    register_nav_item("Home", "main.home")
    register_nav_item("Scorecard", "main.scorecard", Role.LEADER, Role.HR, Role.ADMIN)
    register_tile("home", "scorecard", "main/_tile_scorecard.html", scorecard_tile, Role.LEADER, order=1)
    register_tile("home", "first-run", "main/_tile_first_run.html", first_run_tile, Role.ADMIN, order=0)

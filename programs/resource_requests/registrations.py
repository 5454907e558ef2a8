"""What the requests package adds to the shell: navigation, a home tile, scorecard figures, pair records, demo data."""
from __future__ import annotations

from programs.resource_requests.queries import pair_requests, waiting_for
from programs.resource_requests.scorecard import request_figures
from programs.resource_requests.services import take_recorded_value
from webapp import signals
from webapp.main.navigation import register_nav_item
from webapp.main.pair_records import register_pair_records
from webapp.main.scorecard import register_scorecard_figure
from webapp.main.tiles import register_tile
from webapp.people.models import User

TILE_ITEMS = 5


def requests_tile(viewer: User, subject: User) -> dict | None:
    """Requests where the next step is the viewer's (hidden when there are none)."""
    items = waiting_for(subject, TILE_ITEMS)
    return {"items": items} if items else None


def register() -> None:
    from programs.resource_requests.demo import seed_requests
    from webapp.cli import register_demo_seeder

    register_demo_seeder(60, "resource requests", seed_requests)
    register_nav_item("Requests for resources", "resource_requests.index", group="Partnership")
    register_nav_item("Ask another function", "resource_requests.request_form", group="Partnership")
    register_scorecard_figure("Collaboration", "resource-requests", request_figures, order=50)
    register_tile("home", "requests-waiting", "resource_requests/_tile_waiting.html", requests_tile, order=22)
    register_pair_records("request", '"Yes, if…" requests', pair_requests, order=20)
    signals.metric_value_recorded.connect(take_recorded_value)

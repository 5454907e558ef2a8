"""What joint reviews add to the shell: navigation, a home tile, scorecard figures, pair records, demo data."""
from __future__ import annotations

from flask import url_for

from programs.joint_reviews import queries
from programs.joint_reviews.models import ReviewStatus
from webapp import clock
from webapp.main.navigation import register_nav_item
from webapp.main.pair_records import PairRecord, register_pair_records
from webapp.main.scorecard import Figure, quarterly_series, register_scorecard_figure
from webapp.main.tiles import register_tile
from webapp.notifications.services import link
from webapp.people.models import User
from webapp.periods import Quarter

TILE_ITEMS = 5


def my_reviews_tile(viewer: User, subject: User) -> dict | None:
    """The viewer's open review actions and the reviews waiting for their function's sign-off (hidden when none)."""
    actions = queries.my_open_actions(subject, TILE_ITEMS)
    to_sign = queries.awaiting_my_sign_off(subject, TILE_ITEMS)
    if not actions and not to_sign:
        return None
    return {"actions": actions, "to_sign": to_sign, "today": clock.today()}


def review_records(pair: tuple[int, int], first, last) -> list[PairRecord]:
    """The pair's joint reviews as plain records (the monthly business review lists them)."""
    return [PairRecord("review", r.id, r.title, link("joint_reviews.review", review_id=r.id),
                       queries.STATUS_LABELS.get(r.status, r.status), r.happened_on,
                       r.status != ReviewStatus.RESOLVED.value)
            for r in queries.reviews_of_pair(pair, first, last)]


def action_figures(quarter: Quarter, pair: tuple[int, int]) -> Figure | None:
    """The share of the pair's review actions due in the quarter that were done by their due date."""
    quarters = [str(q) for q in quarter.trailing(6)]
    counts = queries.pair_action_figures(pair, quarters)
    if not any(total for total, _ in counts.values()):
        return None
    figure = quarterly_series(quarter, lambda q: (100.0 * counts[str(q)][1] / counts[str(q)][0])
                              if counts.get(str(q), (0, 0))[0] else None)
    figure.label, figure.unit = "Review actions done on time", "%"
    figure.drill_url = url_for("joint_reviews.completion")
    figure.note = "Of the actions of the pair's joint reviews due in the quarter."
    return figure


def register() -> None:
    from programs.joint_reviews.demo import seed_reviews
    from webapp.cli import register_demo_seeder

    register_demo_seeder(60, "joint reviews", seed_reviews)
    register_nav_item("Joint reviews", "joint_reviews.index", group="Partnership")
    register_nav_item("Library of learnings", "joint_reviews.library", group="Partnership")
    register_nav_item("Review actions done", "joint_reviews.completion", group="Partnership")
    register_scorecard_figure("Collaboration", "review-actions", action_figures, order=60)
    register_tile("home", "my-reviews", "joint_reviews/_tile.html", my_reviews_tile, order=27)
    register_pair_records("review", "Joint reviews", review_records, order=30)

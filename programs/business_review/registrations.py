"""What the business review adds to the shell: navigation, home tiles, the target source, the alert receiver, demo."""
from __future__ import annotations

from sqlalchemy import select

from programs.business_review import queries
from programs.business_review.models import DRAFT, SIGNED, MonthlyReview
from programs.business_review.services import record_crossing
from webapp import clock, signals
from webapp.extensions import db
from webapp.main.navigation import register_nav_item
from webapp.main.tiles import register_tile
from webapp.metrics import register_target_source
from webapp.people.models import User
from webapp.roles import Role

TILE_ITEMS = 3


def my_reviews_tile(viewer: User, subject: User) -> dict | None:
    """Drafts of the viewer's function (the leader's to sign), and the latest signed review; hidden when none."""
    drafts = (
        []
        if viewer.function_id is None
        else db.session.scalars(
            select(MonthlyReview)
            .where(
                MonthlyReview.state == DRAFT,
                (MonthlyReview.first_function_id == viewer.function_id)
                | (MonthlyReview.second_function_id == viewer.function_id),
            )
            .order_by(MonthlyReview.meeting_on)
            .limit(TILE_ITEMS)
        ).all()
    )
    latest = db.session.scalar(select(MonthlyReview).where(MonthlyReview.state == SIGNED)
                               .order_by(MonthlyReview.month.desc(), MonthlyReview.id.desc()).limit(1))
    if not drafts and latest is None:
        return None
    return {"drafts": drafts, "latest": latest, "today": clock.today(),
            "to_sign": {review.id for review in drafts if queries.is_leader_of(viewer, review.pair)
                        and all(s.function_id != viewer.function_id for s in review.signoffs)}}


def register() -> None:
    from programs.business_review.demo import seed_business_reviews
    from webapp.cli import register_demo_seeder

    register_demo_seeder(60, "business reviews", seed_business_reviews)  # after the trust pulse's metrics (50)
    register_nav_item("Business reviews", "business_review.reviews", group="Partnership")
    register_nav_item("Scorecard set-up", "business_review.setup", Role.ADMIN, Role.LEADER, group="Partnership")
    register_nav_item("Status rules", "business_review.settings", Role.ADMIN, group="Partnership")
    register_tile("home", "business-reviews", "business_review/_tile_reviews.html", my_reviews_tile, order=30)
    register_target_source(queries.target_for)
    signals.metric_value_recorded.connect(record_crossing)

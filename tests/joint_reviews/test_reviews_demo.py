"""The demo: a year of blameless reviews between Finance and Operations, every record dated in the past."""
from __future__ import annotations

from sqlalchemy import select

from programs.joint_reviews.demo import seed_reviews
from programs.joint_reviews.models import Action, Review, TimelineEntry
from webapp import clock
from webapp.people.demo import seed_people


def test_the_demo_has_a_year_of_reviews_resolved_signed_and_open_all_in_the_past(db):
    seed_people()
    assert seed_reviews() == "5 joint reviews, 9 actions"
    db.session.flush()
    reviews = db.session.scalars(select(Review).order_by(Review.happened_on)).all()
    statuses = {r.status for r in reviews}
    assert statuses == {"resolved", "signed", "open"}
    today, now = clock.today(), clock.now()
    assert (today - reviews[0].happened_on).days > 300
    assert all(r.happened_on < today and r.created_at < now for r in reviews)
    assert all(e.at < now for e in db.session.scalars(select(TimelineEntry)))
    assert all(a.done_at is None or a.done_at < now for a in db.session.scalars(select(Action)))
    assert all(len(r.function_ids) == 2 for r in reviews)

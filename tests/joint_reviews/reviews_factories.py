"""Factories for the joint-review tests and the org fixture (Finance and Operations, two people each)."""
from __future__ import annotations

import secrets
from datetime import timedelta
from types import SimpleNamespace

import pytest

from programs.joint_reviews import services
from programs.joint_reviews.models import Review
from tests.factories import make_function, make_user
from webapp import clock
from webapp.extensions import db
from webapp.people.models import User
from webapp.roles import Role


def key() -> str:
    return secrets.token_urlsafe(24)


@pytest.fixture
def org(app):
    fin, ops = make_function("Finance", "FIN"), make_function("Operations", "OPS")
    return SimpleNamespace(
        fin=fin, ops=ops,
        fin_people=[make_user(Role.MANAGER, function=fin), make_user(function=fin)],
        ops_people=[make_user(Role.MANAGER, function=ops), make_user(function=ops)],
        outsider=make_user(function=fin),
    )


def open_review(org, opener: User | None = None, days_ago: int = 3, title: str = "Rush orders skipped credit check"
                ) -> Review:
    """A review opened by the first Finance person with one person of each function."""
    opener = opener or org.fin_people[0]
    data = services.ReviewData(title, "incident", clock.today() - timedelta(days=days_ago), "What happened.",
                               [org.fin_people[0].id, org.ops_people[0].id], key())
    review = services.open_review(opener, data, clock.today())
    db.session.commit()
    return review


def ready_to_sign(org, review: Review) -> Review:
    """Both timelines, a factor and an action: what a sign-off needs."""
    now = clock.now()
    fin, ops = org.fin_people[0], org.ops_people[0]
    services.add_entry(fin, review, now - timedelta(hours=5), "order received", "Order outside the check window.")
    services.add_entry(ops, review, now - timedelta(hours=5, minutes=10), "order received", "Logged as rush.")
    services.add_finding(fin, review, "factor", "process", "No check prevented a rush order skipping credit.")
    services.add_action(ops, review, "Add the credit check to the rush form", fin.id,
                        clock.today() + timedelta(days=10), clock.today())
    db.session.commit()
    return review

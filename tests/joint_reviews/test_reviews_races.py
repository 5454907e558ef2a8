"""On PostgreSQL, concurrent sign-offs have exactly one effect: one per function, and the review is signed once."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from programs.joint_reviews import services
from programs.joint_reviews.models import Participant, Review, SignOff
from tests.factories import make_user
from tests.joint_reviews.reviews_factories import open_review, ready_to_sign
from tests.races import run_together
from webapp import clock
from webapp.extensions import db as _db
from webapp.notifications.models import Notification
from webapp.people.models import User
from webapp.rendering import commit_or_flash

RACERS = 6


def _race(app, review_id: int, user_ids: list[int]) -> list[str]:
    """Each user answers "yes, fair" at the same moment, through the shared transaction boundary."""

    def answer(index: int) -> str:
        with app.app_context(), app.test_request_context():
            try:
                user, review = _db.session.get(User, user_ids[index]), _db.session.get(Review, review_id)
                assert user is not None and review is not None
                signed = commit_or_flash(lambda: services.sign_off(user, review, True, "", clock.now()))
                return "signed" if signed else "refused"
            finally:
                _db.session.remove()

    return run_together(len(user_ids), answer)


@pytest.mark.postgres_only
def test_participants_of_one_function_signing_at_once_record_one_sign_off(app, db, org):
    review = ready_to_sign(org, open_review(org))
    finance = [make_user(function=org.fin) for _ in range(RACERS)]
    review.participants += [Participant(user_id=u.id, function_id=org.fin.id) for u in finance]
    db.session.commit()
    outcomes = _race(app, review.id, [u.id for u in finance])
    assert sorted(outcomes) == ["refused"] * (RACERS - 1) + ["signed"]
    assert db.session.scalar(select(func.count()).select_from(SignOff)) == 1
    assert db.session.get(Review, review.id).status == "open"


@pytest.mark.postgres_only
def test_both_functions_signing_at_once_sign_the_review_exactly_once(app, db, org):
    review = ready_to_sign(org, open_review(org))
    extra = [make_user(function=f) for f in (org.fin, org.ops) for _ in range(RACERS // 2)]
    review.participants += [Participant(user_id=u.id, function_id=u.function_id) for u in extra]
    db.session.commit()
    db.session.query(Notification).delete()
    db.session.commit()
    outcomes = _race(app, review.id, [u.id for u in extra])
    assert sorted(outcomes) == ["refused"] * (RACERS - 2) + ["signed", "signed"]
    db.session.expire_all()
    signed = db.session.get(Review, review.id)
    assert signed.status == "signed" and signed.signed_at is not None
    assert sorted(s.function_id for s in signed.sign_offs) == sorted([org.fin.id, org.ops.id])

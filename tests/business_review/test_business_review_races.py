"""On PostgreSQL, leaders signing (and reopening) the same review at once: exactly one effect each."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest
from sqlalchemy import func, select

from programs.business_review import services
from programs.business_review.models import EXPLANATION, NEED, MonthlyReview, ReviewSignoff
from tests.factories import make_user
from tests.races import in_own_session, run_together
from webapp.auth.models import AuditEntry
from webapp.extensions import db as _db
from webapp.people.models import User
from webapp.roles import Role

T = TypeVar("T")


def _ready_review(board) -> int:
    review = board.open()
    services.save_note(board.ops_planner, review, board.delivery.id, EXPLANATION, "A carrier missed two slots.")
    services.save_note(board.fin_analyst, review, board.delivery.id, NEED, "Tell us a week ahead.")
    _db.session.commit()
    return review.id


def _race(app, user_ids: list[int], review_id: int, act: Callable[[User, MonthlyReview], object]) -> list[str]:
    """Each user acts on the review at the same moment, each in its own session: "ok" or the error it met."""

    def acting(index: int) -> str:
        return in_own_session(app, lambda: act(_one(User, user_ids[index]), _one(MonthlyReview, review_id)))

    return run_together(len(user_ids), acting)


def _one(model: type[T], row_id: int) -> T:
    row = _db.session.get(model, row_id)
    assert row is not None
    return row


ALREADY = {"AlreadyRecorded: Your function has already signed this review.",
           "ReviewError: This review is signed; a leader must reopen it before it changes."}


@pytest.mark.postgres_only
def test_two_leaders_of_each_function_signing_at_once_sign_once_per_function_and_freeze_once(app, db, board):
    second_fin = make_user(Role.LEADER, function=board.fin)
    second_ops = make_user(Role.LEADER, function=board.ops)
    review_id = _ready_review(board)
    leaders = [board.fin_leader.id, second_fin.id, board.ops_leader.id, second_ops.id]
    outcomes = _race(app, leaders, review_id, services.sign_review)
    assert outcomes.count("ok") == 2, outcomes
    assert set(outcomes) - {"ok"} <= ALREADY, outcomes
    db.session.expire_all()
    review = db.session.get(MonthlyReview, review_id)
    signoffs = db.session.scalars(select(ReviewSignoff).where(ReviewSignoff.review_id == review.id)).all()
    assert sorted(s.function_id for s in signoffs) == sorted(board.pair)
    assert review.is_signed and review.snapshot_sha256 == services.snapshot_hash(review.snapshot)
    assert len(review.snapshot["signoffs"]) == 2


@pytest.mark.postgres_only
def test_the_two_functions_signing_at_once_both_count_and_the_pack_is_frozen_once(app, db, board):
    review_id = _ready_review(board)
    outcomes = _race(app, [board.fin_leader.id, board.ops_leader.id], review_id, services.sign_review)
    assert outcomes == ["ok", "ok"]
    db.session.expire_all()
    review = db.session.get(MonthlyReview, review_id)
    assert review.is_signed and {s["function_id"] for s in review.snapshot["signoffs"]} == set(board.pair)


@pytest.mark.postgres_only
def test_leaders_reopening_at_once_reopen_once_with_one_audit_entry(app, db, board):
    review_id = _ready_review(board)
    review = db.session.get(MonthlyReview, review_id)
    services.sign_review(board.fin_leader, review)
    services.sign_review(board.ops_leader, review)
    db.session.commit()
    outcomes = _race(app, [board.fin_leader.id, board.ops_leader.id], review_id,
                     lambda user, review: services.reopen_review(user, review, "Delivery was restated."))
    assert sorted(outcomes) == ["ReviewError: Only a signed review is reopened.", "ok"]
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "business_review.reopen")) == 1
    assert db.session.scalar(select(func.count()).select_from(ReviewSignoff)) == 0

"""On PostgreSQL, leaders signing (and reopening) the same review at once: exactly one effect each."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from programs.business_review import services
from programs.business_review.models import EXPLANATION, NEED, MonthlyReview, ReviewSignoff
from tests.factories import make_user
from webapp.auth.models import AuditEntry
from webapp.errors import RuleError
from webapp.extensions import db as _db
from webapp.people.models import User
from webapp.roles import Role


def _ready_review(board) -> int:
    review = board.open()
    services.save_note(board.ops_planner, review, board.delivery.id, EXPLANATION, "A carrier missed two slots.")
    services.save_note(board.fin_analyst, review, board.delivery.id, NEED, "Tell us a week ahead.")
    _db.session.commit()
    return review.id


def _race(app, user_ids: list[int], act) -> list[str]:
    start = threading.Barrier(len(user_ids))
    outcomes: list[str] = []

    def run(user_id: int) -> None:
        with app.app_context():  # its own app context: its own session and connection
            user, review = _db.session.get(User, user_id), None
            start.wait()
            try:
                review = _db.session.get(MonthlyReview, REVIEW[0])
                act(user, review)
                _db.session.commit()
                outcomes.append("ok")
            except RuleError as error:
                _db.session.rollback()
                outcomes.append(str(error))
            except Exception as error:  # noqa: BLE001  (any other failure must show in the assertion)
                _db.session.rollback()
                outcomes.append(f"unexpected: {error!r}")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


REVIEW: list[int] = [0]
ALREADY = {"Your function has already signed this review.",
           "This review is signed; a leader must reopen it before it changes."}


@pytest.mark.postgres_only
def test_two_leaders_of_each_function_signing_at_once_sign_once_per_function_and_freeze_once(app, db, board):
    second_fin = make_user(Role.LEADER, function=board.fin)
    second_ops = make_user(Role.LEADER, function=board.ops)
    REVIEW[0] = _ready_review(board)
    leaders = [board.fin_leader.id, second_fin.id, board.ops_leader.id, second_ops.id]
    outcomes = _race(app, leaders, services.sign_review)
    assert outcomes.count("ok") == 2, outcomes
    assert set(outcomes) - {"ok"} <= ALREADY, outcomes
    db.session.expire_all()
    review = db.session.get(MonthlyReview, REVIEW[0])
    signoffs = db.session.scalars(select(ReviewSignoff).where(ReviewSignoff.review_id == review.id)).all()
    assert sorted(s.function_id for s in signoffs) == sorted(board.pair)
    assert review.is_signed and review.snapshot_sha256 == services.snapshot_hash(review.snapshot)
    assert len(review.snapshot["signoffs"]) == 2


@pytest.mark.postgres_only
def test_the_two_functions_signing_at_once_both_count_and_the_pack_is_frozen_once(app, db, board):
    REVIEW[0] = _ready_review(board)
    outcomes = _race(app, [board.fin_leader.id, board.ops_leader.id], services.sign_review)
    assert outcomes == ["ok", "ok"]
    db.session.expire_all()
    review = db.session.get(MonthlyReview, REVIEW[0])
    assert review.is_signed and {s["function_id"] for s in review.snapshot["signoffs"]} == set(board.pair)


@pytest.mark.postgres_only
def test_leaders_reopening_at_once_reopen_once_with_one_audit_entry(app, db, board):
    REVIEW[0] = _ready_review(board)
    review = db.session.get(MonthlyReview, REVIEW[0])
    services.sign_review(board.fin_leader, review)
    services.sign_review(board.ops_leader, review)
    db.session.commit()
    outcomes = _race(app, [board.fin_leader.id, board.ops_leader.id],
                     lambda user, review: services.reopen_review(user, review, "Delivery was restated."))
    assert sorted(outcomes) == ["Only a signed review is reopened.", "ok"]
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "business_review.reopen")) == 1
    assert db.session.scalar(select(func.count()).select_from(ReviewSignoff)) == 0

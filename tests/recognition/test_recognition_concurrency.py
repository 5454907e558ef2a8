"""On PostgreSQL, parallel gifts from one allowance: exactly the affordable ones succeed."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from recognition import services
from recognition.models import Kudos, LedgerEntry
from tests.factories import make_user
from tests.recognition.recognition_factories import MESSAGE, key, make_org
from webapp import clock
from webapp.errors import RuleError
from webapp.extensions import db as _db
from webapp.people.models import User
from webapp.periods import month_label

GIFTS = 10
POINTS = 30  # 100 points a month: exactly 3 gifts are affordable


@pytest.mark.postgres_only
def test_parallel_gifts_never_overspend_the_allowance(app, db):
    org = make_org()
    giver_id = org.fin[0].id
    receivers = [make_user(function=org.ops[0].function).id for _ in range(GIFTS)]
    db.session.commit()
    start = threading.Barrier(GIFTS)
    outcomes: list[str] = []

    def spend(receiver_id: int) -> None:
        with app.app_context():  # its own app context, so its own session and connection
            giver = _db.session.get_one(User, giver_id)
            start.wait()
            try:
                services.give_kudos(giver, [receiver_id], MESSAGE, "one-team", POINTS, key("race"))
                _db.session.commit()
                outcomes.append("ok")
            except Exception as error:  # noqa: BLE001  (any other failure must show in the assertion)
                _db.session.rollback()
                outcomes.append(str(error))
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=spend, args=(r,)) for r in receivers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("ok") == 3
    refusals = [o for o in outcomes if o != "ok"]
    assert len(refusals) == GIFTS - 3
    assert all(o == f"That needs {POINTS} points but you have 10 left to give this month." for o in refusals)
    spent = db.session.scalar(select(func.sum(LedgerEntry.amount)).where(
        LedgerEntry.user_id == giver_id, LedgerEntry.account == "allowance",
        LedgerEntry.period == month_label(clock.now())))
    assert spent == -90
    assert db.session.scalar(select(func.count()).select_from(Kudos)) == 3


@pytest.mark.postgres_only
def test_a_replay_racing_the_first_request_is_applied_once(app, db):
    org = make_org()
    giver_id, receiver_id = org.fin[0].id, org.ops[0].id
    db.session.commit()
    same = key("replay")
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def submit() -> None:
        with app.app_context():
            giver = _db.session.get_one(User, giver_id)
            start.wait()
            try:
                services.give_kudos(giver, [receiver_id], MESSAGE, "one-team", 10, same)
                _db.session.commit()
                outcomes.append("ok")
            except (IntegrityError, RuleError) as error:  # the locked allowance makes the replays see the first
                _db.session.rollback()
                outcomes.append(type(error).__name__)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["AlreadyRecorded"] * 3 + ["ok"]
    assert db.session.scalar(select(func.count()).select_from(Kudos)) == 1
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.account == "allowance")) == 1

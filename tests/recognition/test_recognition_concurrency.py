"""On PostgreSQL, parallel gifts from one allowance: exactly the affordable ones succeed."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from recognition import services
from recognition.models import Kudos, LedgerEntry
from tests.factories import make_user
from tests.races import in_own_session, run_together
from tests.recognition.recognition_factories import MESSAGE, key, make_org
from webapp import clock
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

    def spend(index: int) -> str:
        return in_own_session(app, lambda: services.give_kudos(
            _db.session.get_one(User, giver_id), [receivers[index]], MESSAGE, "one-team", POINTS, key("race")))

    outcomes = run_together(GIFTS, spend)
    assert outcomes.count("ok") == 3
    refusals = [o for o in outcomes if o != "ok"]
    assert len(refusals) == GIFTS - 3
    assert all(o == f"RecognitionError: That needs {POINTS} points but you have 10 left to give this month."
               for o in refusals), refusals
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

    def submit(_: int) -> str:  # the locked allowance makes the replays see the first
        return in_own_session(app, lambda: services.give_kudos(
            _db.session.get_one(User, giver_id), [receiver_id], MESSAGE, "one-team", 10, same))

    outcomes = run_together(4, submit)
    assert sorted(outcomes) == ["AlreadyRecorded: That was already recorded."] * 3 + ["ok"]
    assert db.session.scalar(select(func.count()).select_from(Kudos)) == 1
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.account == "allowance")) == 1

"""On PostgreSQL, concurrent decisions on one request: exactly one takes effect.

The losers hear either refusal: the row lock makes them re-read a decided request ("no pick waiting"), and the
conditional update behind it refuses anything that slipped past ("already decided").
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from programs.resource_requests import services
from programs.resource_requests.models import Decision, RequestStatus, ResourceRequest
from tests.factories import make_user
from tests.races import in_own_session, run_together
from tests.resource_requests.requests_factories import answered_request
from webapp import clock
from webapp.extensions import db as _db
from webapp.people.models import User
from webapp.roles import Role

THREADS = 4


def race(app, actor_ids: list[int], act: Callable[[User, ResourceRequest], object], request_id: int) -> list[str]:
    """Each actor acts on the request at the same moment, in its own app context (own session and connection)."""

    def attempt(index: int) -> str:
        def action() -> None:
            actor, request = _db.session.get(User, actor_ids[index]), _db.session.get(ResourceRequest, request_id)
            assert actor is not None and request is not None
            act(actor, request)

        return in_own_session(app, action)

    return run_together(len(actor_ids), attempt)


def decisions(db, request_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Decision).where(Decision.request_id == request_id))


@pytest.mark.postgres_only
def test_concurrent_confirmations_record_one_decision(app, db, pair):
    request = answered_request(pair)
    services.pick_option(pair.requester, request, request.current_options[0].id, "Covers the volume.")
    reviewers = [pair.reviewer.id, pair.fin_leader.id] + [
        make_user(Role.MANAGER, function=pair.reviewer.function).id for _ in range(THREADS - 2)]
    db.session.commit()
    outcomes = race(app, reviewers, lambda actor, req: services.confirm_pick(
        actor, req, "", f"Confirmed by {actor.name}.", clock.now()), request.id)
    assert outcomes.count("ok") == 1
    assert set(outcomes) - {"ok"} <= {"RequestError: There is no pick waiting for confirmation.",
                                      "RequestError: This request is already decided."}
    assert len(outcomes) == THREADS
    db.session.expire_all()
    assert decisions(db, request.id) == 1
    assert db.session.get(ResourceRequest, request.id).status == RequestStatus.DECIDED


@pytest.mark.postgres_only
def test_leaders_breaking_the_same_tie_at_once_record_one_decision(app, db, pair):
    request = answered_request(pair)
    services.escalate_overdue(request.deadline + timedelta(days=1), clock.now())
    leaders = [pair.fin_leader.id, pair.ops_leader.id] + [
        make_user(Role.LEADER, function=pair.reviewer.function).id for _ in range(THREADS - 2)]
    options = [o.id for o in request.current_options]
    db.session.commit()
    outcomes = race(app, leaders, lambda actor, req: services.leader_decides(
        actor, req, options[actor.id % len(options)], "", "Breaking the tie.", clock.now()), request.id)
    assert outcomes.count("ok") == 1
    assert set(outcomes) - {"ok"} <= {"RequestError: Only an escalated request is decided by a leader.",
                                      "RequestError: This request is already decided."}
    assert len(outcomes) == THREADS
    db.session.expire_all()
    assert decisions(db, request.id) == 1


"""On PostgreSQL, the same create form sent many times at once records one row; the replays hear "already recorded"."""
from __future__ import annotations

import threading

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from programs.visits.models import FollowUp, Visit
from tests.timeline import TODAY
from tests.visits.test_visits_follow_ups import follow_up_form
from tests.visits.test_visits_visits import plan_form
from tests.visits.visits_factories import make_account, make_visit


def post_at_once(app, user, url: str, data: dict, times: int) -> list[tuple[int, str]]:
    """POST the same form `times` times at once, each from its own client (own app context) as user.

    Returns each request's status and the page its redirect leads to.
    """
    barrier, outcomes, user_id = threading.Barrier(times), [], user.get_id()

    def submit() -> None:
        client = FlaskClient(app, app.response_class, use_cookies=True)
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user_id, True
        barrier.wait()
        response = client.post(url, data=data)
        landing = client.get(response.headers["Location"]) if response.status_code == 303 else response
        outcomes.append((response.status_code, landing.get_data(as_text=True)))

    threads = [threading.Thread(target=submit) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _already(outcomes: list[tuple[int, str]]) -> int:
    return sum("That was already recorded." in page for _, page in outcomes)


def _all_redirected(outcomes: list[tuple[int, str]]) -> bool:
    return [status for status, _ in outcomes] == [303] * len(outcomes)


@pytest.mark.postgres_only
def test_the_same_new_visit_form_sent_8_times_at_once_makes_one_visit(app, db, org):
    data = plan_form(make_account(), [org.fin, org.ops])
    db.session.commit()
    outcomes = post_at_once(app, org.fin, "/visits/new", data, 8)
    assert _all_redirected(outcomes)  # every request lands on the one visit: no 500, no form error
    assert _count(db, Visit) == 1
    assert _already(outcomes) == 7


@pytest.mark.postgres_only
def test_the_same_follow_up_form_sent_5_times_at_once_makes_one_follow_up(app, db, org):
    visit = make_visit([org.fin, org.ops])
    db.session.commit()
    data = follow_up_form(org.fin, TODAY)
    outcomes = post_at_once(app, org.fin, f"/visits/{visit.id}/follow-ups", data, 5)
    assert _all_redirected(outcomes)
    assert _count(db, FollowUp) == 1
    assert _already(outcomes) == 4

"""On PostgreSQL, requests at once: one row per create form (replays hear "already recorded"); the pair cap holds."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from programs.visits import services
from programs.visits.models import FollowUp, Visit
from recognition.models import LedgerEntry
from tests.factories import make_user
from tests.races import post_as, run_together
from tests.timeline import TODAY
from tests.visits.test_visits_follow_ups import follow_up_form
from tests.visits.test_visits_visits import plan_form
from tests.visits.visits_factories import make_account, make_visit
from webapp.roles import Role


def post_at_once(app, user, url: str | list[str], data: dict, times: int) -> list[tuple[int, str]]:
    """POST the same form `times` times at once (to url, or to each of a list of urls), each from its own
    client (own app context) as user.

    Returns each request's status and the page its redirect leads to.
    """
    urls, user_id = url if isinstance(url, list) else [url] * times, user.get_id()  # read here: threads have no session
    return run_together(len(urls), lambda index: post_as(app, user_id, urls[index], data))


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
    assert sum("The visit is saved." in page for _, page in outcomes) == 1
    assert _already(outcomes) == 7  # also a replay that checked its key just before the first one committed


@pytest.mark.postgres_only
def test_the_same_follow_up_form_sent_5_times_at_once_makes_one_follow_up(app, db, org):
    visit = make_visit([org.fin, org.ops])
    db.session.commit()
    data = follow_up_form(org.fin, TODAY)
    outcomes = post_at_once(app, org.fin, f"/visits/{visit.id}/follow-ups", data, 5)
    assert _all_redirected(outcomes)
    assert _count(db, FollowUp) == 1
    assert _already(outcomes) == 4


@pytest.mark.postgres_only
def test_confirmations_of_one_pair_at_once_never_exceed_the_pair_cap(app, db, org):
    services.save_policy(make_user(Role.ADMIN), {"backdate_days": 90, "pair_monthly_cap": 1})
    day = TODAY - timedelta(days=1)
    visits = [make_visit([org.fin, org.ops], visit_on=day, author=org.fin) for _ in range(4)]
    db.session.commit()
    outcomes = post_at_once(app, org.ops, [f"/visits/{v.id}/confirm" for v in visits], {}, len(visits))
    assert _all_redirected(outcomes)
    db.session.expire_all()
    assert all(db.session.get(Visit, v.id).confirmed_at is not None for v in visits)
    assert sum(db.session.get(Visit, v.id).earned_points for v in visits) == 1
    paid = db.session.scalar(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.user_id == org.fin.id))
    assert paid == 20

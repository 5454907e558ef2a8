"""On PostgreSQL, requests at once: one acknowledgement of a warning, one warning per create form, one close."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from programs.early_warnings.models import EarlyWarning
from programs.early_warnings.rules import parse_period
from tests.early_warnings.warnings_factories import raise_warning, warning_form
from tests.factories import make_user
from tests.races import post_as, run_together
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.roles import Role


def _fresh(warning_id: int) -> EarlyWarning:
    db.session.expire_all()
    return db.session.get_one(EarlyWarning, warning_id)


@pytest.mark.postgres_only
def test_managers_acknowledging_at_once_acknowledge_once(app, db, org):
    warning = raise_warning(org.author, org.fin_function.id)
    responders = [org.fin_manager, org.fin_leader] + [make_user(Role.MANAGER, function=org.fin_function)
                                                      for _ in range(4)]
    db.session.commit()
    outcomes = _at_once(app, responders, f"/warnings/{warning.id}/acknowledge")
    assert sorted(status for status, _ in outcomes) == [303] + [400] * (len(responders) - 1)
    fresh = _fresh(warning.id)
    assert fresh.status == "acknowledged" and fresh.acknowledged_by_id in {p.id for p in responders}
    assert fresh.next_step == f"Next step by {db.session.get(type(org.author), fresh.acknowledged_by_id).name}"
    told = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == org.author.id, Notification.message.like("%acknowledged your warning%")))
    assert told == 1


def _at_once(app, people, url: str) -> list[tuple[int, str]]:
    """Each person POSTs their acknowledgement to url, all at the same moment (own client and app context each)."""
    forms = [(p.get_id(), {"ack-next_step": f"Next step by {p.name}"}) for p in people]
    return run_together(len(forms), lambda i: post_as(app, forms[i][0], url, forms[i][1]))


def _post_at_once(app, user, url: str, data: dict, times: int) -> list[tuple[int, str]]:
    """The same form POSTed `times` times at once by user, each from its own client."""
    user_id = user.get_id()
    return run_together(times, lambda _: post_as(app, user_id, url, data))


@pytest.mark.postgres_only
def test_the_same_new_warning_form_sent_6_times_at_once_raises_one_warning(app, db, org):
    data = warning_form(org.fin_function.id)
    outcomes = _post_at_once(app, org.author, "/warnings/new", data, 6)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(EarlyWarning)) == 1
    assert sum(status == 303 for status, _ in outcomes) == 1
    assert all(status in (303, 400) for status, _ in outcomes)


@pytest.mark.postgres_only
def test_closing_twice_at_once_closes_once(app, db, org):
    warning = raise_warning(org.author, org.fin_function.id)
    with time_machine.travel(parse_period(warning.period).end + timedelta(days=2), tick=False):
        outcomes = _post_at_once(app, org.author, f"/warnings/{warning.id}/close",
                                {"close-outcome": "larger", "close-actual_impact": "70000"}, 4)
    assert sorted(status for status, _ in outcomes) == [303, 400, 400, 400]
    assert _fresh(warning.id).status == "closed"

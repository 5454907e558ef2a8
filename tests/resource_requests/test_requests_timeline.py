"""Requests over time: reminders before the deadline, escalation after it, the daily command."""
from __future__ import annotations

from datetime import timedelta

import time_machine

from programs.resource_requests import services
from programs.resource_requests.models import RequestStatus
from tests.resource_requests.requests_factories import answered_request, sent_request
from webapp import clock
from webapp.notifications.models import Notification


def reminders_to(db, user) -> list[str]:
    return [n.message for n in db.session.query(Notification).filter_by(user_id=user.id, kind="follow-up")]


def test_two_days_before_the_deadline_whoever_holds_the_next_step_is_reminded_once_a_day(db, pair):
    waiting, answered = sent_request(pair), answered_request(pair)
    assert services.send_reminders(clock.today()) == 0  # fourteen days ahead: too early
    with time_machine.travel(clock.now() + timedelta(days=12)):
        assert services.send_reminders(clock.today()) == 3  # two Finance reviewers for one, the requester for the other
        assert services.send_reminders(clock.today()) == 0  # the second run, the same day, sends none
    assert any(waiting.title in m for m in reminders_to(db, pair.reviewer))  # the options are Finance's to give
    assert len(reminders_to(db, pair.requester)) == 1  # the pick is the requester's
    assert answered.status == RequestStatus.ANSWERED


def test_the_daily_command_escalates_after_the_deadline_not_on_it(app, db, pair):
    request = answered_request(pair)
    db.session.commit()
    runner = app.test_cli_runner()
    with time_machine.travel(clock.now() + timedelta(days=14)):  # the deadline itself: still time
        assert "Escalated 0 request(s)" in runner.invoke(args=["requests", "daily"]).output
    with time_machine.travel(clock.now() + timedelta(days=15)):
        assert "Escalated 1 request(s)" in runner.invoke(args=["requests", "daily"]).output
    db.session.expire_all()
    assert db.session.get(type(request), request.id).status == RequestStatus.ESCALATED

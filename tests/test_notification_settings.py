"""Notification settings: per kind in the app, also by e-mail, or off; the weekly digest of managers and leaders."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from tests.conftest import sign_in
from tests.factories import make_user
from tests.races import run_together
from webapp import clock
from webapp.extensions import db as _db
from webapp.formatting import date_filter
from webapp.notifications.digest import last_complete_week
from webapp.notifications.digest import send_digests as run_digests
from webapp.notifications.models import BY_EMAIL, IN_APP, OFF, Notification, NotificationDigest, OutboxMessage
from webapp.notifications.services import KINDS, notify, save_settings
from webapp.roles import Role


@pytest.fixture
def mail_on(app, monkeypatch):
    """E-mail on (only the outbox is looked at here; delivery is tests/test_outbox.py's)."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://cg.example")


def outbox_subjects(db) -> list[str]:
    return db.session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)).all()


def notifications_of(db, user) -> list[str]:
    return db.session.scalars(select(Notification.message).where(Notification.user_id == user.id)).all()


def form_for(choices: dict[str, str], digest: bool = False) -> dict[str, str]:
    data = {"channel_" + kind.replace("-", "_"): choices.get(kind, BY_EMAIL) for kind in KINDS}
    return data | ({"weekly_digest": "y"} if digest else {})


def test_by_default_a_notification_shows_in_the_app_and_goes_by_email(db, mail_on):
    user = make_user()
    notify(user, "pulse", "The pulse is open")
    assert notifications_of(db, user) == ["The pulse is open"]
    assert outbox_subjects(db) == ["Pulse open: The pulse is open"]


def test_each_kind_follows_the_persons_choice(db, mail_on):
    user = make_user()
    save_settings(user, {"pulse": IN_APP, "badge": OFF}, weekly_digest=False)
    assert notify(user, "pulse", "In the app only") is not None
    assert notify(user, "badge", "Not at all") is None
    notify(user, "cosign", "Both")
    assert sorted(notifications_of(db, user)) == ["Both", "In the app only"]
    assert outbox_subjects(db) == ["Co-sign request: Both"]


def test_the_settings_page_saves_the_choices_and_shows_them_again(client, db, mail_on):
    user = make_user()
    sign_in(client, user)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "Approval waiting" in page and "weekly digest" not in page  # an employee takes no digest
    response = client.post("/notifications/settings", data=form_for({"info": OFF, "pulse": IN_APP}))
    assert response.status_code == 303
    notify(user, "info", "hidden")
    notify(user, "pulse", "seen")
    assert notifications_of(db, user) == ["seen"] and outbox_subjects(db) == []
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert '<option selected value="off">' in page and '<option selected value="app">' in page


def test_the_settings_page_refuses_an_unknown_channel_and_an_employees_digest(client, db):
    user = make_user()
    sign_in(client, user)
    assert client.post("/notifications/settings", data=form_for({"info": "carrier-pigeon"})).status_code == 400
    response = client.post("/notifications/settings", data=form_for({}, digest=True))  # field not offered: ignored
    assert response.status_code == 303
    with pytest.raises(ValueError, match="managers and leaders"):
        save_settings(user, {}, weekly_digest=True)


def test_settings_are_linked_from_the_notifications_page_and_the_profile(client, db):
    user = make_user()
    sign_in(client, user)
    assert 'href="/notifications/settings"' in client.get("/notifications").get_data(as_text=True)
    assert 'href="/notifications/settings"' in client.get(f"/people/{user.id}").get_data(as_text=True)


def test_a_manager_on_the_digest_gets_no_single_emails(db, mail_on):
    manager = make_user(Role.MANAGER)
    save_settings(manager, {}, weekly_digest=True)
    notify(manager, "approval", "An application waits")
    assert notifications_of(db, manager) == ["An application waits"] and outbox_subjects(db) == []


# --- the weekly digest --------------------------------------------------------------------------------------


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment of the organisation's local day."""
    return datetime.combine(day, time(hour, minute), tzinfo=clock.zone())


def send_digests(app) -> str:
    result = app.test_cli_runner().invoke(args=["notifications", "send-digests"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_digest_holds_last_weeks_emailed_notifications_once_per_week(app, db, mail_on, monkeypatch):
    monkeypatch.setitem(app.config, "ORG_TIMEZONE", "Europe/Paris")
    monday = clock.today() - timedelta(days=clock.today().weekday())
    leader, employee = make_user(Role.LEADER, email="leader@example.com"), make_user()
    save_settings(leader, {"info": IN_APP}, weekly_digest=True)
    save_settings(employee, {}, weekly_digest=False)
    with time_machine.travel(at(monday - timedelta(days=8), 12), tick=False):
        notify(leader, "pulse", "Two weeks ago")
        db.session.flush()  # created_at is stamped at the flush
    with time_machine.travel(at(monday - timedelta(days=7), 0, 5), tick=False):  # 23:05 UTC on Sunday
        notify(leader, "pulse", "Just after last week began")
        notify(leader, "info", "In the app only")
        db.session.flush()  # created_at is stamped at the flush
    with time_machine.travel(at(monday - timedelta(days=1), 23, 55), tick=False):
        notify(leader, "cosign", "Just before last week ended")
        db.session.flush()  # created_at is stamped at the flush
    with time_machine.travel(at(monday, 0, 5), tick=False):
        notify(leader, "badge", "This week")
        db.session.flush()  # created_at is stamped at the flush
    db.session.commit()

    with time_machine.travel(at(monday + timedelta(days=1), 7), tick=False):
        assert "1 digest(s) sent" in send_digests(app)
        assert "0 digest(s) sent, 1 already sent" in send_digests(app)  # cron ran twice
    digest = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "leader@example.com")).one()
    assert digest.subject == "Your week on Common Ground: 2 notifications"
    assert digest.body.startswith(f"Your notifications from {date_filter(monday - timedelta(days=7))} to ")
    assert "Just after last week began" in digest.body and "Just before last week ended" in digest.body
    assert "Two weeks ago" not in digest.body and "This week" not in digest.body
    assert "In the app only" not in digest.body
    assert db.session.scalar(select(func.count()).select_from(NotificationDigest)) == 1


def test_the_next_week_brings_the_next_digest_and_an_empty_week_none(app, db, mail_on):
    monday = clock.today() - timedelta(days=clock.today().weekday())
    manager = make_user(Role.MANAGER)
    save_settings(manager, {}, weekly_digest=True)
    with time_machine.travel(at(monday - timedelta(days=3), 12), tick=False):
        notify(manager, "approval", "Last week")
        db.session.flush()  # created_at is stamped at the flush
    db.session.commit()
    with time_machine.travel(at(monday, 6), tick=False):
        assert "1 digest(s) sent" in send_digests(app)
    with time_machine.travel(at(monday + timedelta(days=7), 6), tick=False):
        assert "0 digest(s) sent, 0 already sent, 1 with nothing to send" in send_digests(app)
    assert last_complete_week(monday + timedelta(days=6)) == monday - timedelta(days=7)


def test_a_person_who_lost_the_manager_role_gets_no_digest_but_single_emails(app, db, mail_on):
    manager = make_user(Role.MANAGER)
    save_settings(manager, {}, weekly_digest=True)
    manager.set_roles(set())
    notify(manager, "approval", "Now by single e-mail")
    db.session.commit()
    assert outbox_subjects(db) == ["Approval waiting: Now by single e-mail"]
    assert "0 digest(s) sent, 0 already sent, 0 with nothing" in send_digests(app)


def test_the_digest_command_says_when_email_is_off(app, db):
    assert "E-mail is off" in send_digests(app)


@pytest.mark.postgres_only
def test_two_digest_runs_at_once_send_one_digest(app, db, mail_on):
    monday = clock.today() - timedelta(days=clock.today().weekday())
    leader = make_user(Role.LEADER)
    save_settings(leader, {}, weekly_digest=True)
    with time_machine.travel(at(monday - timedelta(days=2), 12), tick=False):
        notify(leader, "pulse", "Last week")
        db.session.flush()
    db.session.commit()

    def run(_: int) -> str:
        with app.app_context():  # its own session and connection
            try:
                report = str(run_digests(clock.today()))
                _db.session.commit()
                return report
            finally:
                _db.session.remove()

    reports = run_together(3, run)
    assert sorted(report.split(": ", 1)[1] for report in reports) == [
        "0 digest(s) sent, 1 already sent, 0 with nothing to send.",
        "0 digest(s) sent, 1 already sent, 0 with nothing to send.",
        "1 digest(s) sent, 0 already sent, 0 with nothing to send.",
    ]
    assert db.session.scalar(select(func.count()).select_from(NotificationDigest)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1

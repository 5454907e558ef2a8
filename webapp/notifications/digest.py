"""The weekly digest: one e-mail per manager or leader who chose it, listing last week's notifications.

Run `flask --app webapp notifications send-digests` weekly from cron (Monday morning, say). It covers the last
complete week, Monday to Sunday in the organisation's time zone. A digest row (unique per person and week) is
written with the e-mail in one transaction, so a second run, also a concurrent one, sends nothing again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp import clock
from webapp.extensions import db
from webapp.formatting import date_filter
from webapp.notifications.models import BY_EMAIL, Notification, NotificationDigest, NotificationSettings
from webapp.notifications.services import KINDS, enqueue_email, link, may_take_digest
from webapp.people.models import User

WEEK = timedelta(days=7)


@dataclass
class DigestReport:
    """What one run did: digests sent, people already sent this week's, people with nothing to read."""

    week_start: date
    sent: int = 0
    already_sent: int = 0
    empty: int = 0

    def __str__(self) -> str:
        return (f"Week of {self.week_start.isoformat()}: {self.sent} digest(s) sent, "
                f"{self.already_sent} already sent, {self.empty} with nothing to send.")


def last_complete_week(today: date) -> date:
    """The Monday of the last week that has ended by today."""
    return today - timedelta(days=today.weekday()) - WEEK


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    """The week's first instant and the next week's first, in UTC, from the organisation's local midnights."""
    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=clock.zone())
    return midnight(week_start), midnight(week_start + WEEK)


def send_digests(today: date) -> DigestReport:
    """Write the digest e-mail of the last complete week for every subscriber who has not had it; the caller commits."""
    report = DigestReport(last_complete_week(today))
    for user, settings in _subscribers():
        notifications = _digest_notifications(user, settings, report.week_start)
        if not notifications:
            report.empty += 1
        elif _send_once(user, report.week_start, notifications):
            report.sent += 1
        else:
            report.already_sent += 1
    return report


def _subscribers() -> list[tuple[User, NotificationSettings]]:
    rows = db.session.execute(
        select(User, NotificationSettings).join(NotificationSettings, NotificationSettings.user_id == User.id)
        .where(NotificationSettings.weekly_digest.is_(True), User.active.is_(True)).order_by(User.id)
    ).all()
    return [(user, settings) for user, settings in rows if may_take_digest(user)]


def _digest_notifications(user: User, settings: NotificationSettings, week_start: date) -> list[Notification]:
    """The week's notifications of user, of the kinds they take by e-mail, oldest first."""
    start, end = week_bounds(week_start)
    rows = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.created_at >= start,
                                   Notification.created_at < end).order_by(Notification.id)
    ).all()
    return [note for note in rows if settings.channel(note.kind) == BY_EMAIL]


def _send_once(user: User, week_start: date, notifications: list[Notification]) -> bool:
    """Record this week's digest of user and put its e-mail in the outbox; False when it was already recorded."""
    try:
        with db.session.begin_nested():
            db.session.add(NotificationDigest(user_id=user.id, week_start=week_start,
                                              notification_count=len(notifications)))
            db.session.flush()
    except IntegrityError:  # another run recorded it first (it may still be committing)
        return False
    count = len(notifications)
    enqueue_email(user.email, f"Your week on Common Ground: {count} notification{'s' if count != 1 else ''}",
                  digest_body(week_start, notifications))
    return True


def digest_body(week_start: date, notifications: list[Notification]) -> str:
    """The plain-text digest: one line per notification, with its link when PUBLIC_URL is set."""
    base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    last_day = week_start + WEEK - timedelta(days=1)
    lines = [f"Your notifications from {date_filter(week_start)} to {date_filter(last_day)}:", ""]
    for note in notifications:
        lines.append(f"- {KINDS[note.kind]}: {note.message}")
        if note.url and base:
            lines.append(f"  {base}{note.url}")
    lines += ["", f"Choose what you receive: {base}{link('notifications.settings')}" if base else
              "Choose what you receive on the notification settings page."]
    return "\n".join(lines)

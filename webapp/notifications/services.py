"""Writes: notify people, mark notifications read, and put outgoing e-mail and webhook posts in the outbox.

Outgoing messages are rows written in the caller's transaction (a rolled-back action leaves none);
the worker in webapp/notifications/delivery.py delivers them, so no action waits for or fails on delivery.
"""
from __future__ import annotations

import json
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from webapp import clock, signals
from webapp.db import rows_changed
from webapp.errors import RuleError
from webapp.extensions import db
from webapp.notifications.models import (
    BY_EMAIL,
    CHANNELS,
    DEFAULT_CHANNEL,
    EMAIL,
    MESSAGE_MAX,
    OFF,
    SUBJECT_MAX,
    WEBHOOK,
    Notification,
    NotificationSettings,
    OutboxMessage,
)
from webapp.people.models import User
from webapp.roles import Role

KINDS = {
    "approval": "Approval waiting",
    "cosign": "Co-sign request",
    "follow-up": "Follow-up due",
    "pulse": "Pulse open",
    "offer": "Offer to accept",
    "badge": "Badge earned",
    "info": "Notice",
    "warning": "Early warning",
}


def link(endpoint: str, **values) -> str:
    """The path of a route, also outside a request (services, the demo, the command line)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


DIGEST_ROLES = (Role.MANAGER, Role.LEADER)


def notify(user: User, kind: str, message: str, url: str = "", at: datetime | None = None) -> Notification | None:
    """Tell user something as they chose for this kind: in the app, also by e-mail (unless they take the
    weekly digest, and when SMTP is configured), or not at all (then None). at: when it happened (default now)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    channel, digest = delivery_choice(user, kind)
    if channel == OFF:
        return None
    if not url.startswith("/"):
        url = ""
    notification = Notification(user_id=user.id, kind=kind, message=message[:MESSAGE_MAX], url=url,
                                created_at=at or clock.now())
    db.session.add(notification)
    if channel == BY_EMAIL and not digest:
        enqueue_email(user.email, f"{KINDS[kind]}: {message}", message, url)
    return notification


def delivery_choice(user: User, kind: str) -> tuple[str, bool]:
    """(channel, takes the weekly digest instead of single e-mails) of user for kind, in one query."""
    row = db.session.execute(
        select(NotificationSettings.channels, NotificationSettings.weekly_digest)
        .where(NotificationSettings.user_id == user.id)
    ).first()
    if row is None:
        return DEFAULT_CHANNEL, False
    return row.channels.get(kind, DEFAULT_CHANNEL), row.weekly_digest and may_take_digest(user)


def may_take_digest(user: User) -> bool:
    """Managers and leaders may take a weekly digest instead of single e-mails."""
    return user.has_role(*DIGEST_ROLES)


def settings_of(user: User) -> NotificationSettings:
    """user's settings as stored, or the defaults (not added to the session)."""
    return db.session.get(NotificationSettings, user.id) or NotificationSettings(
        user_id=user.id, channels={}, weekly_digest=False)


def save_settings(user: User, channels: dict[str, str], weekly_digest: bool) -> NotificationSettings:
    """Store user's channel for every kind and their digest choice (locking their row; the first save adds it)."""
    unknown = set(channels) - set(KINDS) or {c for c in channels.values() if c not in CHANNELS}
    if unknown:
        raise RuleError(f"Unknown choice: {', '.join(sorted(unknown))}.")
    if weekly_digest and not may_take_digest(user):
        raise RuleError("The weekly digest is for managers and leaders.", field="weekly_digest")
    settings = db.session.scalars(
        select(NotificationSettings).where(NotificationSettings.user_id == user.id).with_for_update()
    ).first()
    if settings is None:
        settings = NotificationSettings(user_id=user.id)
        db.session.add(settings)
    settings.channels = {kind: channels.get(kind, DEFAULT_CHANNEL) for kind in KINDS}
    settings.weekly_digest = weekly_digest
    db.session.flush()
    return settings


def mark_read(user: User, notification: Notification) -> None:
    """Mark one of user's own notifications read (someone else's raises PermissionError)."""
    if notification.user_id != user.id:
        raise PermissionError("not your notification")
    notification.read_at = notification.read_at or clock.now()


def mark_all_read(user: User) -> int:
    """Mark every unread notification of user read; returns how many."""
    return rows_changed(
        db.session, update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )


def subject_line(text: str) -> str:
    """The one way a Subject is made: one line of printable text (line breaks collapsed), at most SUBJECT_MAX long."""
    line = "".join(char for char in " ".join(text.split()) if char.isprintable())
    return line if len(line) <= SUBJECT_MAX else line[:SUBJECT_MAX - 1].rstrip() + "…"


def enqueue_email(to: str, subject: str, body: str, path: str = "") -> OutboxMessage | None:
    """Put one plain-text e-mail in the outbox when MAIL_SERVER is set (e-mail is off otherwise)."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return None
    link_line = f"\n\n{config['PUBLIC_URL'].rstrip('/')}{path}" if path and config.get("PUBLIC_URL") else ""
    return _enqueue(EMAIL, to, subject_line(subject), body + link_line)


def enqueue_webhook(url: str, payload: dict) -> OutboxMessage:
    """Put one JSON post to an incoming-webhook URL (Slack/Teams/Mattermost style) in the outbox."""
    return _enqueue(WEBHOOK, url, "", json.dumps(payload))


def _enqueue(kind: str, recipient: str, subject: str, body: str) -> OutboxMessage:
    message = OutboxMessage(kind=kind, recipient=recipient, subject=subject, body=body, next_attempt_at=clock.now())
    db.session.add(message)
    return message


def announce_win(sender, win_id: int, title: str, credited: list, function_ids: set, **_) -> None:
    """win_published receiver: post the joint win to the chat webhook (through the outbox)."""
    url = current_app.config.get("WIN_WEBHOOK_URL")
    if not url:
        return
    names = ", ".join(person.name for person in credited)
    enqueue_webhook(url, {"text": f"Joint win published: {title} — credited to {names}."})


def connect_receivers() -> None:
    signals.win_published.connect(announce_win)

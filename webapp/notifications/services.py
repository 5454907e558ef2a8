"""Writes: notify people, mark notifications read. E-mail goes out only after the commit."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import update

from webapp import clock
from webapp.extensions import db
from webapp.notifications.delivery import queue_email
from webapp.notifications.models import MESSAGE_MAX, Notification
from webapp.people.models import User

KINDS = {
    "approval": "Approval waiting",
    "cosign": "Co-sign request",
    "follow-up": "Follow-up due",
    "pulse": "Pulse open",
    "offer": "Offer to accept",
    "badge": "Badge earned",
    "info": "Notice",
}


def link(endpoint: str, **values) -> str:
    """The path of a route, also outside a request (services, the demo, the command line)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def notify(user: User, kind: str, message: str, url: str = "") -> Notification:
    """Tell user something (in the app, and by e-mail when SMTP is configured)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not url.startswith("/"):
        url = ""
    notification = Notification(user_id=user.id, kind=kind, message=message[:MESSAGE_MAX], url=url)
    db.session.add(notification)
    queue_email(user.email, f"{KINDS[kind]}: {message[:80]}", message, url)
    return notification


def mark_read(user: User, notification: Notification) -> None:
    """Mark one of user's own notifications read (someone else's raises PermissionError)."""
    if notification.user_id != user.id:
        raise PermissionError("not your notification")
    notification.read_at = notification.read_at or clock.now()


def mark_all_read(user: User) -> int:
    """Mark every unread notification of user read; returns how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
    return result.rowcount

"""Reads of the notification centre."""
from __future__ import annotations

from sqlalchemy import Select, func, select

from webapp.cache import BELLS, bell_scope, remember
from webapp.extensions import db
from webapp.notifications.models import Notification


def count_unread(user_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ) or 0


def cached_count_unread(user_id: int) -> int:
    """count_unread from the cache, until a write to this person's notifications (webapp/cache.py)."""
    return remember([BELLS, bell_scope(user_id)], f"unread:{user_id}", lambda: count_unread(user_id), local=True)


def list_notifications(user_id: int, before_id: int | None = None) -> Select:
    """Newest first, keyset-paged by id."""
    query = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id.desc())
    return query.where(Notification.id < before_id) if before_id else query


def notified_since(kind: str, since) -> set[tuple[int, str]]:
    """(user id, link) of every notification of kind created since (for once-a-day reminders)."""
    rows = db.session.execute(
        select(Notification.user_id, Notification.url).where(
            Notification.kind == kind, Notification.created_at >= since
        )
    )
    return {(user_id, url) for user_id, url in rows}

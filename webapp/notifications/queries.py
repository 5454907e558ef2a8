"""Reads of the notification centre."""
from __future__ import annotations

from sqlalchemy import Select, func, select

from webapp.extensions import db
from webapp.notifications.models import Notification


def count_unread(user_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ) or 0


def list_notifications(user_id: int, before_id: int | None = None) -> Select:
    """Newest first, keyset-paged by id."""
    query = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id.desc())
    return query.where(Notification.id < before_id) if before_id else query

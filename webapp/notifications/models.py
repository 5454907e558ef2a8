"""One notification for one person."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import TimestampMixin, UTCDateTime
from webapp.extensions import db

MESSAGE_MAX = 300


class Notification(TimestampMixin, db.Model):
    """Something a person should see: an approval waiting, a co-sign request, a badge earned ..."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(MESSAGE_MAX))
    url: Mapped[str] = mapped_column(String(500), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

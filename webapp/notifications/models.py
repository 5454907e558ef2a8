"""One notification for one person, and the outbox of outgoing e-mail and webhook posts."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock
from webapp.db import Base, TimestampMixin, UTCDateTime

MESSAGE_MAX = 300
SUBJECT_MAX = 150
ERROR_MAX = 500

EMAIL, WEBHOOK = "email", "webhook"
PENDING, SENT, FAILED = "pending", "sent", "failed"

# how a person takes one kind of notification; without a choice, the default
IN_APP, BY_EMAIL, OFF = "app", "email", "off"
CHANNELS = {IN_APP: "In the app", BY_EMAIL: "In the app and by e-mail", OFF: "Off"}
DEFAULT_CHANNEL = BY_EMAIL


class Notification(TimestampMixin, Base):
    """Something a person should see: an approval waiting, a co-sign request, a badge earned ..."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(MESSAGE_MAX))
    url: Mapped[str] = mapped_column(String(500), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxMessage(TimestampMixin, Base):
    """One outgoing e-mail or webhook post, written in the transaction of the action that caused it.

    The worker (`flask --app webapp worker`) delivers it. A claimed message stays pending with
    next_attempt_at moved past the worker's lease, so a worker that dies mid-delivery hands it back.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
        CheckConstraint(f"kind IN ('{EMAIL}', '{WEBHOOK}')", name="kind"),
        CheckConstraint(f"status IN ('{PENDING}', '{SENT}', '{FAILED}')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(500))  # an e-mail address, or the webhook's URL
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX), default="")
    body: Mapped[str] = mapped_column(Text)  # the plain-text e-mail, or the webhook's JSON payload
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    last_error: Mapped[str] = mapped_column(String(ERROR_MAX), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NotificationSettings(Base):
    """One person's choices: the channel of each kind of notification, and the weekly digest (managers, leaders)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    channels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # kind -> IN_APP, BY_EMAIL or OFF
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=False)

    def channel(self, kind: str) -> str:
        return self.channels.get(kind, DEFAULT_CHANNEL)


class NotificationDigest(TimestampMixin, Base):
    """The weekly digest e-mail sent to one person for one week: at most one per person and week."""

    __tablename__ = "notification_digest"
    __table_args__ = (UniqueConstraint("user_id", "week_start", name="uq_notification_digest_user_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    week_start: Mapped[date] = mapped_column(Date)  # the Monday (organisation's local date) the week begins
    notification_count: Mapped[int] = mapped_column(default=0)

"""The audit log of administrative actions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import KEY_MAX, Base, TimestampMixin, UTCDateTime
from webapp.people.models import User


class AuditEntry(TimestampMixin, Base):
    """Who did what to which object, with the state before and after."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()


class PasswordLink(TimestampMixin, Base):
    """A single-use, expiring link to set a password: an invitation or a reset. Only the token's hash is kept."""

    __tablename__ = "password_link"
    __table_args__ = (UniqueConstraint("user_id", "request_key"),)  # a replayed invitation form is refused

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "invite" or "reset"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id")
    )  # None: asked for on the login page
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a newer link or a new password ended it
    request_key: Mapped[str | None] = mapped_column(String(KEY_MAX))  # the invitation form's idempotency key

    user: Mapped[User] = relationship(foreign_keys=[user_id])

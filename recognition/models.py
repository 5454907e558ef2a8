"""Recognition: policy, allowances, the points ledger, kudos, joint wins, the feed, badges."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import KEY_MAX, Base, TimestampMixin, UTCDateTime
from webapp.people.models import Function, User

PERIOD_LEN = 7  # "YYYY-MM"
QUARTER_LEN = 7  # "YYYY-Qn"


class WinStatus(StrEnum):
    """A win waits for its co-signs, then is published, or declined by one co-signer."""

    PENDING = "pending"
    DECLINED = "declined"
    PUBLISHED = "published"


class CosignStatus(StrEnum):
    """One credited function's co-sign of a win; the function of whoever logged it needs none."""

    NOT_NEEDED = "not_needed"
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class FeedItemState(StrEnum):
    """A feed item is visible until its author deletes it or an admin (or a withdrawn visit) hides it."""

    VISIBLE = "visible"
    DELETED = "deleted"
    HIDDEN = "hidden"


def _one_of(column: str, values: type[StrEnum]) -> str:
    """The SQL of a check that the column holds one of the enum's values."""
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class RecognitionPolicy(Base):
    """The admin-configurable numbers of recognition (one row, id 1)."""

    __tablename__ = "recognition_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    monthly_allowance: Mapped[int] = mapped_column(Integer, default=100)
    per_report_extra: Mapped[int] = mapped_column(Integer, default=10)
    message_min: Mapped[int] = mapped_column(Integer, default=40)
    pair_daily_cap: Mapped[int] = mapped_column(Integer, default=50)
    bridge_multiplier_pct: Mapped[int] = mapped_column(Integer, default=150)
    win_points_per_function: Mapped[int] = mapped_column(Integer, default=100)
    reciprocity_window_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    allowance_reminder_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    company_values: Mapped[list[str] | None] = mapped_column(JSON)  # names in order; None: rules.DEFAULT_COMPANY_VALUES


class Allowance(Base):
    """A person's giving allowance for one month: the row that gifts lock while they spend it."""

    __tablename__ = "recognition_allowance"
    __table_args__ = (UniqueConstraint("user_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    period: Mapped[str] = mapped_column(String(PERIOD_LEN))
    granted: Mapped[int] = mapped_column(Integer)


class LedgerEntry(TimestampMixin, Base):
    """One append-only movement of points. account "allowance" (spending, negative) or "points" (received)."""

    __tablename__ = "recognition_ledger_entry"
    __table_args__ = (
        Index("ix_recognition_ledger_entry_user_account_period", "user_id", "account", "period"),
        CheckConstraint("account IN ('allowance', 'points')", name="account"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    account: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(24))
    source_type: Mapped[str] = mapped_column(String(24))
    source_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(PERIOD_LEN))
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)


class Kudos(TimestampMixin, Base):
    """Kudos from one giver to one or more colleagues, paid from the giver's allowance."""

    __tablename__ = "recognition_kudos"

    id: Mapped[int] = mapped_column(primary_key=True)
    giver_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    value_tag: Mapped[str] = mapped_column(String(32))
    points_each: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(PERIOD_LEN))
    quarter: Mapped[str] = mapped_column(String(QUARTER_LEN), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(KEY_MAX), unique=True)

    giver: Mapped[User] = relationship(foreign_keys=[giver_id])
    recipients: Mapped[list[KudosRecipient]] = relationship(back_populates="kudos", cascade="all, delete-orphan")


class KudosRecipient(Base):
    """One receiver of a kudos, with the functions on both sides (for bridges and the flow matrix)."""

    __tablename__ = "recognition_kudos_recipient"

    kudos_id: Mapped[int] = mapped_column(ForeignKey("recognition_kudos.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)
    giver_function_id: Mapped[int | None] = mapped_column(ForeignKey("function.id"))
    receiver_function_id: Mapped[int | None] = mapped_column(ForeignKey("function.id"))

    kudos: Mapped[Kudos] = relationship(back_populates="recipients")
    user: Mapped[User] = relationship()


class KudosAddon(TimestampMixin, Base):
    """+points that someone else adds to an existing kudos, from their own allowance."""

    __tablename__ = "recognition_kudos_addon"

    id: Mapped[int] = mapped_column(primary_key=True)
    kudos_id: Mapped[int] = mapped_column(ForeignKey("recognition_kudos.id"), index=True)
    giver_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    points_each: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(KEY_MAX), unique=True)


class Win(TimestampMixin, Base):
    """A shared win logged by a manager or leader; joint when it credits two or more functions."""

    __tablename__ = "recognition_win"
    __table_args__ = (CheckConstraint(_one_of("status", WinStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    logged_by_id: Mapped[int] = mapped_column("logger_id", ForeignKey("user_account.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    story: Mapped[str] = mapped_column(Text)
    value_tags: Mapped[str] = mapped_column(String(200))
    impact_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    impact_unit: Mapped[str] = mapped_column(String(24), default="")
    impact_outcome: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(12), default=WinStatus.PENDING.value, index=True)
    is_joint: Mapped[bool] = mapped_column(Boolean)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    quarter: Mapped[str | None] = mapped_column(String(QUARTER_LEN), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(KEY_MAX), unique=True)

    logged_by: Mapped[User] = relationship(foreign_keys=[logged_by_id])
    credits: Mapped[list[WinCredit]] = relationship(back_populates="win", cascade="all, delete-orphan")
    functions: Mapped[list[WinFunction]] = relationship(back_populates="win", cascade="all, delete-orphan")

    @property
    def tags(self) -> list[str]:
        return [t for t in self.value_tags.split(",") if t]


class WinCredit(Base):
    """A person credited on a win."""

    __tablename__ = "recognition_win_credit"

    win_id: Mapped[int] = mapped_column(ForeignKey("recognition_win.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)

    win: Mapped[Win] = relationship(back_populates="credits")
    user: Mapped[User] = relationship()


class WinFunction(Base):
    """A function credited on a win and its co-sign (a CosignStatus)."""

    __tablename__ = "recognition_win_function"

    win_id: Mapped[int] = mapped_column(ForeignKey("recognition_win.id"), primary_key=True)
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), primary_key=True, index=True)
    cosign: Mapped[str] = mapped_column(String(12))
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    win: Mapped[Win] = relationship(back_populates="functions")
    function: Mapped[Function] = relationship()
    signer: Mapped[User | None] = relationship()


class FeedItem(TimestampMixin, Base):
    """One celebration on the feed, dated (created_at) by the event it describes.

    The feed orders by (created_at, id), newest first, with keyset pages on that pair; the poll for news
    counts by id (what arrived since), so a late-reported old event is news without jumping the queue.
    """

    __tablename__ = "recognition_feed_item"
    __table_args__ = (
        CheckConstraint(_one_of("state", FeedItemState), name="state"),
        Index("ix_recognition_feed_item_state_id", "state", "id"),
        Index("ix_recognition_feed_item_state_created_at_id", "state", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    source_key: Mapped[str] = mapped_column(String(80), unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    headline: Mapped[str] = mapped_column(String(300))
    body_html: Mapped[str] = mapped_column(Text, default="")
    value_tag: Mapped[str] = mapped_column(String(32), default="", index=True)
    cross_functional: Mapped[bool] = mapped_column(Boolean, default=False)
    points: Mapped[int] = mapped_column(Integer, default=0)
    kudos_id: Mapped[int | None] = mapped_column(ForeignKey("recognition_kudos.id"))
    win_id: Mapped[int | None] = mapped_column(ForeignKey("recognition_win.id"))
    state: Mapped[str] = mapped_column(String(8), default=FeedItemState.VISIBLE.value)
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")


class FeedItemFunction(Base):
    """A function an item concerns (for the "my function" filter)."""

    __tablename__ = "recognition_feed_item_function"

    item_id: Mapped[int] = mapped_column(ForeignKey("recognition_feed_item.id"), primary_key=True)
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), primary_key=True, index=True)


class Reaction(Base):
    """One person's emoji on one item (toggle)."""

    __tablename__ = "recognition_reaction"

    item_id: Mapped[int] = mapped_column(ForeignKey("recognition_feed_item.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    emoji: Mapped[str] = mapped_column(String(12), primary_key=True)


class Comment(TimestampMixin, Base):
    """A comment under an item."""

    __tablename__ = "recognition_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("recognition_feed_item.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(String(1000))
    idempotency_key: Mapped[str] = mapped_column(String(KEY_MAX), unique=True)


class BadgeDefinition(Base):
    """A badge as data: earned when a person's count of `event` reaches `threshold`."""

    __tablename__ = "recognition_badge"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(String(200))
    event: Mapped[str] = mapped_column(String(32), index=True)
    threshold: Mapped[int] = mapped_column(Integer)


class Milestone(TimestampMixin, Base):
    """One counted occurrence of a badge event for a person; source_key makes counting idempotent."""

    __tablename__ = "recognition_milestone"
    __table_args__ = (UniqueConstraint("user_id", "event", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    event: Mapped[str] = mapped_column(String(32))
    source_key: Mapped[str] = mapped_column(String(80))


class BadgeAward(TimestampMixin, Base):
    """A badge a person holds (once)."""

    __tablename__ = "recognition_badge_award"

    badge_id: Mapped[int] = mapped_column(ForeignKey("recognition_badge.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)

    badge: Mapped[BadgeDefinition] = relationship(lazy="joined")


class LeaderboardOptOut(TimestampMixin, Base):
    """A person who does not want to appear on the individual leaderboard."""

    __tablename__ = "recognition_leaderboard_opt_out"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)

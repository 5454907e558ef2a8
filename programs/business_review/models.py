"""The monthly business review: each metric's scorecard set-up and targets, the review of a month for a pair of
functions, its notes, decisions and actions, the leaders' sign-offs, and alerts waiting for the next review.

Metric ids are those of webapp.metrics (the trust pulse owns the metrics and their values), not foreign keys.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import KEY_MAX, Base, TimestampMixin, UTCDateTime
from webapp.people.models import Function, User

FINANCIAL, CUSTOMER, OPERATIONAL, GROWTH = "financial", "customer", "operational", "growth"
PERSPECTIVES = {FINANCIAL: "Financial", CUSTOMER: "Customer", OPERATIONAL: "Operational", GROWTH: "Growth"}
DRAFT, SIGNED = "draft", "signed"
EXPLANATION, NEED = "explanation", "need"
DECISION, ACTION = "decision", "action"
TEXT_MAX = 2000
MONTH_LENGTH = 7  # "2026-11"
PERIOD_LENGTH = 7  # "2026-11" or "2026-Q4"


class ScorecardMetric(TimestampMixin, Base):
    """How one outcome metric sits on the balanced scorecard: perspective, the function that owns it, its partner,
    and the amber and red thresholds (absolute values, red beyond amber in the metric's direction)."""

    __tablename__ = "business_review_metric"
    __table_args__ = (CheckConstraint("owner_function_id <> partner_function_id", name="distinct_functions"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    metric_id: Mapped[int] = mapped_column(Integer, unique=True)
    perspective: Mapped[str] = mapped_column(String(16))
    owner_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), index=True)
    partner_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), index=True)
    amber_threshold: Mapped[float] = mapped_column(Float)
    red_threshold: Mapped[float] = mapped_column(Float)

    owner_function: Mapped[Function] = relationship(foreign_keys=[owner_function_id])
    partner_function: Mapped[Function] = relationship(foreign_keys=[partner_function_id])


class MetricTarget(Base):
    """The value planned for one metric in one period ("2026-11" or "2026-Q4")."""

    __tablename__ = "business_review_target"
    __table_args__ = (UniqueConstraint("metric_id", "period", name="uq_business_review_target_metric_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    metric_id: Mapped[int] = mapped_column(Integer, index=True)
    period: Mapped[str] = mapped_column(String(PERIOD_LENGTH))
    value: Mapped[float] = mapped_column(Float)


class StatusSettings(Base):
    """The admin's status rules (one row, id 1): on track from this percent of the expected value, at risk below."""

    __tablename__ = "business_review_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    on_track_percent: Mapped[float] = mapped_column(Float, default=95.0)
    at_risk_percent: Mapped[float] = mapped_column(Float, default=85.0)


class MonthlyReview(TimestampMixin, Base):
    """The review of one month for a pair of functions (first_function_id < second_function_id)."""

    __tablename__ = "business_review"
    __table_args__ = (
        UniqueConstraint("first_function_id", "second_function_id", "month", name="uq_business_review_pair_month"),
        CheckConstraint("first_function_id < second_function_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(KEY_MAX), unique=True)
    first_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), index=True)
    second_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), index=True)
    month: Mapped[str] = mapped_column(String(MONTH_LENGTH))
    meeting_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(8), default=DRAFT)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    pre_read_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64))

    first_function: Mapped[Function] = relationship(foreign_keys=[first_function_id])
    second_function: Mapped[Function] = relationship(foreign_keys=[second_function_id])
    notes: Mapped[list[MetricNote]] = relationship(back_populates="review", order_by="MetricNote.id")
    items: Mapped[list[ReviewItem]] = relationship(back_populates="review", order_by="ReviewItem.id")
    signoffs: Mapped[list[ReviewSignoff]] = relationship(back_populates="review", order_by="ReviewSignoff.id")

    @property
    def pair(self) -> tuple[int, int]:
        return (self.first_function_id, self.second_function_id)

    @property
    def is_signed(self) -> bool:
        return self.state == SIGNED


class MetricNote(TimestampMixin, Base):
    """On an amber or red metric: its owner's explanation, or the partner's "what we need from you"."""

    __tablename__ = "business_review_note"
    __table_args__ = (UniqueConstraint("review_id", "metric_id", "kind", name="uq_business_review_note_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("business_review.id"), index=True)
    metric_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    agrees: Mapped[bool | None] = mapped_column(Boolean)  # the partner: does the owner's explanation hold?
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    review: Mapped[MonthlyReview] = relationship(back_populates="notes")
    author: Mapped[User] = relationship(lazy="joined")


class ReviewItem(TimestampMixin, Base):
    """A decision or an action of the meeting, each with one owner (an action also with a due date)."""

    __tablename__ = "business_review_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(KEY_MAX), unique=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("business_review.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    review: Mapped[MonthlyReview] = relationship(back_populates="items")
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")


class ReviewSignoff(Base):
    """One function's leader signed the review (one per function)."""

    __tablename__ = "business_review_signoff"
    __table_args__ = (UniqueConstraint("review_id", "function_id", name="uq_business_review_signoff_function"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("business_review.id"), index=True)
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    review: Mapped[MonthlyReview] = relationship(back_populates="signoffs")
    user: Mapped[User] = relationship(lazy="joined")


class AgendaAlert(TimestampMixin, Base):
    """A value past a threshold, waiting on the pair's next review (the first unsigned month from its period on)."""

    __tablename__ = "business_review_alert"
    __table_args__ = (UniqueConstraint("metric_id", "period", "status", name="uq_business_review_alert_crossing"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    metric_id: Mapped[int] = mapped_column(Integer, index=True)
    first_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"))
    second_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"))
    review_month: Mapped[str] = mapped_column(String(MONTH_LENGTH), index=True)
    period: Mapped[str] = mapped_column(String(PERIOD_LENGTH))
    value: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(8))
    trend: Mapped[str] = mapped_column(String(12), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

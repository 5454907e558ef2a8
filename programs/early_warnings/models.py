"""Early warnings between functions, their discussion threads, the settings, and the period-close reconciliation.

A warning's author is stored (points go to them), but pages show it only to the author and, when the author
chooses, to the receiving function. A variance records what the numbers showed; it links to the warnings that
foresaw it, never to a person.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import KEY_MAX, Base, UTCDateTime
from webapp.extensions import db
from webapp.people.models import Function, User

TITLE_MAX = 200
TEXT_MAX = 5000
DEFAULT_RESPONSE_DAYS = 2
DEFAULT_MATERIAL_PERCENT = 5.0
DEFAULT_MATERIAL_AMOUNT = 50000.0


class WarningStatus(StrEnum):
    DRAFT = "draft"
    RAISED = "raised"  # waiting for the receiving function's acknowledgement
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


class WarningKind(StrEnum):
    COST = "cost"
    DEMAND = "demand"
    CUSTOMER = "customer"
    SUPPLIER = "supplier"
    COMPETITION = "competition"
    OTHER = "other"


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Outcome(StrEnum):
    MATERIALISED = "materialised"
    SMALLER = "smaller"
    LARGER = "larger"
    AVOIDED = "avoided"  # a good catch, never a false alarm


OPEN_STATUSES = (WarningStatus.RAISED.value, WarningStatus.ACKNOWLEDGED.value)


class EarlyWarning(Base):
    """A warning from one function to another about an emerging problem and the period it will hit."""

    __tablename__ = "warnings_warning"
    __table_args__ = (
        Index("ix_warnings_warning_to_status", "to_function_id", "status"),
        Index("ix_warnings_warning_metric_period", "metric_id", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)  # None: the product
    from_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), index=True)
    to_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))
    impact_low: Mapped[float | None] = mapped_column(Float)  # None: raised by the product, or not estimated yet
    impact_high: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    period: Mapped[str] = mapped_column(String(7))  # "2026-07" or "2026-Q3" it will hit ("": a draft without one)
    confidence: Mapped[str] = mapped_column(String(8), default=Confidence.MEDIUM.value)
    help_needed: Mapped[str] = mapped_column(Text, default="")
    metric_id: Mapped[int | None] = mapped_column(Integer)  # the outcome metric it speaks to (webapp.metrics)
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)  # the author's name to the receiving function
    status: Mapped[str] = mapped_column(String(16), default=WarningStatus.DRAFT.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    raised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lead_time_days: Mapped[int | None] = mapped_column(Integer)  # from raising to the start of its period
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_step: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(16))
    actual_impact: Mapped[float | None] = mapped_column(Float)
    closing_note: Mapped[str] = mapped_column(Text, default="")
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)  # of the form that created it

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    from_function: Mapped[Function] = relationship(foreign_keys=[from_function_id])
    to_function: Mapped[Function] = relationship(foreign_keys=[to_function_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    comments: Mapped[list[WarningComment]] = relationship(
        back_populates="warning", cascade="all, delete-orphan", order_by="WarningComment.id")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def pair(self) -> tuple[int, int]:
        return (min(self.from_function_id, self.to_function_id), max(self.from_function_id, self.to_function_id))


class WarningComment(Base):
    """One message of a warning's thread, by someone of either function."""

    __tablename__ = "warnings_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warnings_warning.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)

    warning: Mapped[EarlyWarning] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()


class WarningPolicy(Base):
    """The admin's numbers (one row, id 1): response time in working days, and the materiality rule."""

    __tablename__ = "warnings_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_RESPONSE_DAYS)
    material_percent: Mapped[float] = mapped_column(Float, default=DEFAULT_MATERIAL_PERCENT)
    material_amount: Mapped[float] = mapped_column(Float, default=DEFAULT_MATERIAL_AMOUNT)


class Variance(Base):
    """A metric's value for a closed period against what was expected (its target, or the previous period)."""

    __tablename__ = "warnings_variance"
    __table_args__ = (UniqueConstraint("metric_id", "period", "function_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    metric_id: Mapped[int] = mapped_column(Integer)
    metric_name: Mapped[str] = mapped_column(String(TITLE_MAX))
    period: Mapped[str] = mapped_column(String(7), index=True)
    function_id: Mapped[int | None] = mapped_column(ForeignKey("function.id"))
    function_key: Mapped[int] = mapped_column(Integer, default=0)  # function_id or 0: unique also without one
    expected: Mapped[float] = mapped_column(Float)
    expected_from: Mapped[str] = mapped_column(String(16))  # "target" or "previous"
    actual: Mapped[float] = mapped_column(Float)
    material: Mapped[bool] = mapped_column(Boolean)
    reconciled_at: Mapped[datetime] = mapped_column(UTCDateTime())

    warnings: Mapped[list[EarlyWarning]] = relationship(
        secondary="warnings_variance_warning", order_by="EarlyWarning.id"
    )

    @property
    def surprise(self) -> bool:
        """A material variance nobody warned about."""
        return self.material and not self.warnings


variance_warning = db.Table(
    "warnings_variance_warning",
    db.Column("variance_id", ForeignKey("warnings_variance.id"), primary_key=True),
    db.Column("warning_id", ForeignKey("warnings_warning.id"), primary_key=True),
)

"""Trust pulse: templates and items, waves, anonymous responses, participation, business outcomes.

Anonymity lives in the schema: a response has a random id, the respondent's function and a
coarse tenure band, and no user id and no timestamp (its time is its wave). Who answered is in
trust_participation, which shares no column with the responses. The response tables are
WITHOUT ROWID on SQLite, so not even the storage order follows the order of answering.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import TimestampMixin, UTCDateTime
from webapp.extensions import db
from webapp.people.models import Function

NO_ROWID = {"sqlite_with_rowid": False}
AGREE5 = "agree5"  # 1 strongly disagree .. 5 strongly agree
NPS11 = "nps11"  # 0 .. 10, how likely to recommend working with them
SCALES = (AGREE5, NPS11)
AUDIENCE = "audience"
TARGET = "target"
MONTHLY = "monthly"
QUARTERLY = "quarterly"
ORGANISATION = "organisation"
PER_FUNCTION = "function"


class TrustTemplate(TimestampMixin, db.Model):
    """A questionnaire: items asked about each target function."""

    __tablename__ = "trust_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)

    items: Mapped[list[TrustItem]] = relationship(
        back_populates="template", order_by="TrustItem.position", cascade="all, delete-orphan"
    )


class TrustItem(db.Model):
    """One statement about the target function, with its dimension and scale."""

    __tablename__ = "trust_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("trust_template.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(String(300))
    dimension: Mapped[str] = mapped_column(String(40))
    reverse: Mapped[bool] = mapped_column(Boolean, default=False)
    scale: Mapped[str] = mapped_column(String(8), default=AGREE5)

    template: Mapped[TrustTemplate] = relationship(back_populates="items")


class TrustWave(TimestampMixin, db.Model):
    """One run of a template: dates, audience and target functions, and its anonymity thresholds."""

    __tablename__ = "trust_wave"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("trust_template.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(7), index=True)  # the quarter it closes in, "2026-Q3"
    min_group: Mapped[int] = mapped_column(SmallInteger, default=5)
    min_comment_group: Mapped[int] = mapped_column(SmallInteger, default=10)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the invitation went out (on opening)
    reminded_on: Mapped[date | None] = mapped_column(Date)  # the last reminder's day

    template: Mapped[TrustTemplate] = relationship()
    scopes: Mapped[list[TrustWaveFunction]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    def function_ids(self, role: str) -> set[int]:
        return {scope.function_id for scope in self.scopes if scope.role == role}

    def is_open_on(self, day: date) -> bool:
        return self.closed_at is None and self.opens_on <= day <= self.closes_on


class TrustWaveFunction(db.Model):
    """A function in a wave's audience (it answers) or among its targets (it is rated)."""

    __tablename__ = "trust_wave_function"

    wave_id: Mapped[int] = mapped_column(ForeignKey("trust_wave.id"), primary_key=True)
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(8), primary_key=True)

    function: Mapped[Function] = relationship(lazy="joined")


class TrustParticipation(db.Model):
    """That a person answered a wave (for "you have answered" and response rates), nothing more."""

    __tablename__ = "trust_participation"

    wave_id: Mapped[int] = mapped_column(ForeignKey("trust_wave.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), index=True)


class TrustResponse(db.Model):
    """One anonymous answer sheet: random id, the rater's function and a coarse tenure band."""

    __tablename__ = "trust_response"
    __table_args__ = NO_ROWID

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("trust_wave.id"), index=True)
    rater_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"))
    tenure: Mapped[str] = mapped_column(String(8))


class TrustAnswer(db.Model):
    """One item score of a response about one target function."""

    __tablename__ = "trust_answer"
    __table_args__ = NO_ROWID

    response_id: Mapped[str] = mapped_column(ForeignKey("trust_response.id"), primary_key=True)
    target_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("trust_item.id"), primary_key=True)
    score: Mapped[int] = mapped_column(SmallInteger)


class TrustComment(db.Model):
    """An optional comment about a target function; not linked to the response it came with."""

    __tablename__ = "trust_comment"
    __table_args__ = NO_ROWID

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("trust_wave.id"), index=True)
    rater_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"))
    target_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"))
    body: Mapped[str] = mapped_column(Text)


class TrustWaveResult(db.Model):
    """The computed (suppressed) reports of a closed wave, so the dashboard does not recompute them."""

    __tablename__ = "trust_wave_result"

    wave_id: Mapped[int] = mapped_column(ForeignKey("trust_wave.id"), primary_key=True)
    min_group: Mapped[int] = mapped_column(SmallInteger)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reports: Mapped[dict[str, Any]] = mapped_column(JSON)


class TrustMetric(TimestampMixin, db.Model):
    """A business outcome tracked beside the trust index (revenue, on-time delivery ...)."""

    __tablename__ = "trust_metric"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    unit: Mapped[str] = mapped_column(String(30), default="")
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    frequency: Mapped[str] = mapped_column(String(10), default=MONTHLY)
    scope: Mapped[str] = mapped_column(String(12), default=ORGANISATION)


class TrustMetricValue(db.Model):
    """One value of a metric for a period ("2025-07" or "2025-Q3"), for the organisation or one function."""

    __tablename__ = "trust_metric_value"
    __table_args__ = (UniqueConstraint("metric_id", "period", "function_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("trust_metric.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    function_id: Mapped[int | None] = mapped_column(ForeignKey("function.id"))
    function_key: Mapped[int] = mapped_column(Integer, default=0)  # function_id or 0: makes the unique key work
    value: Mapped[float] = mapped_column(Float)

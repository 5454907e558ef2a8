"""Trust pulse: templates and items, waves, anonymous responses, participation, business outcomes.

Anonymity lives in the schema and in how answers reach it. Threat model: someone who can read
the database - SQL access, a dump, a replica, a backup, the raw files and pages (SQLite's main
file and WAL, PostgreSQL's heap with its system columns xmin and ctid) - but not the
application's secret key, knows who works where (hire dates too) and wants to link a response
to the person who sent it.

- trust_participation says who answered a wave (response rates, "you have answered") and nothing
  of what they said. Its rows follow the order of answering (rowid, ctid, xmin): that is harmless
  only because nothing on the answer side follows that order.
- On submission the answers are not written as a response. They become one trust_pending_sheet
  row in the same transaction as the participation (so the two commit or fail together): a
  random id, the wave, and the sheet sealed with AES-GCM under a key derived from the secret key
  and padded to one length per wave (programs/trust/sealing.py). That row shares its transaction
  id, and its physical neighbourhood, with the participation, which is why it must be opaque:
  a reader learns "this person's sheet is this ciphertext of the usual length", nothing more.
- When the wave closes, one transaction (with no participation write in it) unseals every
  pending sheet of the wave, shuffles them (SystemRandom), inserts the responses, answers and
  comments in that shuffled order with fresh random ids, and deletes the pending rows. So every
  response of a wave shares the closing transaction's id, their ctid / cell order is a random
  permutation, ids are random, and no response carries a time finer than its wave. Responses
  are never written in smaller batches while the wave is open: a reader who saw two states (a
  backup, dead tuples, old WAL frames) could otherwise tell a small last batch by difference.
- What remains by design: a response names its rater function and a coarse tenure band; a
  reader who knows that a single person of a function and band answered can link that one sheet.
  Reports suppress such groups (anonymity.py, reporting.py); the storage adds no link beyond them.
- Not covered: someone holding both the database and the secret key while a wave is open (they
  can unseal pending sheets), and the web server's own memory or logs.

Rotating the secret key while a wave is open makes its pending sheets unreadable: set
TRUST_SEALING_KEY to keep the old key for them. The response tables are WITHOUT ROWID on SQLite
and keyed by random ids, so the storage order is the random key order.
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
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import KEY_MAX, Base, TimestampMixin, UTCDateTime
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


class TrustTemplate(TimestampMixin, Base):
    """A questionnaire: items asked about each target function."""

    __tablename__ = "trust_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)

    items: Mapped[list[TrustItem]] = relationship(
        back_populates="template", order_by="TrustItem.position", cascade="all, delete-orphan"
    )


class TrustItem(Base):
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


class TrustWave(TimestampMixin, Base):
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
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)  # of the create form

    template: Mapped[TrustTemplate] = relationship()
    scopes: Mapped[list[TrustWaveFunction]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    def function_ids(self, role: str) -> set[int]:
        return {scope.function_id for scope in self.scopes if scope.role == role}

    def is_open_on(self, day: date) -> bool:
        return self.closed_at is None and self.opens_on <= day <= self.closes_on


class TrustWaveFunction(Base):
    """A function in a wave's audience (it answers) or among its targets (it is rated)."""

    __tablename__ = "trust_wave_function"

    wave_id: Mapped[int] = mapped_column(ForeignKey("trust_wave.id"), primary_key=True)
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(8), primary_key=True)

    function: Mapped[Function] = relationship(lazy="joined")


class TrustParticipation(Base):
    """That a person answered a wave (for "you have answered" and response rates), nothing more."""

    __tablename__ = "trust_participation"

    wave_id: Mapped[int] = mapped_column(ForeignKey("trust_wave.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), index=True)


class TrustPendingSheet(Base):
    """An answer sheet sealed until its wave closes (see the module docstring): random id, wave, ciphertext."""

    __tablename__ = "trust_pending_sheet"
    __table_args__ = NO_ROWID

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("trust_wave.id"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class TrustResponse(Base):
    """One anonymous answer sheet, written when its wave closes: random id, rater function, coarse tenure band."""

    __tablename__ = "trust_response"
    __table_args__ = NO_ROWID

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("trust_wave.id"), index=True)
    rater_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"))
    tenure: Mapped[str] = mapped_column(String(8))


class TrustAnswer(Base):
    """One item score of a response about one target function."""

    __tablename__ = "trust_answer"
    __table_args__ = NO_ROWID

    response_id: Mapped[str] = mapped_column(ForeignKey("trust_response.id"), primary_key=True)
    target_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("trust_item.id"), primary_key=True)
    score: Mapped[int] = mapped_column(SmallInteger)


class TrustComment(Base):
    """An optional comment about a target function; not linked to the response it came with."""

    __tablename__ = "trust_comment"
    __table_args__ = NO_ROWID

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("trust_wave.id"), index=True)
    rater_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"))
    target_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"))
    body: Mapped[str] = mapped_column(Text)


class TrustWaveAudience(Base):
    """How many active people an audience function had when the wave closed: its response rate's
    denominator for good, so people joining or leaving later never change a past figure."""

    __tablename__ = "trust_wave_audience"

    wave_id: Mapped[int] = mapped_column(ForeignKey("trust_wave.id"), primary_key=True)
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), primary_key=True)
    people: Mapped[int] = mapped_column(Integer)


class TrustWaveResult(Base):
    """The computed (suppressed) reports of a closed wave, so the dashboard does not recompute them."""

    __tablename__ = "trust_wave_result"

    wave_id: Mapped[int] = mapped_column(ForeignKey("trust_wave.id"), primary_key=True)
    min_group: Mapped[int] = mapped_column(SmallInteger)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reports: Mapped[dict[str, Any]] = mapped_column(JSON)


class TrustMetric(TimestampMixin, Base):
    """A business outcome tracked beside the trust index (revenue, on-time delivery ...)."""

    __tablename__ = "trust_metric"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    unit: Mapped[str] = mapped_column(String(30), default="")
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    frequency: Mapped[str] = mapped_column(String(10), default=MONTHLY)
    scope: Mapped[str] = mapped_column(String(12), default=ORGANISATION)


class TrustMetricValue(Base):
    """One value of a metric for a period ("2025-07" or "2025-Q3"), for the organisation or one function."""

    __tablename__ = "trust_metric_value"
    __table_args__ = (UniqueConstraint("metric_id", "period", "function_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("trust_metric.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    function_id: Mapped[int | None] = mapped_column(ForeignKey("function.id"))
    function_key: Mapped[int] = mapped_column(Integer, default=0)  # function_id or 0: makes the unique key work
    value: Mapped[float] = mapped_column(Float)

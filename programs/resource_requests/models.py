"""Resource requests between two functions, the options answering them, their conditions, the decision and look-back."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, Float, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import KEY_MAX, Base, TimestampMixin, UTCDateTime
from webapp.people.models import Function, User

TITLE_MAX = 160
TEXT_MAX = 4000
CASE_MAX = 3000  # a one-page case
LABEL_MAX = 80
AMOUNT_MAX = Decimal(1000000000)  # per request or option, in its currency
DRIVER_MAX = 1e9


class RequestStatus(StrEnum):
    OPEN = "open"  # sent, waiting for the reviewing function's options
    ANSWERED = "answered"  # options given, the requester picks one
    PICKED = "picked"  # the requester picked, the reviewer confirms
    ESCALATED = "escalated"  # no agreement by the deadline: a leader decides
    DECIDED = "decided"
    CLOSED = "closed"  # the look-back is recorded by both sides


OPEN_STATUSES = (RequestStatus.OPEN, RequestStatus.ANSWERED, RequestStatus.PICKED, RequestStatus.ESCALATED)


class OptionKind(StrEnum):
    YES_IF = "yes_if"  # yes, on conditions
    ALTERNATIVE = "alternative"  # another way to meet the need
    NO = "no"  # a plain no


class LookbackResult(StrEnum):
    GOOD = "good"
    MIXED = "mixed"
    POOR = "poor"


class ResourceRequest(TimestampMixin, Base):
    """One function asks another for resources, on a template that says what the reviewer needs to know."""

    __tablename__ = "request_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    from_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), index=True)
    to_function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), index=True)
    need: Mapped[str] = mapped_column(Text)  # the need and why now
    impact: Mapped[str] = mapped_column(Text)  # the customer or operational impact
    cost_one_off: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    cost_monthly: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    deadline: Mapped[date] = mapped_column(Date, index=True)
    alternatives: Mapped[str] = mapped_column(Text)  # alternatives already considered
    expected_return: Mapped[str] = mapped_column(Text, default="")
    driver: Mapped[str] = mapped_column(String(LABEL_MAX))  # the what-if table's driver: "monthly orders"
    driver_value: Mapped[float] = mapped_column(Float)  # the driver's value the table shows now
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.OPEN.value, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)  # raised by every edit; an answer is for one version
    answered_version: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    picked_option_id: Mapped[int | None] = mapped_column(Integer)  # one of its current options (no FK: a cycle)
    picked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    pick_reasons: Mapped[str] = mapped_column(Text, default="")
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lookback_on: Mapped[date | None] = mapped_column(Date, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    from_function: Mapped[Function] = relationship(foreign_keys=[from_function_id])
    to_function: Mapped[Function] = relationship(foreign_keys=[to_function_id])
    picked_by: Mapped[User | None] = relationship(foreign_keys=[picked_by_id])
    options: Mapped[list[RequestOption]] = relationship(
        back_populates="request", foreign_keys="RequestOption.request_id", order_by="RequestOption.id")
    decisions: Mapped[list[Decision]] = relationship(back_populates="request", order_by="Decision.id")
    cases: Mapped[list[EscalationCase]] = relationship(back_populates="request", order_by="EscalationCase.id")
    lookbacks: Mapped[list[Lookback]] = relationship(back_populates="request", order_by="Lookback.id")
    edits: Mapped[list[WhatIfEdit]] = relationship(back_populates="request", order_by="WhatIfEdit.id")

    @property
    def function_ids(self) -> tuple[int, int]:
        return self.from_function_id, self.to_function_id

    @property
    def current_options(self) -> list[RequestOption]:
        """The options of the answer to this version (drafts included), not those of an earlier version."""
        return [option for option in self.options if option.version == self.version]

    @property
    def decision(self) -> Decision | None:
        """The decision in force (the latest one not reopened)."""
        return next((d for d in reversed(self.decisions) if d.reopened_at is None), None)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class RequestOption(TimestampMixin, Base):
    """One answer of the reviewing function: yes-if, an alternative or a plain no, with its modelled effect."""

    __tablename__ = "request_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request_request.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # the request version it answers
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(TITLE_MAX))
    fixed_monthly: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # cost per month regardless of the driver
    per_unit: Mapped[Decimal] = mapped_column(Numeric(14, 4))  # cost per month per unit of the driver
    capacity: Mapped[float | None] = mapped_column(Float)  # the largest driver value it serves (None: any)
    risk: Mapped[str] = mapped_column(Text, default="")
    look_again_on: Mapped[date | None] = mapped_column(Date)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)

    request: Mapped[ResourceRequest] = relationship(back_populates="options", foreign_keys=[request_id])
    author: Mapped[User] = relationship()
    conditions: Mapped[list[Condition]] = relationship(back_populates="option", order_by="Condition.review_on")


class Condition(TimestampMixin, Base):
    """The "if" of an option, as data: a driver compared with a threshold by a review date, tracked against actuals."""

    __tablename__ = "request_condition"

    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("request_option.id"), index=True)
    driver: Mapped[str] = mapped_column(String(LABEL_MAX))
    metric_id: Mapped[int | None] = mapped_column(Integer)  # an outcome metric of webapp.metrics, when linked
    comparison: Mapped[str] = mapped_column(String(2))
    threshold: Mapped[float] = mapped_column(Float)
    review_on: Mapped[date] = mapped_column(Date, index=True)
    actual: Mapped[float | None] = mapped_column(Float)
    actual_source: Mapped[str] = mapped_column(String(16), default="")  # "metric 2026-03" or "by hand"
    actual_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actual_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    held: Mapped[bool | None] = mapped_column()
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)

    option: Mapped[RequestOption] = relationship(back_populates="conditions")
    actual_by: Mapped[User | None] = relationship()


class WhatIfEdit(Base):
    """One change of the what-if table's driver value, by its author (both sides see who moved the number)."""

    __tablename__ = "request_whatif_edit"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request_request.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    before: Mapped[float] = mapped_column(Float)
    after: Mapped[float] = mapped_column(Float)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime())

    request: Mapped[ResourceRequest] = relationship(back_populates="edits")
    author: Mapped[User] = relationship()


class Decision(Base):
    """The decision: the option, who picked and confirmed (or the leader who broke the tie), who was consulted, why."""

    __tablename__ = "request_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request_request.id"), index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("request_option.id"))
    picked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))  # the confirming reviewer or leader
    by_leader: Mapped[bool] = mapped_column(default=False)
    consulted: Mapped[str] = mapped_column(Text, default="")  # names, comma-separated, as they were then
    options_summary: Mapped[str] = mapped_column(Text)  # the options on the table, as they were then
    reasons: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reopen_reason: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[ResourceRequest] = relationship(back_populates="decisions")
    option: Mapped[RequestOption] = relationship()
    picked_by: Mapped[User | None] = relationship(foreign_keys=[picked_by_id])
    decided_by: Mapped[User] = relationship(foreign_keys=[decided_by_id])


class EscalationCase(TimestampMixin, Base):
    """One side's one-page case for the leaders of an escalated request."""

    __tablename__ = "request_case"
    __table_args__ = (UniqueConstraint("request_id", "function_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request_request.id"))
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)

    request: Mapped[ResourceRequest] = relationship(back_populates="cases")
    function: Mapped[Function] = relationship()
    author: Mapped[User] = relationship()


class Lookback(TimestampMixin, Base):
    """One side's answer at the look-back date: did the funded option deliver?"""

    __tablename__ = "request_lookback"
    __table_args__ = (UniqueConstraint("request_id", "function_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request_request.id"))
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    result: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(Text)

    request: Mapped[ResourceRequest] = relationship(back_populates="lookbacks")
    function: Mapped[Function] = relationship()
    author: Mapped[User] = relationship()


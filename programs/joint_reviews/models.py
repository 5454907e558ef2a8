"""Joint problem-solving reviews: participants, each function's timeline, findings, actions and sign-offs."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import KEY_MAX, Base, TimestampMixin, UTCDateTime
from webapp.people.models import User

TITLE_MAX = 200
TOPIC_MAX = 80
TEXT_MAX = 2000
LINK_MAX = 300


class ReviewKind(StrEnum):
    INCIDENT = "incident"
    MISSED_TARGET = "missed_target"
    ESCALATION = "escalation"
    BUDGET_OVERRUN = "budget_overrun"


class ReviewStatus(StrEnum):
    OPEN = "open"  # being written; sign-offs are collected
    SIGNED = "signed"  # every function signed it off; open until its actions are done
    RESOLVED = "resolved"  # signed, and every action is done


class FactorTag(StrEnum):
    PROCESS = "process"
    DATA = "data"
    COMMUNICATION = "communication"
    INCENTIVES = "incentives"
    CAPACITY = "capacity"


class FindingKind(StrEnum):
    FACTOR = "factor"  # a contributing factor, tagged
    WENT_WELL = "went_well"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class Review(TimestampMixin, Base):
    """A blameless review of something that went wrong, written together by two or more functions."""

    __tablename__ = "reviews_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    kind: Mapped[str] = mapped_column(String(16))
    happened_on: Mapped[date] = mapped_column(Date)
    quarter: Mapped[str] = mapped_column(String(7), index=True)  # the quarter of happened_on
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.OPEN.value, index=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    nudges_dismissed: Mapped[int] = mapped_column(Integer, default=0)  # per review, never per person
    linked_kind: Mapped[str | None] = mapped_column(String(20))  # an earlier record of the pair (a warning)
    linked_id: Mapped[int | None] = mapped_column(Integer)
    linked_title: Mapped[str | None] = mapped_column(String(TITLE_MAX))
    linked_url: Mapped[str | None] = mapped_column(String(LINK_MAX))
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)

    opened_by: Mapped[User] = relationship()
    participants: Mapped[list[Participant]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Participant.user_id")
    entries: Mapped[list[TimelineEntry]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="TimelineEntry.at")
    findings: Mapped[list[Finding]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Finding.id")
    actions: Mapped[list[Action]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Action.due_on")
    sign_offs: Mapped[list[SignOff]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="SignOff.signed_at")

    def participant(self, user: User) -> Participant | None:
        return next((p for p in self.participants if p.user_id == user.id), None)

    @property
    def function_ids(self) -> list[int]:
        return sorted({p.function_id for p in self.participants})

    @property
    def signed_function_ids(self) -> set[int]:
        return {s.function_id for s in self.sign_offs}

    @property
    def is_open(self) -> bool:
        """A review stays open until it is signed and its actions are done."""
        return self.status != ReviewStatus.RESOLVED.value


class Participant(Base):
    """A person taking part, with the function they speak for (kept if they later move)."""

    __tablename__ = "reviews_participant"
    __table_args__ = (Index("ix_reviews_participant_function_id_review_id", "function_id", "review_id"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews_review.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"))

    review: Mapped[Review] = relationship(back_populates="participants")
    user: Mapped[User] = relationship(lazy="joined")


class TimelineEntry(Base):
    """One moment in one function's own account of what happened."""

    __tablename__ = "reviews_timeline_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews_review.id"), index=True)
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    topic: Mapped[str] = mapped_column(String(TOPIC_MAX))
    text: Mapped[str] = mapped_column(Text, default="")
    nudge_dismissed: Mapped[bool] = mapped_column(Boolean, default=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)

    review: Mapped[Review] = relationship(back_populates="entries")


class Finding(Base):
    """A contributing factor (tagged) or something that went well."""

    __tablename__ = "reviews_finding"
    __table_args__ = (Index("ix_reviews_finding_tag_review_id", "tag", "review_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews_review.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    tag: Mapped[str | None] = mapped_column(String(16))  # FactorTag, for a factor
    text: Mapped[str] = mapped_column(Text)
    nudge_dismissed: Mapped[bool] = mapped_column(Boolean, default=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)

    review: Mapped[Review] = relationship(back_populates="findings")


class Action(TimestampMixin, Base):
    """Something to change, with one owner and a due date."""

    __tablename__ = "reviews_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews_review.id"), index=True)
    description: Mapped[str] = mapped_column(String(TITLE_MAX * 2))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.OPEN.value)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)

    review: Mapped[Review] = relationship(back_populates="actions")
    owner: Mapped[User] = relationship()

    @property
    def is_done(self) -> bool:
        return self.status == ActionStatus.DONE.value


class SignOff(Base):
    """One participant's "yes, this account is fair to my team", one per function."""

    __tablename__ = "reviews_sign_off"
    __table_args__ = (UniqueConstraint("review_id", "function_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews_review.id"))
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    review: Mapped[Review] = relationship(back_populates="sign_offs")
    user: Mapped[User] = relationship()

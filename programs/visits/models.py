"""Accounts, joint customer visits, their attendees, notes, learnings and follow-ups."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import KEY_MAX, Base, TimestampMixin, UTCDateTime
from webapp.people.models import User

ACCOUNT_NAME_MAX = 120
LABEL_MAX = 60
PURPOSE_MAX = 200
TEXT_MAX = 5000
TAG_MAX = 40
DEFAULT_BACKDATE_DAYS = 90
DEFAULT_PAIR_MONTHLY_CAP = 4


class VisitStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class VisitMode(StrEnum):
    ON_SITE = "on_site"
    VIRTUAL = "virtual"


class FollowUpStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


OPEN_FOLLOW_UP_STATUSES = (FollowUpStatus.OPEN.value, FollowUpStatus.IN_PROGRESS.value)


class Account(TimestampMixin, Base):
    """A customer: name, segment, region and the person who owns the relationship."""

    __tablename__ = "visits_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(ACCOUNT_NAME_MAX), unique=True)
    segment: Mapped[str] = mapped_column(String(LABEL_MAX), default="")
    region: Mapped[str] = mapped_column(String(LABEL_MAX), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)

    owner: Mapped[User | None] = relationship()


class Visit(TimestampMixin, Base):
    """A customer visit, planned or held; joint when its attendees come from two or more functions."""

    __tablename__ = "visits_visit"
    __table_args__ = (
        # coverage: per account (and never-joint probes), and across accounts in a date window
        Index("ix_visits_visit_account_id_status", "account_id", "status", "is_joint", "visit_on"),
        Index("ix_visits_visit_visit_on_status", "visit_on", "status", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("visits_account.id"))
    visit_on: Mapped[date] = mapped_column(Date)
    quarter: Mapped[str] = mapped_column(String(7), index=True)  # "2026-Q4", the period of visit_on
    mode: Mapped[str] = mapped_column(String(16), default=VisitMode.ON_SITE.value)
    purpose: Mapped[str] = mapped_column(String(PURPOSE_MAX))
    agenda: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=VisitStatus.PLANNED.value)
    is_joint: Mapped[bool] = mapped_column(Boolean, default=False)
    internal_only: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(Text, default="")
    sentiment: Mapped[int | None] = mapped_column(Integer)
    planned_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # who logged it as held
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)  # of the form that created it
    earned_points: Mapped[bool] = mapped_column(Boolean, default=False)  # visit_confirmed was sent (within the cap)

    account: Mapped[Account] = relationship()
    planned_by: Mapped[User] = relationship(foreign_keys=[planned_by_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    attendees: Mapped[list[VisitAttendee]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitAttendee.user_id"
    )
    contacts: Mapped[list[CustomerContact]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="CustomerContact.id"
    )
    notes: Mapped[list[FunctionNote]] = relationship(back_populates="visit", cascade="all, delete-orphan")
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="FollowUp.due_on"
    )

    def attendee(self, user: User) -> VisitAttendee | None:
        """user's attendance on this visit, or None."""
        return next((a for a in self.attendees if a.user_id == user.id), None)

    @property
    def function_ids(self) -> set[int]:
        return {a.function_id for a in self.attendees if a.function_id is not None}

    @property
    def confirmed_without_points(self) -> bool:
        """Confirmed beyond its pair's monthly cap, so it earned no points."""
        return self.confirmed_at is not None and not self.earned_points


class VisitAttendee(Base):
    """An internal attendee, with the function they represented (kept if they later move)."""

    __tablename__ = "visits_attendee"
    __table_args__ = (Index("ix_visits_attendee_visit_id_function_id", "visit_id", "function_id"),)

    visit_id: Mapped[int] = mapped_column(ForeignKey("visits_visit.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)
    function_id: Mapped[int | None] = mapped_column(ForeignKey("function.id"))

    visit: Mapped[Visit] = relationship(back_populates="attendees")
    user: Mapped[User] = relationship(lazy="joined")


class CustomerContact(Base):
    """One of the customer's people at the visit, as free text."""

    __tablename__ = "visits_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits_visit.id"), index=True)
    name: Mapped[str] = mapped_column(String(LABEL_MAX * 2))
    role: Mapped[str] = mapped_column(String(LABEL_MAX * 2), default="")

    visit: Mapped[Visit] = relationship(back_populates="contacts")


class FunctionNote(Base):
    """One function's side of a visit, written only by attendees of that function; tagged with learnings."""

    __tablename__ = "visits_function_note"
    __table_args__ = (UniqueConstraint("visit_id", "function_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits_visit.id"))
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    last_edited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    visit: Mapped[Visit] = relationship(back_populates="notes")
    last_edited_by: Mapped[User] = relationship()
    learnings: Mapped[list[Learning]] = relationship(
        back_populates="note", cascade="all, delete-orphan", order_by="Learning.tag"
    )
    revisions: Mapped[list[NoteRevision]] = relationship(
        back_populates="note", cascade="all, delete-orphan", order_by="NoteRevision.id"
    )


class NoteRevision(Base):
    """One saved version of a function's note: who wrote it, when, the text and the tags."""

    __tablename__ = "visits_note_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("visits_function_note.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(Text, default="")  # comma-separated, in the order given
    edited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime())

    note: Mapped[FunctionNote] = relationship(back_populates="revisions")
    edited_by: Mapped[User] = relationship()


class Learning(Base):
    """A learning tag on a function's note (tag counts by function and period come from here)."""

    __tablename__ = "visits_learning"
    __table_args__ = (UniqueConstraint("note_id", "tag"), Index("ix_visits_learning_tag_note_id", "tag", "note_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("visits_function_note.id"))
    tag: Mapped[str] = mapped_column(String(TAG_MAX))

    note: Mapped[FunctionNote] = relationship(back_populates="learnings")


class FollowUp(TimestampMixin, Base):
    """Something to do after a visit: an owner, or one owner per function when it needs both."""

    __tablename__ = "visits_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits_visit.id"), index=True)
    description: Mapped[str] = mapped_column(String(PURPOSE_MAX * 2))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    partner_owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=FollowUpStatus.OPEN.value)
    outcome: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)  # of the form that created it

    visit: Mapped[Visit] = relationship(back_populates="follow_ups")
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    partner_owner: Mapped[User | None] = relationship(foreign_keys=[partner_owner_id])

    @property
    def owner_ids(self) -> set[int]:
        return {self.owner_id} | ({self.partner_owner_id} if self.partner_owner_id else set())

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_FOLLOW_UP_STATUSES


class VisitPolicy(Base):
    """The admin's numbers for visits (one row, id 1): how far back a visit may be logged, the pair's points cap."""

    __tablename__ = "visits_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    backdate_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_BACKDATE_DAYS)
    pair_monthly_cap: Mapped[int] = mapped_column(Integer, default=DEFAULT_PAIR_MONTHLY_CAP)


class PendingAccountImport(TimestampMixin, Base):
    """An uploaded accounts CSV waiting for its uploader's confirmation."""

    __tablename__ = "visits_pending_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

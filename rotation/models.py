"""Rotation programs, cohorts, openings, applications, host rankings, draft matches and placements."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import KEY_MAX, Base, TimestampMixin, UTCDateTime
from webapp.people.models import Function, Team, User

TITLE_MAX = 120
TEXT_MAX = 4000
MAX_CHOICES = 5
FULL_TIME = 100



class ApplicationStatus(StrEnum):
    """Where an application stands: submitted, then approved or declined by the home manager, or withdrawn."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class PlacementStatus(StrEnum):
    """The stored status of a placement: an offer answered, lapsed or withdrawn, then completed."""

    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class PlacementPhase(StrEnum):
    """The states of an accepted placement that follow from the dates (never stored; see Placement.state)."""

    ACTIVE = "active"
    ENDED = "ended"


HOLDS_SEAT = (PlacementStatus.OFFERED.value, PlacementStatus.ACCEPTED.value, PlacementStatus.COMPLETED.value)
TAKEN = (PlacementStatus.ACCEPTED.value, PlacementStatus.COMPLETED.value)  # offers accepted, whatever came after

program_host_function = Table(
    "rotation_program_host_function", Base.metadata,
    Column("program_id", ForeignKey("rotation_program.id"), primary_key=True),
    Column("function_id", ForeignKey("function.id"), primary_key=True),
)
program_eligible_function = Table(
    "rotation_program_eligible_function", Base.metadata,
    Column("program_id", ForeignKey("rotation_program.id"), primary_key=True),
    Column("function_id", ForeignKey("function.id"), primary_key=True),
)


class RotationPolicy(Base):
    """The rotation numbers an admin may change (one row): decision grace, sign-off window, nudges, page size."""

    __tablename__ = "rotation_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_grace_days: Mapped[int] = mapped_column(Integer, default=3)
    sign_off_opens_days: Mapped[int] = mapped_column(Integer, default=14)
    nudge_every_days: Mapped[int] = mapped_column(Integer, default=7)
    match_page_size: Mapped[int] = mapped_column(Integer, default=50)


class Program(TimestampMixin, Base):
    """A rotation program run by HR: who hosts, who may apply, for how long and how much of the week."""

    __tablename__ = "rotation_program"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(TITLE_MAX), unique=True)
    purpose: Mapped[str] = mapped_column(Text, default="")
    duration_weeks: Mapped[int] = mapped_column(Integer)
    time_share_percent: Mapped[int] = mapped_column(Integer, default=FULL_TIME)
    min_tenure_months: Mapped[int] = mapped_column(Integer, default=0)
    release_cap_percent: Mapped[int] = mapped_column(Integer, default=20)
    offer_days: Mapped[int] = mapped_column(Integer, default=7)
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)

    host_functions: Mapped[list[Function]] = relationship(secondary=program_host_function, order_by=Function.name)
    eligible_functions: Mapped[list[Function]] = relationship(
        secondary=program_eligible_function, order_by=Function.name
    )
    cohorts: Mapped[list[Cohort]] = relationship(back_populates="program", order_by="Cohort.starts_on.desc()")


class Cohort(TimestampMixin, Base):
    """One intake of a program, with its application window, matching date and rotation period."""

    __tablename__ = "rotation_cohort"
    __table_args__ = (
        CheckConstraint("applications_open_on <= applications_close_on", name="window_order"),
        CheckConstraint("applications_close_on <= matching_on", name="matching_after_window"),
        CheckConstraint("matching_on < starts_on", name="start_after_matching"),
        CheckConstraint("starts_on < ends_on", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("rotation_program.id"), index=True)
    name: Mapped[str] = mapped_column(String(TITLE_MAX))
    applications_open_on: Mapped[date] = mapped_column(Date)
    applications_close_on: Mapped[date] = mapped_column(Date)
    matching_on: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    match_rounds: Mapped[int] = mapped_column(Integer, default=0)
    closed_early_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)

    program: Mapped[Program] = relationship(back_populates="cohorts")
    openings: Mapped[list[Opening]] = relationship(back_populates="cohort", order_by="Opening.title")

    @property
    def midpoint(self) -> date:
        return self.starts_on + (self.ends_on - self.starts_on) / 2

    def window_is_open(self, today: date) -> bool:
        return self.closed_early_at is None and self.applications_open_on <= today <= self.applications_close_on

    def applications_closed(self, today: date) -> bool:
        """True once the window has passed, or HR closed it early."""
        return self.closed_early_at is not None or today > self.applications_close_on


class Opening(TimestampMixin, Base):
    """Seats a host manager offers in a cohort, with a host mentor."""

    __tablename__ = "rotation_opening"
    __table_args__ = (CheckConstraint("capacity >= 1", name="capacity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("rotation_cohort.id"), index=True)
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), index=True)
    host_manager_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    activities: Mapped[str] = mapped_column(Text)
    learning: Mapped[str] = mapped_column(Text)
    skills: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    time_share_percent: Mapped[int] = mapped_column(Integer, default=FULL_TIME)
    ranked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # once set, unranked = not acceptable
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)

    cohort: Mapped[Cohort] = relationship(back_populates="openings")
    function: Mapped[Function] = relationship()
    host_manager: Mapped[User] = relationship(foreign_keys=[host_manager_id])
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])

    def is_hosted_by(self, user: User) -> bool:
        return user.id in (self.host_manager_id, self.mentor_id)


class Application(TimestampMixin, Base):
    """One person's application to one cohort: ranked openings, statement, goals, the home decision."""

    __tablename__ = "rotation_application"
    __table_args__ = (UniqueConstraint("cohort_id", "applicant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("rotation_cohort.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    home_manager_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    home_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    statement: Mapped[str] = mapped_column(Text)
    learning_goals: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=ApplicationStatus.SUBMITTED.value)
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    cohort: Mapped[Cohort] = relationship()
    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    home_manager: Mapped[User] = relationship(foreign_keys=[home_manager_id])
    home_team: Mapped[Team | None] = relationship()
    choices: Mapped[list[Choice]] = relationship(
        back_populates="application", order_by="Choice.rank", cascade="all, delete-orphan"
    )


class Choice(Base):
    """An opening an applicant chose, at its rank (1 is the first choice)."""

    __tablename__ = "rotation_choice"
    __table_args__ = (UniqueConstraint("application_id", "opening_id"),)

    application_id: Mapped[int] = mapped_column(ForeignKey("rotation_application.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("rotation_opening.id"), index=True)

    application: Mapped[Application] = relationship(back_populates="choices")
    opening: Mapped[Opening] = relationship()


class HostRank(Base):
    """A host mentor's rank of one applicant to their opening (1 is the most wanted)."""

    __tablename__ = "rotation_host_rank"

    opening_id: Mapped[int] = mapped_column(ForeignKey("rotation_opening.id"), primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("rotation_application.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)


class DraftMatch(Base):
    """HR's preview of a match run (one row per applicant in the run), adjustable before it is published."""

    __tablename__ = "rotation_draft_match"

    application_id: Mapped[int] = mapped_column(ForeignKey("rotation_application.id"), primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("rotation_cohort.id"), index=True)
    opening_id: Mapped[int | None] = mapped_column(ForeignKey("rotation_opening.id"))
    adjusted: Mapped[bool] = mapped_column(default=False)
    override_reason: Mapped[str | None] = mapped_column(Text)  # why HR moved them off their list or the host's


class Placement(TimestampMixin, Base):
    """A published match: an offer, then the rotation itself, its check-ins and its three sign-offs."""

    __tablename__ = "rotation_placement"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("rotation_application.id"), index=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("rotation_opening.id"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    nudged_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=PlacementStatus.OFFERED.value)
    respond_by: Mapped[date] = mapped_column(Date)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reflection: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    reflected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    host_feedback: Mapped[str | None] = mapped_column(Text)
    host_feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    home_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship()
    opening: Mapped[Opening] = relationship()
    check_ins: Mapped[list[CheckIn]] = relationship(back_populates="placement", order_by="CheckIn.author")

    def state(self, today: date) -> str:
        """The status; an accepted placement is active from its cohort's start, ended (sign-offs pending) after
        its end, and a late offer expired."""
        if self.status == PlacementStatus.ACCEPTED and today > self.opening.cohort.ends_on:
            return PlacementPhase.ENDED.value
        if self.status == PlacementStatus.ACCEPTED and today >= self.opening.cohort.starts_on:
            return PlacementPhase.ACTIVE.value
        if self.status == PlacementStatus.OFFERED and today > self.respond_by:
            return PlacementStatus.EXPIRED.value
        return self.status


class CheckIn(TimestampMixin, Base):
    """The mid-point check-in of the rotator or of the host mentor."""

    __tablename__ = "rotation_check_in"
    __table_args__ = (UniqueConstraint("placement_id", "author"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("rotation_placement.id"), index=True)
    author: Mapped[str] = mapped_column(String(8))  # rotator or host
    progress: Mapped[str] = mapped_column(Text)
    surprise: Mapped[str] = mapped_column(Text)

    placement: Mapped[Placement] = relationship(back_populates="check_ins")

"""Functions (departments), teams, people and their roles."""
from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.db import Base, TimestampMixin, UTCDateTime
from webapp.roles import Role, effective_roles

NAME_MAX = 120
EMAIL_MAX = 254


class Function(TimestampMixin, Base):
    """A department such as Finance or Operations."""

    __tablename__ = "function"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    colour: Mapped[str] = mapped_column(String(7), default="#6c757d")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    teams: Mapped[list[Team]] = relationship(back_populates="function", order_by="Team.name")

    def __repr__(self) -> str:
        return f"<Function {self.code}>"


class Team(TimestampMixin, Base):
    """A team inside one function, optionally led by a manager."""

    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("function_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    function_id: Mapped[int] = mapped_column(ForeignKey("function.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", use_alter=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    function: Mapped[Function] = relationship(back_populates="teams")
    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id], post_update=True)

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class User(UserMixin, TimestampMixin, Base):
    """A person in the organisation; deactivated, never deleted."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), index=True)
    job_title: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    password_hash: Mapped[str | None] = mapped_column(Text)
    function_id: Mapped[int | None] = mapped_column(ForeignKey("function.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    hired_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    function: Mapped[Function | None] = relationship(lazy="joined")
    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])
    manager: Mapped[User | None] = relationship(remote_side=[id], foreign_keys=[manager_id])
    role_grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # --- flask-login ---
    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """Session id carries a version, so a password change signs out other sessions."""
        return f"{self.id}:{self.session_version}"

    # --- passwords ---
    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    # --- roles ---
    @property
    def roles(self) -> frozenset[Role]:
        return frozenset({Role.EMPLOYEE, *(Role(g.role) for g in self.role_grants)})

    def has_role(self, *roles: Role) -> bool:
        """Whether this person holds, or is implied to hold (an admin: HR), any of roles."""
        return bool(effective_roles(self.roles).intersection(roles))

    def set_roles(self, roles: Collection[Role]) -> None:
        """Grant exactly these roles (employee is implicit)."""
        wanted = {r for r in roles if r != Role.EMPLOYEE}
        self.role_grants = [g for g in self.role_grants if Role(g.role) in wanted]
        held = {Role(g.role) for g in self.role_grants}
        self.role_grants.extend(RoleGrant(role=r.value) for r in sorted(wanted - held))

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(Base):
    """One stint of one person: active in a function (or in none) from started_on until the day before ended_on.

    The history of who belonged where, so a past period's figures use the organisation as it was then.
    Dates are the organisation's days; an open stint (ended_on None) is the person's present. An inactive
    person has no open stint. Written by webapp.people.services.record_membership, never changed after
    it is closed.
    """

    __tablename__ = "membership"
    __table_args__ = (Index("ix_membership_function_id_started_on", "function_id", "started_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    function_id: Mapped[int | None] = mapped_column(ForeignKey("function.id"))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)

    def __repr__(self) -> str:
        return f"<Membership {self.user_id} in {self.function_id} {self.started_on}..{self.ended_on}>"


class RoleGrant(Base):
    """One granted role of one person."""

    __tablename__ = "role_grant"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_grants")


class PendingImport(TimestampMixin, Base):
    """An uploaded people CSV waiting for confirmation (kept in the database, so any app server can confirm it)."""

    __tablename__ = "pending_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # None: command line
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

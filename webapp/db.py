"""Declarative base with a constraint naming convention, shared mixins, and rows_changed for UPDATE and DELETE."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, DateTime, MetaData, TypeDecorator, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, scoped_session
from sqlalchemy.sql.dml import UpdateBase

from webapp import clock

KEY_MAX = 64  # length of a create form's idempotency key column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware (also from SQLite)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of every model (`db.metadata` is its metadata: webapp.extensions passes it to Flask-SQLAlchemy)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def rows_changed(session: scoped_session[Any], statement: UpdateBase) -> int:
    """Run an UPDATE or DELETE in the session and return how many rows it changed."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount  # DML through a session: a CursorResult


class TimestampMixin:
    """A created_at column in UTC."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys, and let readers and a writer work at once (WAL)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def locked(model: Any, row_id: int) -> Any:
    """The row, locked until commit (FOR UPDATE) and re-read, so a concurrent change is seen and never overwritten."""
    from webapp.extensions import db  # webapp.extensions imports this module

    query = select(model).where(model.id == row_id).with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(query).one()

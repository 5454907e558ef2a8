"""Keyset paging: a list shows `size` items and a "more" link while one more exists (it reads size + 1).

Each list's query orders its rows and starts after the last item shown (the cursor); this only cuts the page.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select

from webapp.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """The items of one page, and whether more follow."""

    items: list[T]
    has_more: bool

    @classmethod
    def cut(cls, rows: Sequence[T], size: int) -> Page[T]:
        """From up to size + 1 rows read: the first size, and whether one more was there."""
        return cls(list(rows[:size]), len(rows) > size)


def page_of_objects(statement: Select, size: int) -> Page[Any]:
    """One page of an ORM select of one entity (unique(): joined eager loads repeat rows)."""
    return Page.cut(db.session.scalars(statement.limit(size + 1)).unique().all(), size)


def page_of_rows(statement: Select, size: int) -> Page[Any]:
    """One page of a select of columns, as result rows."""
    return Page.cut(db.session.execute(statement.limit(size + 1)).all(), size)

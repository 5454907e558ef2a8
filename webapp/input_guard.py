"""Hostile input stops at the door: text with NUL characters and integers the database cannot hold get a 400.

PostgreSQL refuses NUL in text, every id column is a 32-bit INTEGER on PostgreSQL, and SQLite overflows
beyond 64 bits, so a request carrying such values would end in a 500 deep inside a view. One
before_request check answers them first with a message:
- NUL anywhere (path, query, form fields, file names, JSON);
- an integer beyond 64 bits anywhere;
- an integer beyond MAX_ID in the query string (ids, keyset cursors, pages) and in form fields named like
  ids (`id`, `*_id`, `*_ids`).
The int URL converter is bounded to MAX_ID too: a larger id in a path is simply not found (404).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER: the type of every id column
MAX_BIG_INT = 2**63 - 1  # the widest integer either database holds
_INTEGER = re.compile(r"[+-]?[0-9]+")
_ID_FIELD = re.compile(r"(^|_)ids?$")
NUL_MESSAGE = "The request contains a NUL character (\\0), which text cannot hold. Remove it and try again."


class BoundedIntConverter(IntegerConverter):
    """The "int" URL converter, bounded to what an id column can store: a larger id is simply not found."""

    def __init__(self, map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def is_plain_digits(text: str) -> bool:
    """Only ASCII digits: what int() accepts without surprises (str.isdigit also accepts "²", which int() refuses)."""
    return text.isascii() and text.isdigit()


def exceeds(text: str, bound: int) -> bool:
    """True for an integer literal (ASCII digits, optional sign) whose size is beyond bound."""
    text = text.strip()
    if not _INTEGER.fullmatch(text):
        return False
    digits = text.lstrip("+-").lstrip("0")
    return len(digits) > len(str(bound)) or int(digits or "0") > bound


def parse_id(text: str | None) -> int | None:
    """An id from a query or form value: a positive integer an id column can hold, else None."""
    text = (text or "").strip()
    if not is_plain_digits(text) or exceeds(text, MAX_ID):
        return None
    return int(text) or None


def parse_ids(values: list[str]) -> list[int]:
    """The valid ids among values (see parse_id), in order, without repeats."""
    return list(dict.fromkeys(i for i in map(parse_id, values) if i is not None))


def refuse_hostile_input() -> None:
    """before_request: a 400 with a message for NUL characters or integers too large for the database."""
    for value, bound in _request_values():
        if "\x00" in value:
            abort(400, description=NUL_MESSAGE)
        if exceeds(value, bound):
            abort(400, description=f"A number in the request is too large (at most {bound:,}).")


def _request_values() -> Iterator[tuple[str, int]]:
    """Every name and text value the request carries, each with the largest integer it may be."""
    yield request.path, MAX_BIG_INT
    yield from ((v, MAX_BIG_INT) for v in (request.view_args or {}).values() if isinstance(v, str))
    for name, value in request.args.items(multi=True):
        yield name, MAX_BIG_INT
        yield value, MAX_ID
    for name, value in request.form.items(multi=True):
        yield name, MAX_BIG_INT
        yield value, MAX_ID if _ID_FIELD.search(name) else MAX_BIG_INT
    for name, upload in request.files.items(multi=True):
        yield name, MAX_BIG_INT
        yield upload.filename or "", MAX_BIG_INT
    if request.is_json:
        yield from ((text, MAX_BIG_INT) for text in _json_strings(request.get_json(silent=True)))


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)
    elif isinstance(value, int) and not isinstance(value, bool):
        yield str(value)

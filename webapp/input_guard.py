"""Hostile input stops at the door: text with NUL characters and integers beyond 64 bits get a clear 400.

PostgreSQL refuses NUL in text and both databases overflow on integers beyond 64 bits, so a request
carrying either would end in a 500 deep inside a view. One before_request check over every query
argument, form field, JSON value and path value answers them first; the int URL converter bounds ids
in paths (a 404, as for any id that does not exist).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import abort, request
from werkzeug.routing import IntegerConverter

MAX_DATABASE_INT = 2**63 - 1
_INTEGER = re.compile(r"[+-]?[0-9]+")
NUL_MESSAGE = "The request contains a NUL character (\\0), which text cannot hold. Remove it and try again."
TOO_LARGE_MESSAGE = f"A number in the request is too large (at most {MAX_DATABASE_INT:,})."


class BoundedIntConverter(IntegerConverter):
    """The "int" URL converter, bounded to what the database can store: a larger id is simply not found."""

    def __init__(self, map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_DATABASE_INT)
        super().__init__(map, *args, **kwargs)


def is_too_large_integer(text: str) -> bool:
    """True for an integer literal (ASCII digits, optional sign) beyond a signed 64-bit column."""
    text = text.strip()
    if not _INTEGER.fullmatch(text):
        return False
    digits = text.lstrip("+-").lstrip("0")
    return len(digits) > len(str(MAX_DATABASE_INT)) or int(digits or "0") > MAX_DATABASE_INT


def is_plain_digits(text: str) -> bool:
    """Only ASCII digits: what int() accepts without surprises (str.isdigit also accepts "²", which int() refuses)."""
    return text.isascii() and text.isdigit()


def parse_id(text: str | None) -> int | None:
    """An id from a query or form value: a positive integer the database can hold, else None."""
    text = (text or "").strip()
    if not is_plain_digits(text) or is_too_large_integer(text):
        return None
    return int(text) or None


def parse_ids(values: list[str]) -> list[int]:
    """The valid ids among values (see parse_id), in order, without repeats."""
    return list(dict.fromkeys(i for i in map(parse_id, values) if i is not None))


def refuse_hostile_input() -> None:
    """before_request: a 400 with a message for NUL characters or too-large integers anywhere in the request."""
    for value in _request_values():
        if "\x00" in value:
            abort(400, description=NUL_MESSAGE)
        if is_too_large_integer(value):
            abort(400, description=TOO_LARGE_MESSAGE)


def _request_values() -> Iterator[str]:
    """Every name and text value the request carries: path, query, form fields, file names, JSON."""
    yield request.path
    yield from (v for v in (request.view_args or {}).values() if isinstance(v, str))
    for multidict in (request.args, request.form):
        for name, value in multidict.items(multi=True):
            yield name
            yield value
    for name, upload in request.files.items(multi=True):
        yield name
        yield upload.filename or ""
    if request.is_json:
        yield from _json_strings(request.get_json(silent=True))


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

"""The shared cache (Flask-Caching) and its invalidation.

Zero set-up by default: a file cache in instance/cache, shared by every worker of one machine. With
CACHE_REDIS_URL (or REDIS_URL) set, Redis: several app servers then share one cache (and the login rate limit).

Values are stored under the generations of the scopes they depend on; invalidating a scope gives it a new
generation, so every process stops reading the old values at once. A reader reads the generations before it
queries, so a value computed while a write commits is stored under the old generation and never served.
A value under given generations never changes, so the small values read on every request (the signed-in person,
the bell, the feed's newest id) are also kept in the process (remember(..., local=True)) until they expire:
only their generations are read from the shared cache.

What invalidates what is decided once, here, from the rows a transaction wrote (a generic "data changed" hook
on the session, run after commit, never before): any domain table -> DATA (scorecard figures, home tiles),
recognition_feed_item -> FEED (the feed's newest item), notification -> the person's bell (BELLS for bulk updates),
user_account and role_grant -> that person's signed-in record (PEOPLE for bulk updates and any function row).
The pillars' domain events (webapp/signals.py) mark DATA explicitly too: they are the contract, the hook the net.
"""
from __future__ import annotations

import hashlib
import pickle
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from itertools import chain
from typing import Any, TypeVar

from flask import Flask
from flask_caching import Cache
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from webapp import clock, signals
from webapp.extensions import db

cache = Cache()

DATA = "data"
FEED = "feed"
BELLS = "bells"
PEOPLE = "people"  # every person's cached signed-in record (webapp/people/queries.load_session_user)
DATA_EVENTS = (signals.rotation_completed, signals.visit_confirmed, signals.visit_withdrawn, signals.win_published,
               signals.wave_closed)  # people's own writes reach the cache through the table hook
QUIET_TABLES = frozenset({"notification", "outbox_message", "audit_entry"})  # no figure or tile reads them
PERSON_TABLES = {"user_account": "id", "role_grant": "user_id"}  # table -> the column naming the person of a row
_WRITTEN = "cg_cache_scopes"
LOCAL_ENTRIES = 2048  # values kept in each process: a worker's signed-in people, their bells, the feed's newest id
_GENERATION_TIMEOUT = 0  # generations never expire (a missing one is replaced by a fresh one)

T = TypeVar("T")


def init_cache(app: Flask) -> None:
    """Bind the cache to app, and (once per process) the session hooks that invalidate it after commit."""
    cache.init_app(app)
    if not event.contains(db.session, "after_commit", _invalidate_written):
        event.listen(db.session, "after_flush", _record_flushed)
        event.listen(db.session, "do_orm_execute", _record_bulk)
        event.listen(db.session, "after_commit", _invalidate_written)
    for domain_event in DATA_EVENTS:
        domain_event.connect(_note_domain_event)


def bell_scope(user_id: int) -> str:
    return f"bell:{user_id}"


def person_scope(user_id: int) -> str:
    return f"person:{user_id}"


class _ProcessMemo:
    """The latest-used values of this process (an LRU), each until it expires like its shared copy."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[str, tuple[tuple, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple | None:
        with self._lock:
            found = self._values.get(key)
            if found is None:
                return None
            if found[1] <= clock.now():
                del self._values[key]
                return None
            self._values.move_to_end(key)
            return found[0]

    def put(self, key: str, stored: tuple, timeout: int | None) -> None:
        seconds = cache.cache.default_timeout if timeout is None else timeout
        expires = clock.now() + timedelta(seconds=seconds or 365 * 86400)
        with self._lock:
            self._values[key] = (stored, expires)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)


_memo = _ProcessMemo(LOCAL_ENTRIES)


def remember(scopes: Iterable[str], key: str, compute: Callable[[], T], timeout: int | None = None,
             local: bool = False) -> T:
    """The cached value of key under the current generations of scopes, computing (and storing) it when missing.

    local: keep it in this process too, for small values read on every request that no caller changes."""
    scopes = tuple(scopes)
    generations = _generations(scopes)
    full_key = f"{key}@{'.'.join(generations)}"
    found = _memo.get(full_key) if local else None
    if found is not None:
        return found[0]
    found = cache.get(full_key)
    if found is None:
        found = (compute(),)
        cache.set(full_key, found, timeout=timeout)
    if local:  # its own copy, as the shared cache keeps: what the caller does with its value never reaches it
        _memo.put(full_key, pickle.loads(pickle.dumps(found)), timeout)
    return found[0]


def derived(build: Callable[..., T], *inputs: object) -> T:
    """build(*inputs) for a pure function of its inputs (a chart spec of stored figures), cached by a digest of
    the inputs: equal inputs give the stored value, so it needs no invalidation."""
    digest = hashlib.sha256(pickle.dumps(inputs)).hexdigest()
    return remember((), f"{build.__module__}.{build.__qualname__}:{digest}", lambda: build(*inputs))


def invalidate(*scopes: str) -> None:
    """Give each scope a new generation now (use invalidate_after_commit inside a transaction)."""
    for scope in scopes:
        cache.set(_generation_key(scope), secrets.token_hex(6), timeout=_GENERATION_TIMEOUT)


def invalidate_after_commit(*scopes: str) -> None:
    """Invalidate scopes when the current transaction commits (nothing happens if it rolls back)."""
    db.session.info.setdefault(_WRITTEN, set()).update(scopes)


def _note_domain_event(sender: object, **_: object) -> None:
    invalidate_after_commit(DATA)


def _generation_key(scope: str) -> str:
    return f"gen:{scope}"


def _generations(scopes: tuple[str, ...]) -> list[str]:
    keys = [_generation_key(scope) for scope in scopes]
    found = cache.get_many(*keys) if keys else []
    generations = []
    for key, generation in zip(keys, found, strict=True):
        if generation is None:  # first use, or evicted: a fresh generation (never one that old values used)
            cache.add(key, secrets.token_hex(6), timeout=_GENERATION_TIMEOUT)
            generation = cache.get(key)
        generations.append(str(generation))
    return generations


def _scopes_of_table(table: str) -> set[str]:
    scopes = set() if table in QUIET_TABLES else {DATA}
    if table == "recognition_feed_item":
        scopes.add(FEED)
    if table == "notification":
        scopes.add(BELLS)
    if table in PERSON_TABLES or table == "function":
        scopes.add(PEOPLE)
    return scopes


def _record_flushed(session: Session, flush_context: Any) -> None:
    """after_flush: note the scopes of every row written (a notification: its owner's bell only; a person's row or
    role: that person's record and DATA)."""
    written = session.info.setdefault(_WRITTEN, set())
    for instance in chain(session.new, session.dirty, session.deleted):
        table = getattr(instance, "__tablename__", "")
        if table == "notification":
            written.add(bell_scope(instance.user_id))
        elif table in PERSON_TABLES:
            written.update((DATA, person_scope(getattr(instance, PERSON_TABLES[table]))))
        else:
            written.update(_scopes_of_table(table))


def _record_bulk(state: ORMExecuteState) -> None:
    """do_orm_execute: bulk INSERT/UPDATE/DELETE statements write rows the session never sees."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None:
            state.session.info.setdefault(_WRITTEN, set()).update(_scopes_of_table(table.name))


def _invalidate_written(session: Session) -> None:
    """after_commit.

    Scopes noted in a rolled-back transaction stay noted: one needless invalidation, never a stale page."""
    scopes = session.info.pop(_WRITTEN, None)
    if scopes:
        invalidate(*sorted(scopes))

"""Requests at once, for the race tests: real threads released together by a barrier, or one request run
at a chosen moment of another (meanwhile).

Each work opens what it needs itself (in_own_session: its own app context, so its own session and
connection, as under gunicorn; or its own test client).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask.testing import FlaskClient
from sqlalchemy import event

from webapp.extensions import db

T = TypeVar("T")


def run_together(count: int, work: Callable[[int], T], timeout: float = 60) -> list[T]:
    """Run work(0) ... work(count - 1) in threads released at the same moment; their results, in order.

    An exception in a thread fails the test here with that exception; so does a thread still running after timeout.
    """
    start = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = work(index)
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if any(thread.is_alive() for thread in threads):
        raise AssertionError(f"a racing thread still runs after {timeout} s")
    if errors:
        raise errors[0]
    return results


def in_own_session(app, action: Callable[[], object]) -> str:
    """Run one service call in its own app context and commit: "ok", or the error's class and message."""
    with app.app_context():
        try:
            action()
            db.session.commit()
            return "ok"
        except Exception as error:  # noqa: BLE001  (every failure must show in the assertion)
            db.session.rollback()
            return f"{type(error).__name__}: {error}"
        finally:
            db.session.remove()


def client_as(app, session_user_id: str) -> FlaskClient:
    """A test client of its own (each request its own app context) whose session signs in that user (get_id())."""
    client = FlaskClient(app, app.response_class, use_cookies=True)
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_user_id, True
    return client


def post_as(app, session_user_id: str, url: str, data: dict) -> tuple[int, str]:
    """POST data to url from a client of its own signed in as that user: the status, and the page it leads to."""
    client = client_as(app, session_user_id)
    response = client.post(url, data=data)
    landing = client.get(response.headers["Location"]) if response.status_code == 303 else response
    return response.status_code, landing.get_data(as_text=True)


@contextmanager
def meanwhile(engine, sql: str, other: Callable[[], object]) -> Iterator[list]:
    """Run other() to its end in another thread right after this thread first executes a statement containing sql.

    The interleaving a race needs, made certain: e.g. a replay checks its key, then the first request commits.
    Yields a list that holds other()'s result once it ran.
    """
    me, results = threading.get_ident(), list[object]()

    def interleave(conn, cursor, statement, parameters, context, executemany) -> None:
        if threading.get_ident() == me and not results and sql in statement:
            worker = threading.Thread(target=lambda: results.append(other()))
            worker.start()
            worker.join(timeout=60)

    event.listen(engine, "after_cursor_execute", interleave)
    try:
        yield results
    finally:
        event.remove(engine, "after_cursor_execute", interleave)

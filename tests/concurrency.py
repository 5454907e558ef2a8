"""Requests from other clients, at once or at a chosen moment: each in its own thread, app context and session."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask.testing import FlaskClient
from sqlalchemy import event


def post_as(app, user_id: str, url: str, data: dict, ready: Callable[[], object] = lambda: None) -> tuple[int, str]:
    """POST data to url from a fresh client signed in as user_id (call it in a thread of its own).

    ready() runs between signing in and posting (a barrier's wait, for requests at once).
    Returns the status and the page the redirect leads to (or the response's own page).
    """
    client = FlaskClient(app, app.response_class, use_cookies=True)
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = user_id, True
    ready()
    response = client.post(url, data=data)
    landing = client.get(response.headers["Location"]) if response.status_code == 303 else response
    return response.status_code, landing.get_data(as_text=True)


@contextmanager
def meanwhile(engine, sql: str, other: Callable[[], object]) -> Iterator[list]:
    """Run other() to its end in another thread right after this thread first executes a statement containing sql.

    The interleaving a race needs, made certain: e.g. a replay checks its key, then the first request commits.
    Yields a list that holds other()'s result once it ran.
    """
    me, results = threading.get_ident(), []

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

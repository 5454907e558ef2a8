"""Logging for whoever runs the product: one line per event on stdout, each tagged with its request id."""
from __future__ import annotations

import logging
import re
import sys
import uuid

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def request_id() -> str:
    """This request's id: the caller's X-Request-ID when it is sane, else a new random one (kept in g)."""
    if "request_id" not in g:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = offered if SANE_REQUEST_ID.match(offered) else uuid.uuid4().hex
    return g.request_id


def _install_request_id_factory() -> None:
    """Every log record carries the current request's id (or "-" outside a request), whichever handler gets it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "adds_request_id", False):
        return

    def make_record(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = request_id() if has_request_context() else "-"
        return record

    make_record.adds_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)


class OneLineFormatter(logging.Formatter):
    """A record, its traceback included, on one line: newlines become a visible "\\n"."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "").replace("\n", "\\n")


class StdoutHandler(logging.StreamHandler):
    """Writes to sys.stdout as it is at the time of the event (servers and test runners replace it)."""

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, value) -> None:
        """The stream is always the current sys.stdout."""


def configure_logging(app: Flask) -> None:
    """Root logger to stdout at app.config["LOG_LEVEL"]; idempotent, so a second app replaces the handler."""
    _install_request_id_factory()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, StdoutHandler)]:
        root.removeHandler(handler)
    handler = StdoutHandler()
    handler.setFormatter(OneLineFormatter(LINE_FORMAT))
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.removeHandler(default_handler)
    app.before_request(assign_request_id)
    app.after_request(send_request_id)


def assign_request_id() -> None:
    """before_request: fix the id first, so every line of the request carries the same one."""
    request_id()


def send_request_id(response: Response) -> Response:
    """after_request: the request id goes back to the caller, to quote when something failed."""
    response.headers[REQUEST_ID_HEADER] = request_id()
    return response

"""Friendly error pages (and short plain answers for htmx requests)."""
from __future__ import annotations

import logging

from flask import Flask, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.extensions import db
from webapp.logs import request_id
from webapp.rendering import wants_fragment

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Bad request", "The request was not understood. If you submitted a form, reload the page and try again."),
    401: ("Please sign in", "You need to sign in to do that."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Not found", "There is nothing at this address."),
    405: ("Not allowed", "That action is not available here."),
    413: ("File too large", "The upload is larger than the limit. Split the file or remove unused columns."),
    429: ("Too many attempts", "Too many requests in a short time. Wait a minute and try again."),
    500: ("Something went wrong", "An unexpected error happened. Nothing was saved; please try again."),
}

REASONED_CODES = frozenset(
    {400, 403, 404}
)  # where our own code gives a reason worth showing (abort(..., description=))


def render_error(error: HTTPException):
    """Render an HTTP error with a friendly message and the right status."""
    code = error.code or 500
    title, message = MESSAGES.get(code, (error.name, error.description or ""))
    if code == 400 and "CSRF" in (error.description or ""):
        message = "Your form expired or was sent twice. Reload the page and try again."
    elif code in REASONED_CODES and error.description and error.description != type(error).description:
        message = error.description  # the reason given where the error was raised
    if wants_fragment():
        return _error_alert(code, title, message, request_id())
    return render_template("errors/error.html", code=code, title=title, message=message, request_id=request_id()), code


def _error_alert(code: int, title: str, message: str, reference: str):
    """For htmx: the error as an alert in the page's message area, whatever the request meant to replace.

    htmx swaps 4xx and 5xx answers (base.html's responseHandling), so a form that answers 400 with its
    own errors re-renders in place, and any other error lands here instead of vanishing.
    """
    response = make_response(render_template("errors/_alert.html", code=code, title=title, message=message,
                                             request_id=reference), code)
    response.headers.update({"HX-Retarget": "#flash-messages", "HX-Reswap": "innerHTML"})
    return response


def render_unexpected(error: Exception):
    """An unhandled exception: log it with its traceback, roll back so nothing is half-written, show the 500 page."""
    log.exception("unexpected error on %s %s", request.method, request.path, exc_info=error)
    db.session.rollback()
    return render_error(InternalServerError())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, render_unexpected)

"""The outbox worker: delivers the e-mails and webhook posts that actions wrote to the outbox.

Run it with `flask --app webapp worker` (polls until stopped) or `--once` (delivers what is due, then exits).
Each pass claims due messages in one statement: `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)`
on PostgreSQL, where a second worker skips the rows the first has locked; on SQLite the same conditional
UPDATE (still pending, still due) is the claim, as SQLite runs one writer at a time. A claim moves
next_attempt_at past a lease and counts the attempt, so two workers never deliver one message, and a
worker that dies mid-delivery hands its messages back when the lease ends. Delivery runs outside any
transaction; a failure is retried with exponential backoff until OUTBOX_MAX_ATTEMPTS, then marked failed.
"""
from __future__ import annotations

import logging
import smtplib
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import Row, select, update

from webapp import clock
from webapp.extensions import db
from webapp.notifications.models import EMAIL, ERROR_MAX, FAILED, PENDING, SENT, WEBHOOK, OutboxMessage

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=30)  # longer than any one pass can take
RETRY_DELAY_MAX = timedelta(hours=1)
TIMEOUT_SECONDS = 10


@dataclass
class PassReport:
    """What worker passes did: messages sent, put back for a retry, given up as failed."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __add__(self, other: PassReport) -> PassReport:
        return PassReport(self.sent + other.sent, self.retrying + other.retrying, self.failed + other.failed)

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed"


def run_worker(poll_seconds: float) -> None:
    """Deliver what is due, wait poll_seconds, and again, until stopped; a failing pass is logged, not fatal."""
    log.info("outbox worker started, polling every %s s", poll_seconds)
    while True:
        try:
            drain()
        except Exception:  # the database may be away for a moment: log it and try again next poll
            log.exception("outbox pass failed")
        finally:
            db.session.remove()
        time.sleep(poll_seconds)


def drain() -> PassReport:
    """Run passes until nothing is due (messages put back for a later retry are not due)."""
    total = PassReport()
    while (report := deliver_due()).claimed:
        total += report
    return total


def deliver_due() -> PassReport:
    """One pass: claim up to OUTBOX_BATCH_SIZE due messages, deliver them, record each outcome."""
    claimed = claim_due(current_app.config["OUTBOX_BATCH_SIZE"])
    return record_outcomes(claimed, deliver(claimed))


def claim_due(limit: int) -> list[Row]:
    """Claim (and commit the claim of) up to limit due messages; the rows carry what delivery needs."""
    now = clock.now()
    is_due = (OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now)
    due = (select(OutboxMessage.id).where(*is_due).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
           .limit(limit).with_for_update(skip_locked=True).scalar_subquery())
    claimed = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(due), *is_due)
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + LEASE)
        .returning(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.recipient, OutboxMessage.subject,
                   OutboxMessage.body, OutboxMessage.attempts)
    ).all()
    db.session.commit()
    return sorted(claimed, key=lambda message: message.id)


def deliver(messages: list[Row]) -> dict[int, str | None]:
    """Deliver each message; returns, by id, what went wrong (None when it was delivered)."""
    outcomes = send_emails([message for message in messages if message.kind == EMAIL])
    for message in messages:
        if message.kind == WEBHOOK:
            outcomes[message.id] = _attempt(post_webhook, message.recipient, message.body)
    return outcomes


def send_emails(messages: list[Row]) -> dict[int, str | None]:
    """Send the e-mails of one pass over one SMTP connection (a pulse that opens for thousands is a few passes)."""
    outcomes: dict[int, str | None] = {}
    if not messages:
        return outcomes
    try:
        with _smtp_connection() as smtp:
            for message in messages:
                outcomes[message.id] = _attempt(_send_email, smtp, message)
    except (OSError, smtplib.SMTPException) as error:  # no connection: every e-mail not tried yet failed
        for message in messages:
            outcomes.setdefault(message.id, _describe(error))
    return outcomes


def _smtp_connection() -> smtplib.SMTP:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise smtplib.SMTPException("MAIL_SERVER is not set")
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=TIMEOUT_SECONDS)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


def _send_email(smtp: smtplib.SMTP, message: Row) -> None:
    """Send the e-mail of an outbox row; EmailMessage builds its headers and refuses line breaks in them."""
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = current_app.config["MAIL_FROM"], message.recipient, message.subject
    email.set_content(message.body)
    smtp.send_message(email)


def post_webhook(url: str, payload: str) -> None:
    """POST a JSON payload to an incoming-webhook URL (http or https only); an answer other than 2xx raises."""
    if urlsplit(url).scheme not in {"http", "https"}:
        raise ValueError("a webhook URL starts with http:// or https://")
    request = urllib.request.Request(
        url, data=payload.encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        response.read()


def _attempt(send: Callable[..., None], *args: object) -> str | None:
    """Run one delivery; None when it worked, else what went wrong."""
    try:
        send(*args)
    except Exception as error:  # noqa: BLE001  (one bad message must not stop the others; the error is recorded)
        return _describe(error)
    return None


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_MAX]


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: OUTBOX_RETRY_SECONDS after the first failure, doubling, at most an hour."""
    first = timedelta(seconds=current_app.config["OUTBOX_RETRY_SECONDS"])
    return min(first * 2 ** (attempts - 1), RETRY_DELAY_MAX)


def record_outcomes(messages: Iterable[Row], outcomes: dict[int, str | None]) -> PassReport:
    """Mark each claimed message sent, due again after its backoff, or failed after the last attempt."""
    now, report = clock.now(), PassReport()
    for message in messages:
        outcome, values = _outcome(message, outcomes[message.id], now)
        report.count(outcome)
        _record(message, values)
    db.session.commit()
    if report.claimed:
        log.info("outbox pass: %s", report)
    return report


def _outcome(message: Row, error: str | None, now: datetime) -> tuple[str, dict]:
    """What became of one delivery ("sent", "retrying" or "failed") and the values to write; failures are logged."""
    if error is None:
        return "sent", {"status": SENT, "sent_at": now, "last_error": ""}
    target = message.recipient if message.kind == EMAIL else urlsplit(message.recipient).netloc  # hooks hold tokens
    if message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        log.error("outbox message %s (%s to %s) failed after %s attempts: %s",
                  message.id, message.kind, target, message.attempts, error)
        return "failed", {"status": FAILED, "last_error": error}
    retry_at = now + retry_delay(message.attempts)
    log.warning("outbox message %s (%s to %s) attempt %s failed, retrying at %s: %s",
                message.id, message.kind, target, message.attempts, retry_at.isoformat(), error)
    return "retrying", {"next_attempt_at": retry_at, "last_error": error}


def _record(message: Row, values: dict) -> None:
    """Write an outcome, unless another worker has claimed the message since (its lease ran out)."""
    db.session.execute(update(OutboxMessage).where(
        OutboxMessage.id == message.id, OutboxMessage.status == PENDING, OutboxMessage.attempts == message.attempts,
    ).values(**values))


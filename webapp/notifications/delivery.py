"""Outgoing delivery: e-mail over SMTP and the chat webhook for published joint wins.

Both are off unless configured (MAIL_SERVER, WIN_WEBHOOK_URL) and both run only after the
database commit succeeds, so a rolled-back action never sends anything.
"""
from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from webapp import signals
from webapp.extensions import db

log = logging.getLogger(__name__)
ACTIONS_KEY = "after_commit_actions"
EMAILS_KEY = "after_commit_emails"


def queue_after_commit(action: Callable[[], None]) -> None:
    """Run action once the current transaction commits (dropped on rollback)."""
    db.session.info.setdefault(ACTIONS_KEY, []).append(action)


def queue_email(to: str, subject: str, body: str, path: str = "") -> bool:
    """Queue one plain-text e-mail for after the commit when MAIL_SERVER is set; returns whether it was queued."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return False
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config["MAIL_FROM"], to, subject
    link = f"\n\n{config['PUBLIC_URL'].rstrip('/')}{path}" if path and config.get("PUBLIC_URL") else ""
    message.set_content(body + link)
    db.session.info.setdefault(EMAILS_KEY, []).append(message)
    return True


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    emails = session.info.pop(EMAILS_KEY, [])
    actions = [lambda: send_emails(emails)] if emails else []
    for action in [*actions, *session.info.pop(ACTIONS_KEY, [])]:
        try:
            action()
        except Exception:  # delivery must never break the user's action
            log.exception("delivery failed")


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(ACTIONS_KEY, None)
    session.info.pop(EMAILS_KEY, None)


def send_emails(messages: list[EmailMessage]) -> None:
    """Send the messages over one SMTP connection (a pulse that opens for thousands is one connection)."""
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        for message in messages:
            smtp.send_message(message)


def post_webhook(url: str, payload: dict) -> None:
    """POST JSON to an incoming-webhook URL (Slack/Teams/Mattermost style)."""
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def announce_win(sender, win_id: int, title: str, credited: list, function_ids: set, **_) -> None:
    """win_published receiver: post the joint win to the chat webhook, after the commit."""
    url = current_app.config.get("WIN_WEBHOOK_URL")
    if not url:
        return
    names = ", ".join(person.name for person in credited)
    text = f"Joint win published: {title} — credited to {names}."
    queue_after_commit(lambda: post_webhook(url, {"text": text}))


def connect_receivers() -> None:
    signals.win_published.connect(announce_win)


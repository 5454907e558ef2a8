"""Outgoing e-mail and webhook posts go to the outbox with the action; the worker delivers them, once, with retries.

Real servers: aiosmtpd for SMTP, an http.server for the webhook; the worker runs as `flask worker --once`
or through drain(), the function that command runs.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from programs.visits.services import FollowUpData, add_follow_up
from recognition.models import Win
from tests.bench.harness import free_port
from tests.conftest import sign_in
from tests.factories import make_user
from tests.races import run_together
from tests.recognition.recognition_factories import key, make_org
from tests.visits.visits_factories import make_visit
from webapp import clock, signals
from webapp.extensions import db as _db
from webapp.notifications.delivery import LEASE, claim_due, drain
from webapp.notifications.models import FAILED, PENDING, SENT, SUBJECT_MAX, OutboxMessage
from webapp.notifications.services import enqueue_email, notify, subject_line

# --- servers ------------------------------------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that counts connections and keeps what it accepts (or refuses every message)."""

    def __init__(self, answer: str = "250 OK"):
        self.answer = answer
        self.messages: list = []
        self.connections = 0
        self.port = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        if self.answer.startswith("250"):
            self.messages.append(envelope)
        return self.answer

    def subjects(self) -> list[str]:
        return [message_from_bytes(m.content, policy=policy.default)["Subject"] for m in self.messages]


@contextmanager
def running_smtp(app, monkeypatch, inbox: Inbox) -> Iterator[Inbox]:
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    for name, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port,
                        "PUBLIC_URL": "https://cg.example"}.items():
        monkeypatch.setitem(app.config, name, value)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(app, monkeypatch):
    with running_smtp(app, monkeypatch, Inbox()) as inbox:
        yield inbox


@pytest.fixture
def rejecting_smtp_server(app, monkeypatch):
    with running_smtp(app, monkeypatch, Inbox("554 5.7.1 Message refused")) as inbox:
        yield inbox


HOOK_TOKEN = "T0KEN-in-the-path"  # chat tools put the hook's secret in its URL


class Receiver:
    """A chat webhook's state: the JSON posts it accepted, and the status it answers (set it to fail)."""

    def __init__(self):
        self.posts: list[dict] = []
        self.status = 200


@pytest.fixture
def webhook_receiver(app, monkeypatch):
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if receiver.status == 200:
                receiver.posts.append(payload)
            self.send_response(receiver.status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setitem(app.config, "WIN_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/hooks/{HOOK_TOKEN}")
    yield receiver
    server.shutdown()


def outbox(db) -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def run_worker_once(app) -> str:
    """`flask --app webapp worker --once`, as cron runs it; returns its output."""
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def publish_win(*credited) -> None:
    signals.win_published.send("recognition", win_id=1, title="Month-end in 3 days", credited=list(credited),
                               function_ids={person.function_id for person in credited})


# --- e-mail -------------------------------------------------------------------------------------------------


def test_email_is_written_with_the_action_and_the_worker_sends_it_once(app, db, smtp_server):
    user = make_user(email="reader@example.com")
    db.session.commit()
    notify(user, "pulse", "The trust pulse is open", "/")
    db.session.commit()
    assert smtp_server.messages == []
    [message] = outbox(db)
    assert (message.kind, message.recipient, message.status, message.attempts) == ("email", user.email, PENDING, 0)

    assert run_worker_once(app).splitlines()[-1] == "Outbox: 1 sent, 0 to retry, 0 failed."  # after any log lines
    [envelope] = smtp_server.messages
    assert envelope.rcpt_tos == ["reader@example.com"]
    body = envelope.content.decode()
    assert "Subject: Pulse open: The trust pulse is open" in body and "https://cg.example/" in body
    [message] = outbox(db)
    assert (message.status, message.attempts, message.last_error) == (SENT, 1, "")
    assert clock.now() - timedelta(minutes=1) < message.sent_at <= clock.now()

    assert run_worker_once(app) == "Outbox: 0 sent, 0 to retry, 0 failed.\n"
    assert len(smtp_server.messages) == 1


def test_a_rolled_back_action_leaves_no_outbox_row(app, db, smtp_server, webhook_receiver):
    user = make_user(email="reader@example.com")
    db.session.commit()
    notify(user, "pulse", "The trust pulse is open", "/")
    publish_win(user)
    assert len(outbox(db)) == 2
    db.session.rollback()
    assert outbox(db) == []
    assert drain().claimed == 0
    assert smtp_server.messages == [] and webhook_receiver.posts == []


def test_no_email_is_queued_when_smtp_is_not_configured(app, db):
    assert not app.config["MAIL_SERVER"]
    notify(make_user(), "pulse", "open")
    db.session.commit()
    assert outbox(db) == []


def test_the_emails_of_one_pass_share_one_connection(db, smtp_server):
    people = [make_user(email=f"reader{n}@example.com") for n in range(5)]
    db.session.commit()
    for person in people:
        notify(person, "pulse", "The trust pulse is open", "/")
    db.session.commit()
    assert drain().sent == 5
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == sorted(p.email for p in people)
    assert smtp_server.connections == 1


def test_one_undeliverable_email_does_not_stop_the_others(db, smtp_server):
    enqueue_email("broken\r\nBcc: everyone@example.com", "Hello", "A header injection attempt")
    enqueue_email("reader@example.com", "Hello", "Fine")
    db.session.commit()
    report = drain()
    assert (report.sent, report.retrying) == (1, 1)
    assert [m.rcpt_tos for m in smtp_server.messages] == [["reader@example.com"]]
    broken, fine = outbox(db)
    assert fine.status == SENT
    assert broken.status == PENDING and broken.last_error.startswith("ValueError: Header values may not contain")


# --- the mail server is down or refuses ----------------------------------------------------------------------


def log_joint_win_through_the_form(client, org, title: str):
    data = {"title": title, "story": "We agreed one cut-off calendar together.",
            "credited": [org.fin[0].id, org.ops[0].id], "value_tags": ["one-team"], "idempotency_key": key()}
    sign_in(client, org.fin_manager)
    return client.post("/recognition/wins/new", data=data)


def test_the_action_succeeds_while_the_mail_server_is_down_and_the_worker_delivers_later(
        app, client, db, smtp_server, monkeypatch):
    org = make_org()
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    response = log_joint_win_through_the_form(client, org, "Faster close")
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Win)) == 1
    [message] = outbox(db)
    assert (message.recipient, message.status, message.attempts) == ("oscar@example.com", PENDING, 0)

    start = clock.now()
    with time_machine.travel(start, tick=False):
        assert drain().retrying == 1
    [message] = outbox(db)
    assert message.status == PENDING and message.attempts == 1
    assert message.last_error.startswith("ConnectionRefusedError")
    assert message.next_attempt_at == start + timedelta(seconds=app.config["OUTBOX_RETRY_SECONDS"])
    assert smtp_server.messages == []

    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)  # the mail server is back
    with time_machine.travel(message.next_attempt_at, tick=False):
        assert drain().sent == 1
    assert [m.rcpt_tos for m in smtp_server.messages] == [["oscar@example.com"]]
    [message] = outbox(db)
    assert (message.status, message.attempts) == (SENT, 2)


def test_a_refusing_mail_server_is_retried_with_backoff_then_the_message_fails(
        app, db, rejecting_smtp_server, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    monkeypatch.setitem(app.config, "OUTBOX_RETRY_SECONDS", 60)
    start = clock.now()
    with time_machine.travel(start, tick=False):
        notify(make_user(email="reader@example.com"), "pulse", "The trust pulse is open")
        db.session.commit()
        assert drain().retrying == 1
        assert drain().claimed == 0  # not due again yet
    [message] = outbox(db)
    assert (message.attempts, message.next_attempt_at) == (1, start + timedelta(seconds=60))
    assert message.last_error.startswith("SMTPDataError: (554")

    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        assert drain().claimed == 0
    with time_machine.travel(start + timedelta(seconds=60), tick=False):
        assert drain().retrying == 1
    [message] = outbox(db)
    assert (message.attempts, message.next_attempt_at) == (2, start + timedelta(seconds=60 + 120))

    with caplog.at_level(logging.ERROR, logger="webapp.notifications.delivery"), \
            time_machine.travel(start + timedelta(seconds=180), tick=False):
        assert drain().failed == 1
    [message] = outbox(db)
    assert (message.status, message.attempts) == (FAILED, 3)
    assert any("failed after 3 attempts" in r.getMessage() and "reader@example.com" in r.getMessage()
               for r in caplog.records if r.levelno == logging.ERROR)

    with time_machine.travel(start + timedelta(days=1), tick=False):
        assert drain().claimed == 0
    assert rejecting_smtp_server.messages == [] and rejecting_smtp_server.connections == 3


def test_a_claimed_message_comes_back_only_when_the_lease_of_a_dead_worker_ends(db, smtp_server):
    notify(make_user(), "pulse", "The trust pulse is open")
    db.session.commit()
    start = clock.now()
    with time_machine.travel(start, tick=False):
        [claimed] = claim_due(10)  # ... and the worker dies before it delivers
        assert claimed.attempts == 1
        assert claim_due(10) == []
    with time_machine.travel(start + LEASE, tick=False):
        [again] = claim_due(10)
    assert (again.id, again.attempts) == (claimed.id, 2)


# --- CR/LF never reaches a header -------------------------------------------------------------------------


def test_a_win_title_with_line_breaks_neither_breaks_the_action_nor_reaches_the_subject(
        app, client, db, smtp_server):
    org = make_org()
    response = log_joint_win_through_the_form(client, org, "Faster\r\nclose\rtogether\n")
    assert response.status_code == 303
    [message] = outbox(db)
    assert message.subject == ("Co-sign request: Fiona Finance logged the joint win “Faster close together”; "
                               "your function's co-sign is needed.")
    assert drain().sent == 1
    assert smtp_server.subjects() == [message.subject]


def test_a_long_follow_up_description_with_line_breaks_makes_one_bounded_subject_line(db, smtp_server):
    fin, ops = make_user(name="Fay"), make_user(name="Otto")
    visit = make_visit([fin, ops])
    description = (
        "Send the payment schedule\r\nBcc: everyone@example.com\n" + "and more " * 30
    )  # within the 400 the form allows
    add_follow_up(fin, visit, FollowUpData(description=description, owner_id=ops.id,
                                           due_on=clock.today() + timedelta(days=7)), clock.today())
    db.session.commit()
    [message] = outbox(db)
    assert len(message.subject) == SUBJECT_MAX and message.subject.endswith("…")
    assert message.subject.startswith("Follow-up due: You own a follow-up of the visit to ")
    assert "\r" not in message.subject and "\n" not in message.subject
    assert "Send the payment schedule Bcc: everyone@example.com and more" in message.subject
    assert drain().sent == 1
    [envelope] = smtp_server.messages
    assert envelope.rcpt_tos == [ops.email]  # the Bcc line stayed text in the Subject
    assert smtp_server.subjects() == [message.subject]


@pytest.mark.parametrize("text, subject", [
    ("One\r\ntwo\rthree\nfour", "One two three four"),
    ("  tabs\tand\u2028separators\x1c \x00nul\x7f ", "tabs and separators nul"),
    ("x" * (SUBJECT_MAX + 1), "x" * (SUBJECT_MAX - 1) + "…"),
    ("x" * SUBJECT_MAX, "x" * SUBJECT_MAX),
])
def test_subjects_are_one_printable_bounded_line(text, subject):
    assert subject_line(text) == subject


# --- the chat webhook -----------------------------------------------------------------------------------------


def test_published_joint_wins_are_posted_to_the_webhook_by_the_worker(app, db, webhook_receiver):
    ada, grace = make_user(name="Ada"), make_user(name="Grace")
    db.session.commit()
    publish_win(ada, grace)
    db.session.commit()
    assert webhook_receiver.posts == []
    [message] = outbox(db)
    assert (message.kind, message.recipient) == ("webhook", app.config["WIN_WEBHOOK_URL"])
    assert drain().sent == 1
    assert webhook_receiver.posts == [{"text": "Joint win published: Month-end in 3 days — credited to Ada, Grace."}]
    assert drain().claimed == 0 and len(webhook_receiver.posts) == 1


def test_a_failing_webhook_is_retried_and_its_secret_url_stays_out_of_the_log(app, db, webhook_receiver, caplog):
    webhook_receiver.status = 500
    publish_win(make_user(name="Ada"))
    db.session.commit()
    start = clock.now()
    with caplog.at_level(logging.WARNING, logger="webapp.notifications.delivery"), \
            time_machine.travel(start, tick=False):
        assert drain().retrying == 1
    [message] = outbox(db)
    assert message.status == PENDING and message.last_error == "HTTPError: HTTP Error 500: Internal Server Error"
    assert "attempt 1 failed" in caplog.text and "127.0.0.1" in caplog.text and HOOK_TOKEN not in caplog.text
    webhook_receiver.status = 200
    with time_machine.travel(message.next_attempt_at, tick=False):
        assert drain().sent == 1
    assert len(webhook_receiver.posts) == 1


def test_a_webhook_url_that_is_not_http_is_never_opened(app, db, monkeypatch, tmp_path):
    hook = tmp_path / "hook"
    hook.write_text("{}")  # urllib would read a file: URL
    monkeypatch.setitem(app.config, "WIN_WEBHOOK_URL", hook.as_uri())
    publish_win(make_user(name="Ada"))
    db.session.commit()
    assert drain().retrying == 1
    [message] = outbox(db)
    assert message.last_error == "ValueError: a webhook URL starts with http:// or https://"


# --- two workers ----------------------------------------------------------------------------------------------

MESSAGES = 40


@pytest.mark.postgres_only
def test_two_workers_deliver_each_message_exactly_once(app, db, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_BATCH_SIZE", 3)  # many small passes, so the workers interleave
    recipients = [f"reader{n}@example.com" for n in range(MESSAGES)]
    for recipient in recipients:
        enqueue_email(recipient, "The trust pulse is open", "Please answer.")
    db.session.commit()

    def work(_: int):
        with app.app_context():  # its own app context, so its own session and connection
            try:
                return drain()
            finally:
                _db.session.remove()

    reports = run_together(2, work, timeout=120)
    assert sum(report.sent for report in reports) == MESSAGES, reports
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == sorted(recipients)
    messages = outbox(db)
    assert {(m.status, m.attempts) for m in messages} == {(SENT, 1)}

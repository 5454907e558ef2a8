"""The notification centre: the bell, read state, e-mail after commit, the joint-win webhook."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller

from tests.bench.harness import free_port
from tests.conftest import sign_in
from tests.factories import make_user
from webapp import signals
from webapp.notifications.models import Notification
from webapp.notifications.services import notify


def test_bell_counts_unread_and_updates_without_a_reload(client, db):
    user = make_user()
    sign_in(client, user)
    assert 'id="notification-count"' in client.get("/").get_data(as_text=True)
    notify(user, "cosign", "Please co-sign the joint win 'Faster month-end'", "/people")
    notify(make_user(), "badge", "Someone else's badge")
    bell = client.get("/notifications/bell", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert bell.lstrip().startswith('<a id="notification-bell"') and ">1</span>" in bell


def test_opening_marks_read_and_goes_to_the_link(client, db):
    user = make_user()
    sign_in(client, user)
    note = notify(user, "approval", "An application waits for you", "/people")
    db.session.flush()
    response = client.post(f"/notifications/{note.id}/read")
    assert response.status_code == 303 and response.headers["Location"] == "/people"
    assert db.session.get(Notification, note.id).read_at is not None


def test_someone_elses_notification_is_not_found(client, db):
    note = notify(make_user(), "info", "private")
    db.session.flush()
    sign_in(client, make_user())
    assert client.post(f"/notifications/{note.id}/read").status_code == 404
    assert db.session.get(Notification, note.id).read_at is None


def test_mark_all_read_touches_only_mine(client, db):
    me, other = make_user(), make_user()
    for n in range(3):
        notify(me, "info", f"mine {n}")
    notify(other, "info", "theirs")
    sign_in(client, me)
    response = client.post("/notifications/read-all", follow_redirects=True)
    assert "3 notifications marked read" in response.get_data(as_text=True)
    assert db.session.query(Notification).filter(Notification.read_at.is_(None)).count() == 1


def test_links_must_be_local_and_messages_are_text(client, db):
    user = make_user()
    note = notify(user, "info", "<b>bold</b>", "https://evil.example/")
    assert note.url == ""
    sign_in(client, user)
    html = client.get("/notifications").get_data(as_text=True)
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    with pytest.raises(ValueError):
        notify(user, "nonsense", "x")


class Inbox:
    def __init__(self):
        self.messages: list = []
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, PUBLIC_URL="https://cg.example")
    yield inbox
    controller.stop()
    app.config.update(MAIL_SERVER="", PUBLIC_URL="")


def test_email_is_sent_after_commit_and_not_after_rollback(db, smtp_server):
    user = make_user(email="reader@example.com")
    db.session.commit()
    notify(user, "pulse", "The trust pulse is open", "/")
    db.session.rollback()
    assert smtp_server.messages == []
    notify(user, "pulse", "The trust pulse is open", "/")
    db.session.commit()
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message.rcpt_tos == ["reader@example.com"]
    body = message.content.decode()
    assert "Subject: Pulse open: The trust pulse is open" in body and "https://cg.example/" in body


def test_no_email_is_queued_when_smtp_is_not_configured(app, db):
    from webapp.notifications.delivery import EMAILS_KEY

    assert not app.config["MAIL_SERVER"]
    notify(make_user(), "pulse", "open")
    assert EMAILS_KEY not in db.session.info
    db.session.commit()


@pytest.fixture
def webhook_receiver(app):
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config["WIN_WEBHOOK_URL"] = f"http://127.0.0.1:{server.server_port}/hook"
    yield received
    server.shutdown()
    app.config["WIN_WEBHOOK_URL"] = ""


def test_published_joint_wins_are_posted_to_the_webhook_after_commit(db, webhook_receiver):
    ada, grace = make_user(name="Ada"), make_user(name="Grace")
    db.session.commit()
    signals.win_published.send("recognition", win_id=1, title="Month-end in 3 days", credited=[ada, grace],
                               function_ids={ada.function_id, grace.function_id})
    assert webhook_receiver == []
    db.session.commit()
    assert webhook_receiver == [{"text": "Joint win published: Month-end in 3 days — credited to Ada, Grace."}]


def test_links_build_outside_a_request(app):
    from webapp.notifications.services import link

    assert link("people.profile", user_id=7) == "/people/7"


def test_many_emails_after_one_commit_share_one_connection(db, smtp_server):
    people = [make_user(email=f"reader{n}@example.com") for n in range(5)]
    db.session.commit()
    for person in people:
        notify(person, "pulse", "The trust pulse is open", "/")
    db.session.commit()
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == sorted(p.email for p in people)
    assert smtp_server.connections == 1

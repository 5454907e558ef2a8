"""The notification centre: the bell, read state, links. Outgoing e-mail and webhooks: tests/test_outbox.py."""
from __future__ import annotations

import pytest

from tests.conftest import sign_in
from tests.factories import make_user
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


def test_links_build_outside_a_request(app):
    from webapp.notifications.services import link

    assert link("people.profile", user_id=7) == "/people/7"

"""Links to set a password: invitations by admins and HR, "forgot password", and what makes a link stop working."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
import time_machine
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from tests.conftest import sign_in
from tests.factories import PASSWORD, make_user
from tests.mailbox import SET_PASSWORD_LINK as LINK
from tests.mailbox import links_in
from tests.test_outbox import Inbox, running_smtp
from tests.text import captured
from webapp import clock
from webapp.auth.models import AuditEntry, PasswordLink
from webapp.notifications.delivery import drain
from webapp.people.models import User
from webapp.roles import Role

NEW_PASSWORD = "a brand new secret"


def invite(client, *people, everyone: bool = False, key: str | None = None):
    data = {"user_ids": [str(p.id) for p in people], "idempotency_key": key or secrets.token_urlsafe(16)}
    return client.post("/admin/invitations", data=data | ({"everyone": "y"} if everyone else {}))


def links_on(response) -> list[str]:
    return LINK.findall(response.get_data(as_text=True))


def set_password(client, url: str, password: str = NEW_PASSWORD):
    return client.post(url, data={"new": password, "confirm": password})


def path(url: str) -> str:
    return "/password/set/" + url.rsplit("/", 1)[1]


@pytest.fixture
def smtp_server(app, monkeypatch):
    with running_smtp(app, monkeypatch, Inbox()) as inbox:
        yield inbox


@pytest.fixture
def admin(client, db):
    user = make_user(Role.ADMIN)
    sign_in(client, user)
    return user


def test_an_admin_invites_a_person_who_sets_a_password_and_is_signed_in(app, client, db, admin):
    newcomer = make_user(name="Nia Newcomer")
    response = invite(client, newcomer)
    assert response.status_code == 200 and "E-mail is not set up" in response.get_data(as_text=True)
    [url] = links_on(response)
    client.post("/logout")
    form = client.get(path(url))
    assert form.status_code == 200 and b"Welcome, Nia Newcomer" in form.data
    done = set_password(client, path(url))
    assert done.status_code == 303 and done.headers["Location"] == "/"
    assert client.get("/").status_code == 200  # signed in
    db.session.refresh(newcomer)
    assert newcomer.check_password(NEW_PASSWORD)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["password_link.invite", "password_link.used.invite"]


def test_only_a_hash_of_the_link_is_stored(app, client, db, admin):
    [url] = links_on(invite(client, make_user()))
    token = url.rsplit("/", 1)[1]
    stored = db.session.scalar(select(PasswordLink))
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    nonce = URLSafeSerializer(app.config["SECRET_KEY"], salt="common-ground.set-password").loads(token)
    assert nonce not in stored.token_hash


def test_hr_invites_everyone_imported_without_a_password(client, db):
    sign_in(client, make_user(Role.HR, password=PASSWORD))
    waiting = [make_user(name=f"Imported {n}") for n in range(3)]
    make_user(password=PASSWORD)  # can sign in already: not invited
    make_user(active=False)  # deactivated: not invited
    response = invite(client, everyone=True)
    assert len(links_on(response)) == 3
    invited = db.session.scalars(select(PasswordLink.user_id).order_by(PasswordLink.user_id)).all()
    assert invited == sorted(p.id for p in waiting)


def test_inviting_nobody_or_a_deactivated_person_is_explained_and_writes_nothing(client, db, admin):
    nobody = invite(client)
    assert nobody.status_code == 400 and b"Choose at least one person" in nobody.data
    gone = invite(client, make_user(active=False))
    assert gone.status_code == 400 and b"Only active people" in gone.data
    bad = client.post("/admin/invitations", data={"user_ids": ["x"], "idempotency_key": "key-of-this-form"})
    assert bad.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(PasswordLink)) == 0


def test_a_replayed_invitation_form_is_already_recorded_and_the_first_link_keeps_working(client, db, admin):
    person = make_user()
    [url] = links_on(invite(client, person, key="the-same-form-twice"))
    replay = invite(client, person, key="the-same-form-twice")
    assert replay.status_code == 400 and b"already recorded" in replay.data and links_on(replay) == []
    assert db.session.scalar(select(func.count()).select_from(PasswordLink)) == 1
    assert client.get(path(url)).status_code == 200


def test_the_page_after_inviting_carries_a_fresh_key(client, db, admin):
    response = invite(client, make_user(), key="the-first-form-key")
    assert b'value="the-first-form-key"' not in response.data and b'name="idempotency_key"' in response.data


def test_a_profile_invitation_preselects_the_person_even_with_a_password(client, db, admin):
    person = make_user(name="Pat Password", password=PASSWORD)
    html = client.get(f"/admin/invitations?user_ids={person.id}").get_data(as_text=True)
    assert f'value="{person.id}" id="invite-{person.id}" checked' in html and "can sign in already" in html
    assert f'id="invite-{person.id}"' not in client.get("/admin/invitations").get_data(as_text=True)


def test_hr_cannot_invite_an_admin_whose_link_they_would_see(client, db):
    sign_in(client, make_user(Role.HR, password=PASSWORD))
    boss = make_user(Role.ADMIN, name="Ada Admin")
    refused = invite(client, boss)
    assert refused.status_code == 400 and b"Only an admin can invite an admin: leave out Ada Admin." in refused.data
    colleague = make_user(name="Cy Colleague")
    assert len(links_on(invite(client, everyone=True))) == 1  # everyone waiting but the admin
    assert db.session.scalars(select(PasswordLink.user_id)).all() == [colleague.id]
    assert b"Invite to sign in" not in client.get(f"/people/{boss.id}").data


def test_ids_beyond_the_database_range_are_refused_not_a_500(client, db, admin):
    huge = "9" * 30
    for response in (
        client.get(f"/admin/invitations?user_ids={huge}"),
        client.post("/admin/invitations", data={"user_ids": [huge], "idempotency_key": "key-of-this-form"}),
    ):
        assert response.status_code == 400 and b"too large" in response.data


def test_a_link_works_once(client, db, admin):
    [url] = links_on(invite(client, make_user()))
    client.post("/logout")
    assert set_password(client, path(url)).status_code == 303
    client.post("/logout")
    again = set_password(client, path(url), "yet another password")
    assert again.status_code == 410 and b"no longer works" in again.data
    assert client.get(path(url)).status_code == 410


def test_a_link_expires_after_the_configured_days(app, client, db, admin):
    person = make_user()
    [url] = links_on(invite(client, person))
    client.post("/logout")
    days = app.config["PASSWORD_LINK_DAYS"]
    with time_machine.travel(clock.now() + timedelta(days=days, minutes=-1)):
        assert client.get(path(url)).status_code == 200
    with time_machine.travel(clock.now() + timedelta(days=days, minutes=1)):
        assert set_password(client, path(url)).status_code == 410
    db.session.refresh(person)
    assert person.password_hash is None


def test_a_tampered_or_foreign_link_is_refused(app, client, db, admin):
    [url] = links_on(invite(client, make_user()))
    token = url.rsplit("/", 1)[1]
    payload, signature = token.rsplit(".", 1)
    flipped = payload[:4] + ("A" if payload[4] != "A" else "B") + payload[5:] + "." + signature  # another nonce
    forged = payload + "." + signature[:4] + ("A" if signature[4] != "A" else "B") + signature[5:]
    nonce = URLSafeSerializer(app.config["SECRET_KEY"], salt="common-ground.set-password").loads(token)
    other_purpose = URLSafeSerializer(app.config["SECRET_KEY"], salt="another-purpose").dumps(nonce)
    other_key = URLSafeSerializer("not-our-key", salt="common-ground.set-password").dumps(nonce)
    client.post("/logout")
    for bad in (flipped, forged, other_purpose, other_key, "no-such-token", "x" * 2000):
        assert set_password(client, f"/password/set/{bad}").status_code == 410, bad
    assert client.get(path(url)).status_code == 200  # the genuine one still works


def test_a_newer_link_replaces_the_older_one(client, db, admin):
    person = make_user()
    [first] = links_on(invite(client, person))
    [second] = links_on(invite(client, person))
    assert client.get(path(first)).status_code == 410
    assert client.get(path(second)).status_code == 200


def test_a_deactivated_persons_link_is_refused(client, db, admin):
    person = make_user()
    [url] = links_on(invite(client, person))
    person.active = False
    db.session.commit()
    client.post("/logout")
    assert client.get(path(url)).status_code == 410
    assert set_password(client, path(url)).status_code == 410
    db.session.refresh(person)
    assert person.password_hash is None


def test_a_short_password_stays_on_the_form_and_the_link_still_works(client, db, admin):
    [url] = links_on(invite(client, make_user()))
    client.post("/logout")
    short = set_password(client, path(url), "short")
    assert short.status_code == 400 and b"at least 10 characters" in short.data
    assert client.get(path(url)).status_code == 200


def test_invitations_are_emailed_when_email_is_configured(client, db, admin, smtp_server):
    person = make_user(email="nia@example.com")
    response = invite(client, person)
    assert links_on(response) == [] and b"Each person gets the link by e-mail" in response.data
    drain()  # the delivery worker's pass
    [message] = smtp_server.messages
    assert message.rcpt_tos == ["nia@example.com"]
    [url] = links_in(message)
    assert url.startswith("https://cg.example/password/set/")
    client.post("/logout")
    assert set_password(client, path(url)).status_code == 303


def forgot(client, email: str):
    return client.post("/password/forgot", data={"email": email})


def answer(response) -> str:
    return captured(r'<p id="forgot-answer">(.*?)</p>', response.get_data(as_text=True), re.DOTALL)


def test_forgot_password_answers_the_same_whether_the_address_exists_or_not(client, db, smtp_server):
    make_user(email="ada@example.com", password=PASSWORD)
    make_user(email="gone@example.com", password=PASSWORD, active=False)
    known, unknown, gone = forgot(client, "Ada@Example.com"), forgot(client, "nobody@example.com"), forgot(
        client, "gone@example.com")
    assert known.status_code == unknown.status_code == gone.status_code == 200
    assert answer(known) == answer(unknown) == answer(gone)
    drain()
    assert [m.rcpt_tos for m in smtp_server.messages] == [["ada@example.com"]]
    [url] = links_in(smtp_server.messages[0])
    assert set_password(client, path(url)).status_code == 303
    assert db.session.scalar(select(User).where(User.email == "ada@example.com")).check_password(NEW_PASSWORD)


def test_forgot_password_without_email_sends_nothing_and_says_whom_to_ask(client, db):
    make_user(email="ada@example.com", password=PASSWORD)
    response = forgot(client, "ada@example.com")
    assert b"Ask an administrator or HR" in response.data
    assert db.session.scalar(select(func.count()).select_from(PasswordLink)) == 0


def test_forgot_password_is_rate_limited_per_email_and_per_address(app, client, db):
    app.config["FORGOT_PASSWORD_RATE_LIMIT"] = "2 per minute"
    try:
        assert [forgot(client, "ada@example.com").status_code for _ in range(3)] == [200, 200, 429]
        from_elsewhere = client.post("/password/forgot", data={"email": "ada@example.com"},
                                     environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert from_elsewhere.status_code == 429  # the same inbox, from another address
        other_inbox = client.post("/password/forgot", data={"email": "bea@example.com"},
                                  environ_base={"REMOTE_ADDR": "10.0.0.7"})
        assert other_inbox.status_code == 200
        assert forgot(client, "cy@example.com").status_code == 429  # the first address used up its share
        assert client.get("/password/forgot").status_code == 200  # reading the form is not limited
    finally:
        app.config["FORGOT_PASSWORD_RATE_LIMIT"] = "1000 per minute"


def test_the_login_page_links_to_forgot_password(client):
    assert b'href="/password/forgot"' in client.get("/login").data


def test_the_profile_offers_an_invitation_to_admins_and_hr_only(client, db):
    person = make_user()
    sign_in(client, make_user(Role.HR))
    assert f'href="/admin/invitations?user_ids={person.id}"'.encode() in client.get(f"/people/{person.id}").data
    sign_in(client, make_user(Role.MANAGER))
    assert b"Invite to sign in" not in client.get(f"/people/{person.id}").data

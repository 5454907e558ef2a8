"""Sessions and sign-in behind a proxy: server-side sign-out, failed-login limits, HSTS, no-store."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from tests.conftest import config_for, sign_in
from tests.factories import PASSWORD, make_user
from webapp import clock, create_app
from webapp.config import ProductionConfig
from webapp.roles import Role

COOKIES = ("session", "remember_token")


def post_login(client, email, password=PASSWORD, address=None, remember=False):
    headers = {"X-Forwarded-For": address} if address else {}
    data = {"email": email, "password": password, **({"remember": "y"} if remember else {})}
    return client.post("/login", data=data, headers=headers)


def copy_cookies(source, target, names=COOKIES) -> None:
    for name in names:
        target.set_cookie(name, source.get_cookie(name).value)


@pytest.fixture
def ada(db):
    user = make_user(password=PASSWORD, email="ada@example.com")
    db.session.commit()
    return user


@pytest.mark.parametrize("copied", [COOKIES, ("remember_token",), ("session",)])
def test_copied_cookies_stop_working_after_sign_out(app, client, ada, copied):
    assert post_login(client, "ada@example.com", remember=True).status_code == 302
    thief = app.test_client()
    copy_cookies(client, thief, copied)
    assert thief.get("/").status_code == 200

    assert client.post("/logout").status_code == 302

    assert thief.get("/").status_code == 302
    assert "/login" in thief.get("/").headers["Location"]


def test_sign_out_ends_the_other_devices_too(app, client, ada):
    other_device = app.test_client()
    post_login(client, "ada@example.com")
    post_login(other_device, "ada@example.com")
    client.post("/logout")
    assert other_device.get("/").status_code == 302
    assert post_login(other_device, "ada@example.com").status_code == 302  # signing in again works
    assert other_device.get("/").status_code == 200


def test_a_copied_cookie_stops_working_after_a_password_change(app, client, ada):
    post_login(client, "ada@example.com", remember=True)
    thief = app.test_client()
    copy_cookies(client, thief, ("remember_token",))
    new = "a brand new secret"
    assert client.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new}).status_code == 302
    assert thief.get("/").status_code == 302
    assert client.get("/").status_code == 200


def test_the_remember_cookie_lasts_the_configured_time(app, client, ada):
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=3)
    try:
        post_login(client, "ada@example.com", remember=True)
    finally:
        app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=14)
    expires = client.get_cookie("remember_token").expires
    assert timedelta(days=3) - timedelta(minutes=5) < expires - clock.now() <= timedelta(days=3)


def _bad_logins(client, count, address=None, email="nobody@example.com"):
    return [post_login(client, email, "wrong password", address).status_code for _ in range(count)]


def test_behind_a_trusted_proxy_each_client_address_has_its_own_failed_login_budget(database_url, app, db, caplog):
    make_user(password=PASSWORD, email="bob@example.com")
    db.session.commit()
    proxied = create_app(config_for(database_url, TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="3 per minute"))
    attacker, colleague = proxied.test_client(), proxied.test_client()

    with caplog.at_level(logging.WARNING, logger="webapp.auth.views"):
        assert _bad_logins(attacker, 4, "203.0.113.9") == [400, 400, 400, 429]
    assert [r.getMessage() for r in caplog.records if r.name == "webapp.auth.views"] == [
        "failed sign-in from 203.0.113.9"] * 3

    assert post_login(colleague, "bob@example.com", address="198.51.100.7").status_code == 302
    assert colleague.get("/").status_code == 200


def test_without_a_trusted_proxy_a_forwarded_address_is_not_believed(database_url, app, db):
    make_user(password=PASSWORD, email="bob@example.com")
    db.session.commit()
    direct = create_app(config_for(database_url, TRUSTED_PROXIES=0, LOGIN_RATE_LIMIT="3 per minute"))
    attacker = direct.test_client()

    statuses = [post_login(attacker, "nobody@example.com", "wrong", f"203.0.113.{n}").status_code for n in range(4)]

    assert statuses == [400, 400, 400, 429]  # a new X-Forwarded-For each time does not buy new attempts


def test_a_locked_account_does_not_lock_out_another(app, client, db, ada):
    make_user(password=PASSWORD, email="bob@example.com")
    db.session.commit()
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "3 per minute"

    assert _bad_logins(client, 3, email="ada@example.com") == [400, 400, 400]
    assert post_login(client, "ADA@example.com ").status_code == 429  # the account is locked, however written
    assert post_login(app.test_client(), "ada@example.com").status_code == 429  # from anywhere
    assert post_login(client, "bob@example.com").status_code == 302


def test_successful_sign_ins_are_not_counted(app, ada):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "3 per minute"
    for _ in range(5):
        assert post_login(app.test_client(), "ada@example.com").status_code == 302
    client = app.test_client()
    assert _bad_logins(client, 4, email="ada@example.com") == [400, 400, 400, 429]


def test_production_sends_strict_transport_security(database_url, app, client):
    production = create_app(type("Prod", (ProductionConfig,), {"SECRET_KEY": "x" * 40,
                                                               "SQLALCHEMY_DATABASE_URI": database_url}))
    assert production.test_client().get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/login").headers  # development over plain HTTP


def test_authenticated_pages_and_exports_are_not_stored(client, db):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    make_user()  # a second function, for the scorecard's pair
    sign_in(client, make_user(Role.LEADER, Role.MANAGER))
    for path in ("/", "/people", "/scorecard.csv", "/visits/planned.ics", "/visits/export.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    assert "no-store" not in client.get("/static/app.css").headers.get("Cache-Control", "")

"""Signing in and out, passwords, rate limits, sessions, CSRF, headers, production safety."""
from __future__ import annotations

import re

import pytest

from tests.conftest import config_for, sign_in
from tests.factories import PASSWORD, make_user
from webapp import create_app
from webapp.auth.models import AuditEntry
from webapp.config import DEFAULT_SECRET_KEY, ProductionConfig
from webapp.roles import Role


def post_login(client, email, password, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def test_sign_in_with_the_right_password_goes_home(client, db):
    user = make_user(password=PASSWORD, email="ada@example.com")
    db.session.commit()
    response = post_login(client, "ADA@example.com ", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert db.session.get(type(user), user.id).last_login_at is not None


@pytest.mark.parametrize("email,password", [("ada@example.com", "wrong password"), ("nobody@example.com", PASSWORD)])
def test_sign_in_failure_says_so_without_telling_which_part(client, db, email, password):
    make_user(password=PASSWORD, email="ada@example.com")
    db.session.commit()
    response = post_login(client, email, password)
    assert response.status_code == 400
    assert b"do not match an active account" in response.data
    assert client.get("/").status_code == 302


def test_deactivated_people_cannot_sign_in(client, db):
    make_user(password=PASSWORD, email="gone@example.com", active=False)
    db.session.commit()
    assert post_login(client, "gone@example.com", PASSWORD).status_code == 400


def test_missing_fields_are_reported_on_the_form(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 400
    assert b"This field is required" in response.data


@pytest.mark.parametrize(
    "next_url,expected",
    [("/people", "/people"), ("//evil.example/x", "/"), ("https://evil.example/", "/"), ("/\\evil.example", "/")],
)
def test_next_parameter_accepts_only_local_paths(client, db, next_url, expected):
    make_user(password=PASSWORD, email="ada@example.com")
    db.session.commit()
    response = post_login(client, "ada@example.com", PASSWORD, next_url)
    assert response.headers["Location"] == expected


def test_sign_in_renews_the_session(client, db):
    make_user(password=PASSWORD, email="ada@example.com")
    db.session.commit()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    post_login(client, "ada@example.com", PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_login_is_rate_limited_with_a_clear_message(app, client, db):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    make_user(password=PASSWORD, email="ada@example.com")
    db.session.commit()
    statuses = [post_login(client, "ada@example.com", "wrong").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    response = post_login(client, "ada@example.com", PASSWORD)
    assert response.status_code == 429
    assert b"Too many requests" in response.data
    assert client.get("/login").status_code == 200  # reading the form is not limited


def test_sign_out_is_a_post_and_ends_the_session(client, db):
    user = make_user()
    db.session.commit()
    sign_in(client, user)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_change_password_checks_the_current_one(client, db):
    user = make_user(password=PASSWORD)
    db.session.commit()
    sign_in(client, user)
    response = client.post(
        "/account/password",
        data={"current": "not it at all", "new": "a brand new secret", "confirm": "a brand new secret"},
    )
    assert response.status_code == 400 and b"current password is not correct" in response.data
    response = client.post("/account/password", data={"current": PASSWORD, "new": "short", "confirm": "short"})
    assert response.status_code == 400 and b"at least 10 characters" in response.data
    response = client.post(
        "/account/password", data={"current": PASSWORD, "new": "a brand new secret", "confirm": "another secret!!"}
    )
    assert response.status_code == 400 and b"two passwords differ" in response.data


def test_changing_the_password_signs_out_other_sessions(app, client, db):
    user = make_user(password=PASSWORD)
    db.session.commit()
    other_device = app.test_client()
    sign_in(client, user)
    sign_in(other_device, user)
    response = client.post(
        "/account/password", data={"current": PASSWORD, "new": "a brand new secret", "confirm": "a brand new secret"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302
    assert db.session.get(type(user), user.id).check_password("a brand new secret")
    assert db.session.query(AuditEntry).filter_by(action="password.change").count() == 1


def test_security_headers_and_strict_csp(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_inline_script_or_style_in_pages(client, db):
    sign_in(client, make_user(Role.ADMIN))
    db.session.commit()
    for path in ["/", "/people", "/admin/functions", "/people/import", "/admin/people/new"]:
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), path
        assert " style=" not in html and "<style" not in html, path
        assert " on" + "click=" not in html, path


def test_session_cookie_flags(client, db):
    make_user(password=PASSWORD, email="ada@example.com")
    db.session.commit()
    cookie = post_login(client, "ada@example.com", PASSWORD).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_refuses_the_default_secret_key():
    config = type("Prod", (ProductionConfig,), {"SECRET_KEY": DEFAULT_SECRET_KEY})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_production_starts_with_a_real_secret_key_and_secure_cookies(database_url):
    config = type("Prod", (ProductionConfig,), {"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": database_url})
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_csrf_is_required_on_every_state_change(database_url, app):
    """With CSRF on (as in production), every POST route refuses a request without the token."""
    strict = create_app(config_for(database_url, WTF_CSRF_ENABLED=True))
    client = strict.test_client()
    post_rules = [rule for rule in strict.url_map.iter_rules() if "POST" in rule.methods]
    assert post_rules
    for rule in post_rules:
        url = rule.build({arg: _sample(arg) for arg in rule.arguments}, append_unknown=False)[1]
        response = client.post(url, data={"anything": "x"})
        assert response.status_code == 400, url
        assert b"expired or was sent twice" in response.data, url


def _sample(arg: str):
    return "people" if arg == "kind" else "token" if arg == "token" else 1


def test_upload_larger_than_the_limit_gets_a_clear_413(app, client, db):
    sign_in(client, make_user(Role.ADMIN))
    db.session.commit()
    big = b"email,name,function\n" + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    import io

    response = client.post("/people/import", data={"file": (io.BytesIO(big), "big.csv")})
    assert response.status_code == 413
    assert b"larger than the limit" in response.data


def test_an_unexpected_error_shows_a_friendly_500_and_writes_nothing(database_url, app, db):
    from webapp.auth.access import public
    from webapp.extensions import db as database
    from webapp.people.models import Function

    broken = create_app(config_for(database_url))

    @broken.route("/boom")
    @public
    def boom():
        database.session.add(Function(name="Half written", code="HALF", colour="#000000"))
        database.session.flush()
        raise RuntimeError("bug")

    response = broken.test_client().get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data and b"Nothing was saved" in response.data
    assert db.session.query(Function).filter_by(code="HALF").count() == 0

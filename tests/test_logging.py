"""Failures are visible: one line per event on stdout, tagged with the request id; tracebacks and audits logged."""
from __future__ import annotations

import logging

from tests.conftest import config_for, sign_in
from tests.factories import make_user
from webapp import create_app
from webapp.auth.access import public
from webapp.roles import Role


def _app_with_a_bug(database_url):
    broken = create_app(config_for(database_url))

    @broken.route("/boom")
    @public
    def boom():
        raise RuntimeError("the bug under test")

    return broken


def test_an_unexpected_error_logs_its_traceback_with_the_request_id_and_still_renders_the_500_page(
    database_url, app, capsys
):
    response = _app_with_a_bug(database_url).test_client().get("/boom", headers={"X-Request-ID": "trace-me-42"})

    assert response.status_code == 500
    assert b"Something went wrong" in response.data and b"trace-me-42" in response.data
    assert response.headers["X-Request-ID"] == "trace-me-42"
    lines = [line for line in capsys.readouterr().out.splitlines() if "the bug under test" in line]
    assert len(lines) == 1, "the event, traceback included, is one line"
    line = lines[0]
    assert "ERROR webapp.main.errors [trace-me-42] unexpected error on GET /boom" in line
    assert "Traceback (most recent call last)" in line and "RuntimeError: the bug under test" in line


def test_a_traceback_reaches_any_handler_with_the_request_id(database_url, app, caplog):
    caplog.set_level(logging.ERROR)
    response = _app_with_a_bug(database_url).test_client().get("/boom")

    assert response.status_code == 500
    [record] = [r for r in caplog.records if r.exc_info]
    assert record.exc_info[0] is RuntimeError
    assert record.request_id == response.headers["X-Request-ID"]


def test_every_response_carries_a_request_id_and_an_insane_one_is_replaced(client):
    generated = client.get("/login").headers["X-Request-ID"]
    assert len(generated) == 32 and generated.isalnum()
    assert client.get("/login").headers["X-Request-ID"] != generated
    hostile = client.get("/login", headers={"X-Request-ID": "x\" onload=alert(1) " + "y" * 80})
    assert hostile.headers["X-Request-ID"] != hostile.request.headers["X-Request-ID"]
    assert client.get("/nowhere", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"


def test_administrative_actions_are_logged_at_info(client, db, caplog):
    caplog.set_level(logging.INFO, logger="webapp.auth.services")
    admin = make_user(Role.ADMIN)
    db.session.commit()
    sign_in(client, admin)

    response = client.post("/admin/functions/new", data={"name": "Legal", "code": "LEG", "colour": "#112233"})

    assert response.status_code in (302, 303)
    [record] = [r for r in caplog.records if r.getMessage().startswith("audit ")]
    assert record.levelno == logging.INFO
    assert f"by user {admin.id}" in record.getMessage() and "Function" in record.getMessage()
    assert record.request_id == response.headers["X-Request-ID"]


def test_the_log_level_is_a_setting(database_url, app):
    create_app(config_for(database_url, LOG_LEVEL="WARNING"))
    assert logging.getLogger().level == logging.WARNING
    create_app(config_for(database_url, LOG_LEVEL="INFO"))
    assert logging.getLogger().level == logging.INFO

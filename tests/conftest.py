"""Fixtures: a real database (SQLite file, or PostgreSQL via TEST_DATABASE_URL), app, client, db.

CG_STRICT=1 (set by `make test` in CI) turns every skipped test into a failure, so a browser
or PostgreSQL suite that cannot run never passes as green.
"""
from __future__ import annotations

import contextvars
import logging
import os
import shutil
import tempfile

import pytest
import time_machine
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from tests import timeline
from webapp import create_app
from webapp.cache import cache
from webapp.config import TestConfig
from webapp.extensions import db as _db
from webapp.extensions import limiter

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
STRICT = os.environ.get("CG_STRICT") == "1"


def pytest_report_header(config) -> str:
    backend = "PostgreSQL" if TEST_DATABASE_URL.startswith("postgresql") else "SQLite"
    return f"database: {backend}; strict (skips fail): {STRICT}; clock starts at {timeline.START:%Y-%m-%d %H:%M} UTC"


_session_travel = time_machine.travel(timeline.START, tick=True)
logging.getLogger("mail.log").setLevel(logging.WARNING)  # the tests' SMTP server (aiosmtpd) talks a lot


def pytest_configure(config) -> None:
    """Move the clock before collection, so module-level dates agree with the session's day."""
    _session_travel.start()


def pytest_unconfigure(config) -> None:
    _session_travel.stop()
    shutil.rmtree(CACHE_DIR, ignore_errors=True)


def _fail_skips(report) -> None:
    if STRICT and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped in strict mode (CG_STRICT=1): {report.longrepr}"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report) -> None:
    _fail_skips(report)


@pytest.hookimpl(tryfirst=True)
def pytest_collectreport(report) -> None:
    _fail_skips(report)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


# One file cache for every app of the session, as the workers of one server share one: a write through the
# tests' app invalidates what the browser tests' live server cached (cleared after each test). In the
# environment: pytest imports this file a second time as tests.conftest, which must not make a second one.
CACHE_DIR = os.environ.get("CG_TEST_CACHE_DIR") or os.environ.setdefault(
    "CG_TEST_CACHE_DIR", tempfile.mkdtemp(prefix="cg-test-cache-"))


def config_for(database_url: str, **overrides) -> type[TestConfig]:
    """A TestConfig subclass bound to database_url and the session's cache, with overrides."""
    return type(
        "BoundTestConfig",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": database_url, "CACHE_TYPE": "FileSystemCache", "CACHE_DIR": CACHE_DIR, **overrides},
    )


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context (own g, own db session), as in production.

    The test's session is committed before a request, so factories' objects are visible,
    and expired after it, so the test reads what the request wrote.
    """

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect followed inside the request's own context
            return super().open(*args, **kwargs)
        _db.session.commit()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            _db.session.expire_all()


@pytest.fixture(scope="session")
def session_app(database_url):
    app = create_app(config_for(database_url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.create_all()
    return app


def wipe_database() -> None:
    """Delete every row (foreign keys off on SQLite, TRUNCATE ... CASCADE on PostgreSQL)."""
    _db.session.remove()
    tables = _db.metadata.sorted_tables
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for table in reversed(tables):
                conn.execute(table.delete())
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")


@pytest.fixture
def app(session_app):
    with session_app.app_context():
        limiter.reset()
        yield session_app
        wipe_database()
        cache.clear()  # the app outlives the test; its cached pages must not
    session_app.config["LOGIN_RATE_LIMIT"] = TestConfig.LOGIN_RATE_LIMIT
    session_app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = TestConfig.LOGIN_ACCOUNT_RATE_LIMIT


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


def sign_in(client, user) -> None:
    """Put user in the test client's session without the (slow, hashed) sign-in form."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def signed_in_client(client):
    """Returns a function: sign in a user on the shared test client and return the client."""

    def _sign_in(user):
        _db.session.commit()
        sign_in(client, user)
        return client

    return _sign_in

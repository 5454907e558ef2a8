"""Scale-out: two app servers share one Redis (CG_TEST_REDIS_URL, started by .ci/test-suite).

A write through one server is seen through the other at once (the cache is invalidated across processes),
and the login rate limit counts the attempts made at both. Without Redis these tests skip (CG_STRICT=1: fail).
"""
from __future__ import annotations

import http.cookiejar
import os
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.bench.harness import gunicorn
from tests.factories import make_user
from tests.text import captured
from webapp.notifications.services import notify
from webapp.roles import Role

REDIS_URL = os.environ.get("CG_TEST_REDIS_URL", "")
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs Redis: set CG_TEST_REDIS_URL (.ci/test-suite does)")


class Browser:
    """One person's cookies against one server; answers (status, body) without following redirects."""

    def __init__(self, base: str, jar: http.cookiejar.CookieJar | None = None) -> None:
        self.base = base
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, str], token_from: str) -> tuple[int, str]:
        """POST data with the CSRF token of the form on token_from."""
        _, page = self.get(token_from)
        token = captured(r'"X-CSRFToken": "([^"]+)"', page)  # base.html sends it with htmx
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=90) as response:  # the shared machine can be slow
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@pytest.fixture
def two_servers(app, database_url) -> Iterator[tuple[str, str]]:
    """Two gunicorn servers (one worker each) on the test database, sharing Redis under a fresh key prefix."""
    env = {"CACHE_REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": f"cg-test-{secrets.token_hex(4)}:",
           "LOGIN_RATE_LIMIT": "3 per minute", "RATELIMIT_STORAGE_URI": ""}
    with ExitStack() as stack:
        first, second = (stack.enter_context(gunicorn(database_url, workers=1, env=env))[0] for _ in range(2))
        yield first, second


def _signed_in(base: str, email: str) -> Browser:
    browser = Browser(base)
    status, _ = browser.post("/login", {"email": email, "password": PASSWORD}, token_from="/login")
    assert status == 302
    return browser


def _bell_count(browser: Browser) -> int:
    status, body = browser.get("/notifications/bell")
    assert status == 200
    return int(captured(r'id="notification-count"[^>]*>(\d+)<', body))


def test_a_write_through_one_server_is_seen_through_the_other_at_once(two_servers, db):
    first, second = two_servers
    person = make_user(email="pat@example.com", password=PASSWORD)
    for n in range(2):
        notify(person, "info", f"Notice {n}")
    db.session.commit()
    at_first = _signed_in(first, "pat@example.com")
    at_second = Browser(second, at_first.jar)  # the same browser session, the next request on the other server
    assert _bell_count(at_second) == 2  # now cached in Redis
    assert _bell_count(at_second) == 2
    status, _ = at_first.post("/notifications/read-all", {}, token_from="/notifications")
    assert status == 303
    assert _bell_count(at_second) == 0


def test_the_login_limit_counts_attempts_at_both_servers(two_servers, db):
    first, second = two_servers
    make_user(email="sam@example.com", password=PASSWORD)
    db.session.commit()
    statuses = [Browser(base).post("/login", {"email": "sam@example.com", "password": "wrong"}, token_from="/login")[0]
                for base in (first, second, first, second)]
    assert statuses == [400, 400, 400, 429]


def test_a_person_deactivated_through_one_server_is_signed_out_at_the_other_at_once(two_servers, db):
    """Each worker keeps the signed-in person in its own memory too; the shared generation still decides."""
    first, second = two_servers
    make_user(Role.ADMIN, email="ada@example.com", password=PASSWORD)
    person = make_user(email="lee@example.com", password=PASSWORD)
    db.session.commit()
    lee = _signed_in(second, "lee@example.com")
    assert lee.get("/")[0] == 200 and lee.get("/")[0] == 200  # the second read comes from the worker's memory
    admin = _signed_in(first, "ada@example.com")
    status, _ = admin.post(f"/admin/people/{person.id}/active", {"active": "0", "confirmed": "1"},
                           token_from=f"/people/{person.id}")
    assert status == 303
    status, _ = lee.get("/")
    assert status == 302  # to the sign-in page: the deactivation reached the other server's memory

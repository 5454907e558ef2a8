"""Browser fixtures: a live server on a real port, Debian's Chromium through Playwright, axe-core.

The live server is a second app on the same database as the tests, with CSRF on (as in
production). Every page fails its test on a console error (CSP violations show there).
"""
from __future__ import annotations

import os
import re
import shutil
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import config_for, sign_in  # noqa: F401
from webapp import create_app

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DEMO_PASSWORD = "correct horse battery"
_axe = Axe()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(database_url, session_app):
    """Serve a CSRF-protected app on 127.0.0.1 on a free port, in a daemon thread."""
    app = create_app(config_for(database_url, WTF_CSRF_ENABLED=True, NOTIFICATION_POLL_SECONDS=1))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def base_url(live_server):
    """pytest-playwright's base_url: the live server."""
    return live_server


@pytest.fixture(autouse=True)
def _clean_database(app):
    """Every browser test starts and ends with an empty database (the app fixture wipes it)."""
    yield


@pytest.fixture(autouse=True)
def console_errors(request):
    """Console and page errors of the test's page; the test fails if any are left at the end.

    A test that provokes an error on purpose (a 404 page) removes it from the list.
    """
    errors: list[str] = []
    if "page" in request.fixturenames:
        page = request.getfixturevalue("page")
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield errors
    assert errors == [], f"browser console errors: {errors}"


def assert_accessible(page) -> None:
    """Run axe-core (WCAG 2.2 A/AA) on the current page and check it fits its viewport; fail with the report."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()
    assert_fits(page)


def assert_accessible_at_both_widths(page) -> None:
    """assert_accessible at a desktop's 1280 px and a phone's 390 px, then back to 1280."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def reduced_motion(page):
    """Bootstrap drops its colour transitions for reduced motion, so axe never measures a half-faded button."""
    page.emulate_media(reduced_motion="reduce")


def assert_fits(page) -> None:
    """Fail when the document is wider than the viewport (the page would scroll sideways), naming the culprits."""
    overflow = page.evaluate("""() => {
        const width = window.innerWidth;
        if (document.documentElement.scrollWidth <= width) return null;
        const wide = [...document.querySelectorAll("body *")].filter(el => el.getBoundingClientRect().right > width + 1)
            .filter(el => !el.parentElement.closest(".table-responsive"))
            .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : ""));
        return {scrollWidth: document.documentElement.scrollWidth, width, wide};
    }""")
    assert overflow is None, f"{page.url} scrolls sideways: {overflow}"


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def open_menu(page, menu: str, item: str) -> None:
    """Follow a link in one of the navigation menus, as a user does: open the menu, click the item."""
    navigation = page.get_by_role("navigation", name="Main")
    navigation.get_by_role("button", name=menu, exact=True).click()
    navigation.get_by_role("link", name=item, exact=True).click()


def pick(page, label: str, *names: str) -> None:
    """Choose people in a searchable picker by keyboard only: type each name, Enter takes the match."""
    box = page.get_by_role("combobox", name=label)
    chosen = box.locator("xpath=..")  # Tom Select's control: the chosen items, then the search input
    box.focus()
    for name in names:
        page.keyboard.type(name)
        match = page.get_by_role("option", name=re.compile(rf"^{re.escape(name)}( —|$)"))
        expect(match).to_have_class(re.compile(r"\bactive\b"))
        page.keyboard.press("Enter")
        expect(chosen.locator(".item", has_text=name)).to_have_count(1)

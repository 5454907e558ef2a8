"""Every GET page of the app, for each role, at 1280 and then 390 px, on the demo organisation: axe clean
(WCAG 2.2 A/AA) and nothing wider than the viewport.

The walk starts from every GET route without parameters (app.url_map) and follows the links it finds,
so each endpoint with ids is reached through a real link; one URL per endpoint and role.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from werkzeug.exceptions import HTTPException

from tests.browser.conftest import assert_accessible, assert_fits, log_in
from webapp.cli import DEMO_SEEDERS
from webapp.roles import Role

pytestmark = pytest.mark.browser
DEMO_LOGIN_PASSWORD = "demo-password"
WIDTHS = (1280, 390)
NOT_PAGES = {"static", "auth.login", "main.health"}


@pytest.fixture
def demo(db):
    for _, _, seeder in DEMO_SEEDERS:
        seeder()
    db.session.commit()


def _start_paths(app) -> list[str]:
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments and rule.endpoint not in NOT_PAGES)


def _is_full_page(response) -> bool:
    return (response.ok and response.headers.get("content-type", "").startswith("text/html")
            and response.text().lstrip()[:15].lower() == "<!doctype html>")


def walk_every_page(page, app) -> tuple[list[str], list[str]]:
    """Visit one URL per GET endpoint reachable from the start paths; check each full page at each width.

    Returns the endpoints checked and the problems found (each page's axe report or overflow).
    """
    adapter = app.url_map.bind("localhost")
    queue, checked, problems, seen = _start_paths(app), [], [], set()
    while queue:
        path = queue.pop(0)
        try:
            endpoint, _ = adapter.match(urlsplit(path).path, method="GET")
        except HTTPException:  # a link outside the app's routes, a POST-only one or a redirecting rule
            continue
        if endpoint in seen or endpoint in NOT_PAGES:
            continue
        seen.add(endpoint)
        if not _is_full_page(page.request.get(path, max_redirects=0)):
            continue  # a download, a fragment, a redirect or a page this role may not see
        page.goto(path)
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            try:
                assert_accessible(page)
            except AssertionError as problem:
                problems.append(f"{path} at {width} px: {problem}")
        checked.append(endpoint)
        queue += page.eval_on_selector_all("a[href^='/']", "links => links.map(a => a.getAttribute('href'))")
    return checked, problems


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_every_page_is_accessible_and_fits(page, app, demo, role):
    log_in(page, f"{role.value}@demo.commonground.example", DEMO_LOGIN_PASSWORD)
    checked, problems = walk_every_page(page, app)
    assert not problems, "\n\n".join(problems)
    assert {"main.home", "people.directory", "recognition.feed", "rotation.index", "people.profile"} <= set(checked)
    assert {"joint_reviews.index", "joint_reviews.library", "joint_reviews.completion", "joint_reviews.review",
            "joint_reviews.open_review"} <= set(checked)  # joint reviews
    assert {"business_review.reviews", "business_review.review", "business_review.print_pack"} <= set(checked)
    assert {"resource_requests.index", "resource_requests.detail", "resource_requests.request_form"} <= set(checked)
    assert {"main.home", "people.directory", "recognition.feed", "rotation.index", "people.profile",
            "early_warnings.index", "early_warnings.warning_form", "early_warnings.reconciliation"} <= set(checked)
    if role in (Role.LEADER, Role.MANAGER, Role.EMPLOYEE):  # people of Finance or Operations see the pair's warnings
        assert "early_warnings.detail" in checked


def test_the_overflow_check_fails_on_a_page_wider_than_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 900})
    page.set_content('<table><tr><td><div style="width: 600px">wide</div></td></tr></table>')
    with pytest.raises(AssertionError, match="scrolls sideways"):
        assert_fits(page)
    page.set_content('<div style="overflow-x: auto"><div style="width: 600px">wide</div></div>')
    assert_fits(page)

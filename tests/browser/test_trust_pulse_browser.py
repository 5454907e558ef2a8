"""A pulse people finish, on a phone: skip the functions you do not work with, keep a draft in the browser only."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from programs.trust.models import TrustAnswer
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, make_function, make_user
from tests.trust.trust_factories import make_wave
from webapp.extensions import db as _db

pytestmark = pytest.mark.browser

FUNCTIONS = [("Finance", "FIN"), ("Operations", "OPS"), ("Sales", "SAL"), ("Engineering", "ENG"),
             ("People", "PPL"), ("Customer Success", "CS")]


def _card(page, name: str):
    return page.locator("section.pulse-target").filter(has=page.get_by_role("heading", name=f"Working with {name}"))


def _answer(card, statements: range) -> None:
    for index in statements:
        card.locator("fieldset.pulse-item").nth(index).get_by_text("Agree", exact=True).click()


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_respondent_who_works_with_three_functions_finishes_on_a_390px_phone(page, db):
    functions = {name: make_function(name, code) for name, code in FUNCTIONS}
    make_user(name="Fay Finance", email="fay@example.com", function=functions["Finance"], password=PASSWORD)
    wave = make_wave(list(functions.values()), title="Pulse Q4")
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "fay@example.com", PASSWORD)
    expect(page.get_by_text("It takes at most about 7 minutes")).to_be_visible()  # five functions, before skipping
    page.get_by_role("link", name="Answer Pulse Q4").click()
    assert _no_horizontal_overflow(page)
    assert_accessible(page)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.method))

    for name in ("People", "Customer Success"):
        page.get_by_text(f"I don't work with {name}: skip them").click()
        expect(_card(page, name).locator("[data-pulse-items]")).to_be_hidden()
    _answer(_card(page, "Operations"), range(6))
    _answer(_card(page, "Sales"), range(3))
    page.reload()  # a draft survives: in this browser only
    expect(_card(page, "Sales").locator("fieldset.pulse-item").nth(2).get_by_label("Agree", exact=True)).to_be_checked()
    expect(_card(page, "People").locator("[data-pulse-items]")).to_be_hidden()
    assert set(sent) == {"GET"}, "nothing may be sent before the respondent presses Send"

    _answer(_card(page, "Sales"), range(3, 6))
    _answer(_card(page, "Engineering"), range(6))
    _card(page, "Engineering").get_by_text("8", exact=True).click()
    assert _no_horizontal_overflow(page)
    assert_accessible(page)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status").first).to_contain_text("your answers are in")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('pulse-draft')).length") == 0
    rated = set(_db.session.scalars(select(TrustAnswer.target_function_id).distinct()))
    assert rated == {functions[name].id for name in ("Operations", "Sales", "Engineering")}
    assert wave.id is not None

"""The filters people read numbers, dates and codes through: one style, the organisation's locale and zone."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import render_template_string

from tests.conftest import sign_in
from tests.factories import make_user
from webapp.formatting import date_filter, datetime_filter, label, money, number, plural, quantity, signed
from webapp.main.scorecard import Figure
from webapp.roles import Role


@pytest.fixture
def paris(app, monkeypatch):
    monkeypatch.setitem(app.config, "ORG_TIMEZONE", "Europe/Paris")
    with app.test_request_context():
        yield


def test_dates_have_one_style_and_moments_the_organisations_time(paris):
    late_evening_utc = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert date_filter(date(2027, 2, 1)) == "1 Feb 2027"
    assert date_filter(late_evening_utc) == "1 Jan 2027"  # already the new year in Paris
    assert datetime_filter(late_evening_utc) == "1 Jan 2027, 00:30"
    assert date_filter(None) == datetime_filter(None) == ""


def test_the_locale_is_a_setting(app, monkeypatch):
    monkeypatch.setitem(app.config, "ORG_LOCALE", "de_DE")
    with app.test_request_context():
        assert date_filter(date(2027, 2, 1)) == "01.02.2027"
        assert number(42000) == "42.000" and money(42000) == "EUR 42.000"


def test_counts_are_integers_and_changes_carry_their_sign(app):
    with app.test_request_context():
        assert number(1.0) == "1" and number(12345) == "12,345" and number(2.25, 1) == "2.2"
        assert signed(0.0) == "+0" and signed(-6) == "-6" and signed(2.5, 1) == "+2.5"
        assert number(None) == signed(None) == "—"


def test_money_shows_the_currency_code_and_no_cents(app):
    with app.test_request_context():
        assert money(42000.0) == "EUR 42,000"
        assert money(1500, "USD") == "USD 1,500"
        assert quantity(Decimal("42000.00"), "EUR") == "EUR 42,000"
        assert quantity(Decimal("12.50"), "hours") == "12.50 hours" and quantity(3, "days") == "3 days"


def test_plurals_follow_the_count(app):
    with app.test_request_context():
        assert plural(1, "active person", "active people") == "1 active person"
        assert plural(3, "active person", "active people") == "3 active people"
        assert plural(1, "joint win") == "1 joint win" and plural(0, "joint win") == "0 joint wins"
        assert plural(1200, "kudos", "kudos") == "1,200 kudos"


def test_codes_read_as_names(app):
    assert label("one-team") == "One team" and label("customer-first") == "Customer first"
    assert label(Role.HR) == "HR" and label("manager") == "Manager" and label(None) == ""


def test_the_filters_are_there_for_templates(app):
    with app.test_request_context():
        html = render_template_string(
            "{{ d|date }} {{ 3|plural('win') }} {{ -2|signed }} {{ 5e4|money }} {{ 'hr'|label }}", d=date(2026, 10, 29)
        )
    assert html == "29 Oct 2026 3 wins -2 EUR 50,000 HR"


def test_pages_use_the_filters(client, db):
    hr = make_user(Role.HR, hired_on=date(2020, 2, 1))
    sign_in(client, hr)
    home = client.get("/").get_data(as_text=True)
    assert "1 active person." in home
    profile = client.get(f"/people/{hr.id}").get_data(as_text=True)
    assert ">HR</span>" in profile and "1 Feb 2020" in profile and "2020-02-01" not in profile


def test_scorecard_counts_show_as_integers_with_their_unit():
    wins = Figure("Joint wins", 1.0, "wins", previous=1.0, series=[("2026-Q1", 0.0), ("2026-Q2", 1.0)])
    assert (wins.digits, wins.unit_label, number(wins.value, wins.digits), signed(wins.change, wins.digits)) == \
        (0, "win", "1", "+0")
    score = Figure("Trust", 3.5, "index 0-100", previous=4.0)
    assert (score.digits, score.unit_label, signed(score.change, score.digits)) == (1, "index 0-100", "-0.5")

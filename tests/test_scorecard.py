"""The scorecard lays out whatever the pillars register, for a quarter and a function pair."""
from __future__ import annotations

from datetime import UTC

import pytest

from tests.conftest import sign_in
from tests.factories import make_function, make_user
from webapp.main import scorecard as registry
from webapp.main.scorecard import Figure, quarterly_series, register_scorecard_figure
from webapp.periods import Quarter
from webapp.roles import Role


def test_quarters_parse_step_and_trail():
    q = Quarter.parse("2026-Q1")
    assert q == Quarter(2026, 1) and str(q.previous()) == "2025-Q4" and str(q.next()) == "2026-Q2"
    assert [str(x) for x in q.trailing(3)] == ["2025-Q3", "2025-Q4", "2026-Q1"]
    assert q.start.isoformat() == "2026-01-01" and q.end.isoformat() == "2026-04-01"
    assert Quarter.parse("2026-Q5") is None and Quarter.parse("x") is None


@pytest.fixture
def leader(client, db, monkeypatch):
    monkeypatch.setattr(registry, "FIGURES", {row: [] for row in registry.ROWS})
    finance, operations = make_function("Finance", "FIN"), make_function("Operations", "OPS")
    user = make_user(Role.LEADER, function=finance)
    sign_in(client, user)
    return finance, operations


def joint_wins(quarter: Quarter, pair: tuple[int, int]) -> Figure:
    figure = quarterly_series(quarter, lambda q: float(q.number * 10 + sum(pair) % 3))
    figure.label, figure.unit, figure.drill_url = "Joint wins", "wins", "/people"
    return figure


def test_registered_figures_show_with_change_sparkline_and_table(client, leader):
    register_scorecard_figure("Collaboration", "joint-wins", joint_wins)
    html = client.get("/scorecard?quarter=2026-Q3").get_data(as_text=True)
    assert "Finance &amp; Operations, 2026-Q3" in html
    assert "Joint wins" in html and ">+10<" in html and "+10.0" not in html  # a count reads as an integer
    assert "<polyline" in html and "2026-Q2" in html
    assert html.count("No figures for this row yet.") == 3


def test_the_pair_can_be_chosen_and_bad_choices_are_explained(client, leader):
    finance, operations = leader
    register_scorecard_figure("Trust", "pair", lambda q, pair: Figure("Pair", float(pair[0] * 100 + pair[1])))
    html = client.get(f"/scorecard?quarter=2026-Q3&a={operations.id}&b={finance.id}").get_data(as_text=True)
    assert "Operations &amp; Finance" in html and str(operations.id * 100 + finance.id) in html
    response = client.get(f"/scorecard?a={finance.id}&b={finance.id}")
    assert response.status_code == 400 and "two different functions" in response.get_data(as_text=True)
    response = client.get("/scorecard?quarter=last-year")
    assert response.status_code == 400 and "2026-Q3" in response.get_data(as_text=True)


def test_csv_has_every_figure(client, leader):
    finance, operations = leader
    register_scorecard_figure("Collaboration", "joint-wins", joint_wins)
    register_scorecard_figure("Trust", "none", lambda q, pair: None)
    response = client.get("/scorecard.csv?quarter=2026-Q2")
    lines = response.get_data(as_text=True).strip().splitlines()
    offset = (finance.id + operations.id) % 3  # joint_wins: quarter number x 10 + this offset
    assert response.mimetype == "text/csv"
    assert lines == ["row,figure,quarter,value,unit,previous quarter,change",
                     f"Collaboration,Joint wins,2026-Q2,{20 + offset},wins,{10 + offset},10"]
    assert client.get("/scorecard.csv?quarter=bad").status_code == 400


def test_the_default_quarter_is_the_last_complete_one(client, leader):
    from datetime import datetime

    expected = Quarter.containing(datetime.now(UTC).date()).previous()
    assert f"Operations, {expected}</h1>" in client.get("/scorecard").get_data(as_text=True)

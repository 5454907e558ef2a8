"""The scorecard in the browser: choose a pair and quarter by keyboard; axe; sparkline with values."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, make_function, make_user
from webapp.main import scorecard as registry
from webapp.main.scorecard import quarterly_series, register_scorecard_figure
from webapp.roles import Role


def test_leader_reads_the_scorecard(page, db, monkeypatch):
    monkeypatch.setattr(registry, "FIGURES", {row: [] for row in registry.ROWS})

    def kudos(quarter, pair):
        figure = quarterly_series(quarter, lambda q: float(q.number))
        figure.label = "Cross-functional kudos"
        return figure

    register_scorecard_figure("Collaboration", "kudos", kudos)
    finance = make_function("Finance", "FIN")
    make_function("Operations", "OPS")
    make_function("Sales", "SAL")
    make_user(Role.LEADER, email="leader@example.com", function=finance, password=PASSWORD)
    db.session.commit()
    log_in(page, "leader@example.com", PASSWORD)
    tile = page.locator("#tile-scorecard")
    expect(tile).to_contain_text("Scorecard: Finance & Operations")
    expect(tile.get_by_role("row", name="Collaboration Cross-functional kudos")).to_be_visible()
    assert_accessible(page)
    tile.get_by_role("link", name="The whole scorecard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Finance & Operations")
    expect(page.get_by_role("img", name="Trend of Cross-functional kudos over 6 quarters")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Second function").select_option(label="Sales")
    page.get_by_role("button", name="Show").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Finance & Sales")
    page.get_by_text("Values").first.click()
    expect(page.get_by_role("table", name="Cross-functional kudos by quarter")).to_be_visible()
    assert_accessible(page)

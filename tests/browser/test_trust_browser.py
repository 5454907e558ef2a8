"""What people click in the trust pulse: answer on a phone, close the wave, read the matrix and charts."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from programs.trust.services import save_metric
from tests.browser.conftest import assert_accessible, log_in, open_menu
from tests.factories import PASSWORD, make_function, make_user
from tests.trust.trust_factories import answer, make_wave, quarterly_history
from webapp.roles import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def pulse(db):
    finance, operations = make_function("Finance", "FIN"), make_function("Operations", "OPS")
    hr = make_user(Role.HR, name="Hana HR", email="hr@example.com", function=finance, password=PASSWORD)
    employee = make_user(name="Erin Ops", email="employee@example.com", function=operations, password=PASSWORD)
    wave = make_wave([finance, operations], actor=hr, title="Pulse Q4")
    answer(wave, finance, 6, score=4)
    answer(wave, operations, 2, score=2)
    metric = save_metric(hr, None, "On-time delivery", "%", True, "monthly", "organisation")
    db.session.commit()
    return {"wave": wave, "hr": hr, "employee": employee, "metric": metric}


def test_an_employee_answers_on_a_phone_and_hr_closes_the_wave_and_reads_the_matrix(page, pulse):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "employee@example.com", PASSWORD)
    page.get_by_role("link", name="Answer Pulse Q4").click()
    expect(page.get_by_role("heading", level=2, name="Working with Finance")).to_be_visible()
    assert_accessible(page)
    statements = page.locator("fieldset.pulse-item")
    expect(statements).to_have_count(7)  # six statements and the optional 0-10 question
    for index in range(6):
        statements.nth(index).get_by_text("Agree", exact=True).click()
    page.get_by_text("8", exact=True).click()
    page.get_by_label("Anything else about working with Finance? (optional)").fill("Month end is smoother now.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status").first).to_contain_text("your answers are in")
    expect(page.get_by_role("link", name="Answer Pulse Q4")).to_have_count(0)
    assert_accessible(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Sign out").click()
    log_in(page, "hr@example.com", PASSWORD)
    open_menu(page, "Trust", "Pulse waves")
    assert_accessible(page)
    page.get_by_role("link", name="Pulse Q4").click()
    expect(page.locator("#table-rates")).to_contain_text("Operations")
    assert_accessible(page)
    page.get_by_role("link", name="Close this wave now…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close Pulse Q4?")
    assert_accessible(page)
    page.get_by_label("I understand: nobody can answer after this").check()
    page.get_by_role("button", name="Close the wave now").click()
    expect(page.locator("#wave-status")).to_have_text("closed")
    page.get_by_role("link", name="See the results").click()

    matrix = page.locator("#trust-matrix")
    expect(matrix).to_contain_text("fewer than 5 responses")  # Operations (3) rating Finance
    expect(matrix).to_contain_text("75 (n 6)")  # Finance rating Operations
    expect(page.locator("#matrix-chart[data-vega-ready='1'] svg")).to_have_count(1)
    expect(page.locator("#trends-chart[data-vega-ready='1'] svg")).to_have_count(1)
    assert_accessible(page)
    page.get_by_text("View as table").first.click()
    expect(page.locator("#table-pairs")).to_contain_text("fewer than 5 responses")

    page.get_by_label("Respondents").select_option("tenure:3y+")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#filter-refused")).to_contain_text("not available")
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    log_in(page, "employee@example.com", PASSWORD)
    open_menu(page, "Trust", "How we see each other")
    expect(page.locator("#matrix-chart[data-vega-ready='1'] svg")).to_have_count(1)
    expect(page.locator("#trust-moves")).to_contain_text("first wave")
    assert_accessible(page)


def test_hr_pages_and_the_outcome_chart_render_without_errors(page, pulse, db):
    from programs.trust.models import TrustMetricValue
    from programs.trust.services import close_wave
    from tests.trust.trust_factories import today

    close_wave(pulse["hr"], pulse["wave"], today())
    db.session.add_all(TrustMetricValue(metric_id=pulse["metric"].id, period=f"{today().year}-{m:02d}",
                                        value=80.0 + m, function_key=0) for m in range(1, 13))
    db.session.commit()
    log_in(page, "hr@example.com", PASSWORD)
    for path in ["/trust/waves/new", "/trust/templates", "/trust/templates/1", "/trust/outcomes", "/trust/outcomes/new",
                 f"/trust/waves/{pulse['wave'].id}/preview"]:
        page.goto(path)
        assert_accessible(page)
    page.goto(f"/trust/outcomes/{pulse['metric'].id}")
    expect(page.locator("#outcome-chart[data-vega-ready='1'] svg")).to_have_count(1)
    expect(page.locator("#table-lags")).to_contain_text("Too few quarter-on-quarter changes")
    assert_accessible(page)


def test_the_outcome_scatter_renders_with_its_line_and_table(page, db):
    finance, operations = make_function("Finance", "FIN"), make_function("Operations", "OPS")
    hr = make_user(Role.HR, email="hr@example.com", function=finance, password=PASSWORD)
    cycle = quarterly_history([finance, operations], finance, hr, [3, 4, 3, 5, 4, 5, 3, 4, 5])
    db.session.commit()
    log_in(page, "hr@example.com", PASSWORD)
    page.goto(f"/trust/outcomes/{cycle.id}?series=cell:{finance.id}-{operations.id}")
    expect(page.locator("#outcome-scatter[data-vega-ready='1'] svg")).to_have_count(1)
    expect(page.locator("#table-lags")).to_contain_text("shortened (better)")
    page.locator("#points-table summary").click()
    expect(page.locator("#table-points tbody tr")).to_have_count(8)
    assert_accessible(page)

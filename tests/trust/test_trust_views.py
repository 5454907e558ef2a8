"""The trust pulse over HTTP: answering, waves, closing, results, templates, outcomes, imports, exports."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from programs.trust import reporting, services
from programs.trust.models import (
    TrustAnswer,
    TrustComment,
    TrustItem,
    TrustMetric,
    TrustMetricValue,
    TrustParticipation,
    TrustPendingSheet,
    TrustResponse,
    TrustWave,
    TrustWaveResult,
)
from programs.trust.queries import wave_frames
from programs.trust.services import close_wave, ensure_builtin_template, save_metric
from tests.factories import make_function, make_user
from tests.trust.trust_factories import answer, full_answers, make_wave, quarterly_history, today
from webapp import signals
from webapp.forms import new_key
from webapp.roles import Role


@pytest.fixture
def org(db):
    finance, operations = make_function("Finance", "FIN"), make_function("Operations", "OPS")
    return {"finance": finance, "operations": operations, "hr": make_user(Role.HR, function=finance),
            "leader": make_user(Role.LEADER, function=finance)}


def _form(wave, person, score=4, recommend=9, comment=""):
    answers = full_answers(wave, person, score, recommend, comment)
    data = {f"s-{t}-{i}": str(s) for (t, i), s in answers.scores.items()}
    data.update({f"c-{t}": text for t, text in answers.comments.items()})
    return data


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_employee_sees_the_open_pulse_on_home_answers_it_and_the_tile_goes(db, org, signed_in_client):
    wave = make_wave([org["finance"], org["operations"]], title="Pulse Q4")
    person = make_user(function=org["operations"])
    client = signed_in_client(person)
    home = client.get("/").get_data(as_text=True)
    assert "Answer Pulse Q4" in home
    page = client.get(f"/trust/pulse/{wave.id}").get_data(as_text=True)
    assert "Working with Finance" in page and "Working with Operations" not in page
    response = client.post(f"/trust/pulse/{wave.id}", data=_form(wave, person, comment="Great <b>partners</b>"))
    assert response.status_code == 303
    assert "Answer Pulse Q4" not in client.get("/").get_data(as_text=True)
    assert count(db, TrustParticipation) == 1 and count(db, TrustPendingSheet) == 1
    assert count(db, TrustResponse) == 0 and count(db, TrustComment) == 0  # sealed until the wave closes
    assert "You have answered" in client.get(f"/trust/pulse/{wave.id}").get_data(as_text=True)
    close_wave(org["hr"], wave, today())
    assert count(db, TrustResponse) == 1 and count(db, TrustPendingSheet) == 0
    assert count(db, TrustAnswer) == 7 and count(db, TrustComment) == 1


def test_a_replayed_answer_is_refused_and_changes_nothing(db, org, signed_in_client):
    wave = make_wave([org["finance"], org["operations"]])
    person = make_user(function=org["finance"])
    client = signed_in_client(person)
    assert client.post(f"/trust/pulse/{wave.id}", data=_form(wave, person)).status_code == 303
    again = client.post(f"/trust/pulse/{wave.id}", data=_form(wave, person))
    assert again.status_code == 400
    close_wave(org["hr"], wave, today())
    assert count(db, TrustResponse) == 1 and count(db, TrustAnswer) == 7


@pytest.mark.parametrize("change, message", [
    (lambda data: data.pop(next(iter(data))), "Please answer every statement"),
    (lambda data: data.update({next(iter(data)): "9"}), "outside its scale"),
    (lambda data: data.update({next(iter(data)): "x"}), "Please answer every statement"),
    (lambda data: data.update({f"c-{next(iter(data)).split('-')[1]}": "x" * 2001}), "at most 2000 characters"),
])
def test_bad_answers_get_a_message_and_write_nothing(db, org, signed_in_client, change, message):
    wave = make_wave([org["finance"], org["operations"]])
    person = make_user(function=org["finance"])
    data = _form(wave, person)
    change(data)
    response = signed_in_client(person).post(f"/trust/pulse/{wave.id}", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count(db, TrustPendingSheet) == 0 and count(db, TrustParticipation) == 0


def test_a_closed_wave_or_another_functions_wave_takes_no_answers(db, org, signed_in_client):
    sales = make_function("Sales", "SAL")
    wave = make_wave([org["finance"], org["operations"]])
    outsider = make_user(function=sales)
    response = signed_in_client(outsider).post(f"/trust/pulse/{wave.id}", data=_form(wave, outsider))
    assert response.status_code == 400 and "not for your function" in response.get_data(as_text=True)
    close_wave(org["hr"], wave, today())
    person = make_user(function=org["finance"])
    response = signed_in_client(person).post(f"/trust/pulse/{wave.id}", data=_form(wave, person))
    assert response.status_code == 400 and count(db, TrustResponse) == 0


def test_hr_creates_a_wave_rating_every_function_by_default(db, org, signed_in_client):
    ensure_builtin_template()
    client = signed_in_client(org["hr"])
    assert "Cross-functional trust pulse" in client.get("/trust/waves/new").get_data(as_text=True)
    template = db.session.scalar(select(TrustItem.template_id).limit(1))
    data = {"title": "Pulse Q1", "template_id": template, "opens_on": today().isoformat(),
            "closes_on": (today() + timedelta(days=14)).isoformat(), "audience_ids": [org["operations"].id],
            "idempotency_key": new_key()}
    response = client.post("/trust/waves/new", data=data)
    assert response.status_code == 303
    wave = db.session.scalar(select(TrustWave))
    assert wave.function_ids("target") == {org["finance"].id, org["operations"].id}
    assert wave.period == f"{wave.closes_on.year}-Q{(wave.closes_on.month - 1) // 3 + 1}"


@pytest.mark.parametrize("change, message", [
    ({"closes_on": "2020-01-01"}, "must close on or after"),
    ({"audience_ids": []}, "at least one active function"),
    ({"title": "<script>" * 40}, "Field cannot be longer than 120 characters"),
])
def test_a_bad_wave_gets_a_message_beside_its_field(db, org, signed_in_client, change, message):
    template = ensure_builtin_template()
    data = {"title": "Pulse", "template_id": template.id, "opens_on": today().isoformat(),
            "closes_on": today().isoformat(), "audience_ids": [org["finance"].id], "idempotency_key": new_key(),
            **change}
    response = signed_in_client(org["hr"]).post("/trust/waves/new", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count(db, TrustWave) == 0


def test_closing_a_wave_stores_results_and_sends_wave_closed_once(db, org, signed_in_client):
    wave = make_wave([org["finance"], org["operations"]])
    answer(wave, org["finance"], 5)
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs))

    signals.wave_closed.connect(receiver)
    try:
        client = signed_in_client(org["hr"])
        assert client.post(f"/trust/waves/{wave.id}/close", data={"confirm": "y"}).status_code == 303
        replay = client.post(f"/trust/waves/{wave.id}/close", data={"confirm": "y"})  # a warning, no second event
        assert replay.status_code == 303
    finally:
        signals.wave_closed.disconnect(receiver)
    assert received == [("trust", {"wave_id": wave.id, "closes_on": today()})]
    assert db.session.get(TrustWaveResult, wave.id) is not None


def test_the_results_stored_at_close_are_those_the_stored_answers_give(db, org):
    """Closing computes the views from the sheets it has just written: the same as reading the answers back."""
    wave = make_wave([org["finance"], org["operations"]])
    answer(wave, org["finance"], 7, score=5)
    answer(wave, org["finance"], 3, score=2)
    answer(wave, org["operations"], 6, score=3)
    close_wave(org["hr"], wave, today())
    stored = db.session.get_one(TrustWaveResult, wave.id).reports
    assert stored[""]["cells"], "some figure is shown"
    assert _rounded(stored) == _rounded(reporting.wave_reports(*wave_frames(wave.id), wave.min_group))


def test_closing_reads_and_writes_in_batches_and_loses_no_sheet(db, org, monkeypatch):
    monkeypatch.setattr(services, "SHEET_BATCH", 2)
    monkeypatch.setattr(services, "ANSWER_BATCH", 7)
    wave = make_wave([org["finance"], org["operations"]])
    answer(wave, org["finance"], 5, score=4)
    sheets = db.session.scalar(select(func.count()).select_from(TrustPendingSheet))
    close_wave(org["hr"], wave, today())
    answers = db.session.scalar(select(func.count()).select_from(TrustAnswer))
    assert db.session.scalar(select(func.count()).select_from(TrustResponse)) == sheets == 5
    assert answers > 7 and answers % 5 == 0  # every sheet's answers, over several statements
    assert db.session.scalar(select(func.count()).select_from(TrustPendingSheet)) == 0


def _rounded(value):
    """Reports with floats to 9 places (the order rows are summed in may change the last digits)."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return round(value, 9) if isinstance(value, float) else value


def _closed_wave(org, finance_n=6, operations_n=2, comment=""):
    wave = make_wave([org["finance"], org["operations"]])
    answer(wave, org["finance"], finance_n, score=5, comment=comment)
    answer(wave, org["operations"], operations_n, score=2, comment=comment)
    close_wave(org["hr"], wave, today())
    return wave


def test_results_mark_small_cells_fewer_than_k_and_show_the_rest(db, org, signed_in_client):
    _closed_wave(org, finance_n=6, operations_n=2)
    page = signed_in_client(org["leader"]).get("/trust").get_data(as_text=True)
    matrix = page[page.index('id="trust-matrix"'):page.index("</table>", page.index('id="trust-matrix"'))]
    assert "fewer than 5 responses" in matrix
    assert "100 (n 6)" in matrix  # Finance rates Operations; Operations rates Finance is hidden
    assert 'id="matrix-chart"' in page and "data-vega-spec='{" in page


def test_results_htmx_request_gets_the_fragment_with_its_wrapper(db, org, signed_in_client):
    _closed_wave(org)
    response = signed_in_client(org["hr"]).get("/trust?filter=tenure:<1y", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="trust-results">') and "<html" not in html
    assert "Where fewer than 5 people answered, the figure is hidden" in html


def test_comments_need_ten_respondents_show_as_text_and_come_in_random_order(db, org, signed_in_client):
    wave = make_wave([org["finance"], org["operations"]])
    for n in range(12):
        answer(wave, org["finance"], 1, comment=f"<i>comment {n:02d}</i>")
    answer(wave, org["operations"], 9, comment="too few to show")
    close_wave(org["hr"], wave, today())
    client = signed_in_client(org["hr"])
    orders = set()
    for _ in range(6):
        page = client.get("/trust").get_data(as_text=True)
        assert "too few to show" not in page
        assert "&lt;i&gt;comment 00&lt;/i&gt;" in page and "<i>comment" not in page
        orders.add(tuple(sorted(range(12), key=lambda n: page.index(f"comment {n:02d}"))))
    assert len(orders) > 1


def test_results_csv_exports_the_same_table(db, org, signed_in_client):
    wave = _closed_wave(org, finance_n=6, operations_n=6)
    response = signed_in_client(org["leader"]).get(f"/trust/results/{wave.id}/pairs.csv")
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "Rater function,Rated function,Index (0-100),95% interval,Favourable,Respondents"
    assert lines[1].startswith("Finance,Operations,100,") and lines[2].startswith("Operations,Finance,25,")
    assert signed_in_client(org["leader"]).get(f"/trust/results/{wave.id}/nope.csv").status_code == 404


def _statements_of(db, client, url: str) -> list[str]:
    statements = []
    def listener(*args):
        statements.append(args[2])
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return statements


@pytest.mark.parametrize("url", ["/trust", "/trust?filter=tenure:3y%2B"])
def test_the_dashboard_read_again_analyses_nothing_and_runs_no_query(app, db, org, signed_in_client, url):
    for _ in range(3):
        _closed_wave(org, finance_n=6, operations_n=6)
    client = signed_in_client(org["hr"])
    assert len(_statements_of(db, client, url)) <= 12  # the first read: the stored reports, analysed once
    assert _statements_of(db, client, url) == []


def test_a_wave_closed_after_a_read_shows_at_once(db, org, signed_in_client):
    _closed_wave(org, finance_n=6, operations_n=6)
    client = signed_in_client(org["hr"])
    assert "Second pulse" not in client.get("/trust").get_data(as_text=True)
    wave = make_wave([org["finance"], org["operations"]], title="Second pulse")
    answer(wave, org["finance"], 6, score=5)
    answer(wave, org["operations"], 6, score=2)
    close_wave(org["hr"], wave, today())
    assert "Second pulse" in client.get("/trust").get_data(as_text=True)


def test_the_outcome_page_read_again_runs_only_the_metric_and_form_queries(db, org, metric, signed_in_client):
    _closed_wave(org, finance_n=6, operations_n=6)
    client = signed_in_client(org["hr"])
    url = f"/trust/outcomes/{metric.id}"
    assert "91.5" not in client.get(url).get_data(as_text=True)
    assert len(_statements_of(db, client, url)) == 2  # the metric, and the functions the value form offers
    assert client.post(f"{url}/values", data={"period": f"{today().year}-01", "value": "91.5"}).status_code == 303
    assert "91.5" in client.get(url).get_data(as_text=True)  # an HR's own value shows at once


def test_thresholds_are_frozen_once_the_wave_opens_and_the_admin_is_told(db, org, signed_in_client):
    wave = make_wave([org["finance"], org["operations"]])
    admin = make_user(Role.ADMIN)
    client = signed_in_client(admin)
    assert 'id="thresholds-frozen"' in client.get(f"/trust/waves/{wave.id}").get_data(as_text=True)
    response = client.post(f"/trust/waves/{wave.id}/thresholds", data={"min_group": 6, "min_comment_group": 10})
    assert response.status_code == 400 and "thresholds are frozen" in response.get_data(as_text=True)
    scheduled = make_wave([org["finance"], org["operations"]], opens_on=today() + timedelta(days=2))
    response = client.post(f"/trust/waves/{scheduled.id}/thresholds", data={"min_group": 2, "min_comment_group": 10})
    assert response.status_code == 400
    assert client.post(f"/trust/waves/{scheduled.id}/thresholds",
                       data={"min_group": 6, "min_comment_group": 10}).status_code == 303
    db.session.expire_all()
    assert (db.session.get(TrustWave, wave.id).min_group, db.session.get(TrustWave, scheduled.id).min_group) == (5, 6)


def test_hr_edits_a_template_until_a_wave_of_it_has_responses(db, org, signed_in_client):
    client = signed_in_client(org["hr"])
    client.get("/trust/templates")
    template = ensure_builtin_template()
    copy = client.post(f"/trust/templates/{template.id}/copy")
    copy_id = int(copy.headers["Location"].rsplit("/", 1)[1])
    response = client.post(f"/trust/templates/{copy_id}/items",
                           data={"text": "They keep us informed.", "dimension": "Communication", "scale": "agree5",
                                 "reverse": "y"})
    assert response.status_code == 303
    item = db.session.scalar(
        select(TrustItem).where(TrustItem.template_id == copy_id, TrustItem.text == "They keep us informed.")
    )
    assert item.dimension == "communication" and item.reverse
    wave = make_wave([org["finance"], org["operations"]])
    answer(wave, org["finance"], 1)
    response = client.post(
        f"/trust/templates/{template.id}/items", data={"text": "x", "dimension": "y", "scale": "agree5"}
    )
    assert response.status_code == 400 and "frozen" in response.get_data(as_text=True)


@pytest.fixture
def metric(db, org):
    return save_metric(org["hr"], None, "On-time delivery", "%", True, "monthly", "organisation")


def test_a_value_by_form_is_validated_and_a_second_save_replaces_it(db, org, metric, signed_in_client):
    client = signed_in_client(org["hr"])
    bad = client.post(f"/trust/outcomes/{metric.id}/values", data={"period": "2025-Q3", "value": "90"})
    assert bad.status_code == 400 and "is not a month like 2025-07" in bad.get_data(as_text=True)
    assert (
        client.post(f"/trust/outcomes/{metric.id}/values", data={"period": "2025-07", "value": "90"}).status_code == 303
    )
    assert (
        client.post(f"/trust/outcomes/{metric.id}/values", data={"period": "2025-07", "value": "91.5"}).status_code
        == 303
    )
    assert db.session.scalars(select(TrustMetricValue.value)).all() == [91.5]


def test_a_csv_with_a_bad_row_imports_nothing_and_names_the_rows(db, org, metric, signed_in_client):
    client = signed_in_client(org["hr"])
    content = b"period,value\n2025-01,90\n2025-13,91\n2025-02,lots\n2025-01,92\n"
    response = client.post(f"/trust/outcomes/{metric.id}/import",
                           data={"file": (io.BytesIO(content), "values.csv")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was imported: 3 rows have errors" in html
    assert "period &#39;2025-13&#39; is not a month" in html and "&#39;lots&#39; is not a number" in html
    assert "the same period and function as line 2" in html
    assert count(db, TrustMetricValue) == 0
    good = b"period,value\n2025-01,90\n2025-02,\"1,091.5\"\n"
    response = client.post(f"/trust/outcomes/{metric.id}/import",
                           data={"file": (io.BytesIO(good), "values.csv")}, content_type="multipart/form-data")
    assert response.status_code == 303
    assert db.session.scalars(select(TrustMetricValue.value).order_by(TrustMetricValue.period)).all() == [90, 1091.5]


def test_a_per_function_import_needs_known_functions(db, org, signed_in_client):
    rework = save_metric(org["hr"], None, "Rework", "%", False, "quarterly", "function")
    content = b"period,value,function\n2025-Q1,5,FIN\n2025-Q1,6,Nowhere\n"
    response = signed_in_client(org["hr"]).post(f"/trust/outcomes/{rework.id}/import",
                                                data={"file": (io.BytesIO(content), "r.csv")},
                                                content_type="multipart/form-data")
    assert response.status_code == 400 and "unknown function &#39;Nowhere&#39;" in response.get_data(as_text=True)
    assert count(db, TrustMetricValue) == 0


def test_outcome_analysis_shows_no_r_below_the_minimum(db, org, metric, signed_in_client):
    _closed_wave(org, finance_n=6, operations_n=6)
    db.session.add_all(TrustMetricValue(metric_id=metric.id, period=f"{today().year}-{m:02d}", value=80 + m,
                                        function_key=0) for m in range(1, 13))
    page = signed_in_client(org["leader"]).get(f"/trust/outcomes/{metric.id}").get_data(as_text=True)
    assert "association, not cause" in page
    assert "Too few quarter-on-quarter changes to say anything: 0 paired, at least 7 needed." in page
    assert 'id="outcome-chart"' in page and 'id="outcome-scatter"' not in page
    csv = signed_in_client(org["leader"]).get(f"/trust/outcomes/{metric.id}/lags.csv").get_data(as_text=True)
    assert csv.splitlines()[0] == ("Outcome later by,Quarters paired,r of levels,Effective n of levels,Changes paired,"
                                   "r of changes,95% interval,p (Holm-corrected),What it says")
    assert csv.splitlines()[1].startswith("0 quarters,1,,,0,,,,")  # no r and no p at all
    assert db.session.scalar(select(func.count()).select_from(TrustMetric)) == 1


def test_outcome_verdict_reads_the_changes_with_the_metrics_direction_and_a_scatter(db, org, signed_in_client):
    cycle = quarterly_history(
        [org["finance"], org["operations"]], org["finance"], org["hr"], [3, 4, 3, 5, 4, 5, 3, 4, 5]
    )
    client = signed_in_client(org["leader"])
    series = f"cell:{org['finance'].id}-{org['operations'].id}"
    page = client.get(f"/trust/outcomes/{cycle.id}?series={series}").get_data(as_text=True)
    assert "In quarters when trust rose, cash conversion cycle shortened (better) in the same quarter" in page
    assert "p &lt; 0.001" in page and "One test on this page" in page  # lags 1 and 2 have too few changes
    assert 'id="outcome-scatter"' in page and "most of that quarter&#39;s outcome came before the answers" in page
    points = client.get(f"/trust/outcomes/{cycle.id}/points.csv?series={series}").get_data(as_text=True)
    assert len(points.splitlines()) == 1 + 8


def test_the_daily_job_closes_only_waves_past_their_date(app, db, org):
    due = make_wave([org["finance"], org["operations"]], title="Due", opens_on=today() - timedelta(days=20))
    running = make_wave([org["finance"], org["operations"]], title="Running")
    answer(due, org["finance"], 5)
    due.closes_on = today() - timedelta(days=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["trust", "close-due"])
    assert result.exit_code == 0 and "Closed 1 wave(s): Due" in result.output
    db.session.expire_all()
    assert db.session.get(TrustWave, due.id).closed_at is not None
    assert db.session.get(TrustWave, running.id).closed_at is None
    assert db.session.get(TrustWaveResult, due.id) is not None

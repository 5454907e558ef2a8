"""Results people understand: what moved first, in plain words; details folded; a summary for everyone."""
from __future__ import annotations

import pandas as pd
import pytest

from programs.trust import plain
from programs.trust.services import close_wave
from tests.factories import make_function, make_user
from tests.trust.trust_factories import answer, make_wave, today
from webapp.roles import Role


def _trend(rows):
    columns = ["wave_order", "period", "rater", "target", "index", "change", "significant"]
    return pd.DataFrame(rows, columns=columns)


def test_the_pairs_that_moved_most_come_first_in_plain_words():
    trend = _trend([
        (0, "2026-Q1", "Finance", "Operations", 50.0, None, False),
        (0, "2026-Q1", "Sales", "Finance", 70.0, None, False),
        (0, "2026-Q1", "Operations", "Finance", 60.0, None, False),
        (1, "2026-Q2", "Operations", "Finance", 61.0, 1.0, False),  # hidden in Q3: its change into Q4 spans Q2-Q4
        (2, "2026-Q3", "Finance", "Operations", 58.0, 8.0, True),
        (2, "2026-Q3", "Sales", "Finance", 58.0, -12.0, False),
        (3, "2026-Q4", "Finance", "Operations", 66.0, 8.0, True),
        (3, "2026-Q4", "Sales", "Finance", 48.0, -10.0, False),
        (3, "2026-Q4", "Operations", "Finance", 52.0, -9.0, True),
    ])
    moves = plain.moved_most(trend, 3, count=2)
    assert [m["sentence"] for m in moves] == [
        "How Operations sees Finance: 9 points down since 2026-Q2 (61 → 52), more than chance would explain.",
        "How Finance sees Operations: 8 points up since 2026-Q3 (58 → 66), more than chance would explain.",
    ]
    assert plain.moved_most(trend, 3)[2]["sentence"].endswith(
        "10 points down since 2026-Q3 (58 → 48), small enough to be chance."
    )
    assert plain.moved_most(trend, 0) == []


def test_the_overall_sentence_counts_people_as_whole_numbers_and_says_why_it_is_hidden():
    shown = {"k": 5, "overall": {"index": 67.6, "favourable": 0.618, "n": 104.0, "hidden": False}}
    assert plain.overall_sentence(shown) == "Overall 68 out of 100, 62% of answers favourable, 104 respondents."
    hidden = {"k": 5, "overall": {"hidden": True}}
    assert plain.overall_sentence(hidden).startswith("The overall figure is hidden: fewer than 5 people answered")


@pytest.fixture
def org(db):
    finance, operations = make_function("Finance", "FIN"), make_function("Operations", "OPS")
    return {"finance": finance, "operations": operations, "hr": make_user(Role.HR, function=finance)}


def _two_waves(org):
    for score in (3, 5):
        wave = make_wave([org["finance"], org["operations"]])
        answer(wave, org["finance"], 6, score=score, comment="Month end is smoother.")
        answer(wave, org["operations"], 2, score=2)  # fewer than k: hidden
        close_wave(org["hr"], wave, today())
    return wave


def _matrix(page: str) -> str:
    start = page.index('<table class="table table-bordered table-sm text-center" id="trust-matrix">')
    return page[start:page.index("</table>", start)]


def test_results_open_with_what_moved_and_fold_the_details(db, org, signed_in_client):
    _two_waves(org)
    page = signed_in_client(org["hr"]).get("/trust").get_data(as_text=True)
    assert "How Finance sees Operations: 50 points up since" in page
    assert page.index('id="trust-moves"') < page.index('id="matrix-chart"') < page.index('id="trust-details"')
    folded = page[page.index('<details class="mt-2" id="matrix-table">'):]
    assert folded.index('id="trust-matrix"') < folded.index("</details>")  # the table alternative is folded
    assert page.count('id="table-pairs"') == 1 and page.count("data-vega-spec") == 2  # heatmap and trends, once each
    details = page[page.index('id="trust-details"'):]
    assert details.index("<summary>Do the questions hang together?</summary>") < details.index("Cronbach")


def test_every_employee_reads_the_same_suppressed_summary_without_comments(db, org, signed_in_client):
    _two_waves(org)
    open_wave = make_wave([org["finance"], org["operations"]], title="Still open")
    results = signed_in_client(org["hr"]).get("/trust").get_data(as_text=True)
    employee = make_user(function=org["operations"])
    response = signed_in_client(employee).get("/trust/summary")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and _matrix(page) == _matrix(results)
    assert "fewer than 5 responses" in _matrix(page) and "Month end is smoother." not in page
    assert "How Finance sees Operations: 50 points up since" in page and open_wave.title not in page
    fragment = signed_in_client(employee).get("/trust/summary", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="trust-summary">')

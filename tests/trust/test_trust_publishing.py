"""Publish no more than is shown: precision of charts and CSVs, small counts, identical answers, filters, trend gaps."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from programs.trust import presenting
from programs.trust.services import close_wave
from tests.factories import make_function, make_user
from tests.trust.trust_factories import answer, make_wave, today
from webapp.roles import Role


@pytest.fixture
def org(db):
    finance, operations = make_function("Finance", "FIN"), make_function("Operations", "OPS")
    return {"finance": finance, "operations": operations, "hr": make_user(Role.HR, function=finance),
            "leader": make_user(Role.LEADER, function=finance)}


def _closed_wave(org, finance_n: int, operations_n: int, finance_score: int = 5, operations_score: int = 2):
    wave = make_wave([org["finance"], org["operations"]])
    answer(wave, org["finance"], finance_n, score=finance_score)
    answer(wave, org["operations"], operations_n, score=operations_score)
    close_wave(org["hr"], wave, today())
    return wave


def _chart_values(spec: dict, field: str) -> list:
    data = spec.get("data", {}).get("values") or next(iter(spec.get("datasets", {}).values()))
    return [row[field] for row in data if row.get(field) is not None]


def test_an_overall_index_of_alike_answers_says_it_has_no_interval(db, org, signed_in_client):
    _closed_wave(org, finance_n=6, operations_n=6, finance_score=4, operations_score=4)
    page = signed_in_client(org["leader"]).get("/trust").get_data(as_text=True)
    assert "No interval: every answer was alike" in page and "75–75" not in page


def test_charts_carry_the_precision_of_their_tables():
    aligned = pd.DataFrame({"quarter": ["2026-Q1", "2026-Q2"], "index": [71.23456, 64.5001],
                            "value": [3.14159, 2.71828], "ordinal": [1, 2]})
    spec = presenting.outcome_chart(aligned, "Rework (%)")
    assert _chart_values(spec, "index") == [71, 65] and _chart_values(spec, "value") == [3.14, 2.72]
    report = {"k": 5, "cells": [{"rater": 1, "target": 2, "index": 71.23456, "hidden": False}]}
    assert _chart_values(presenting.matrix_chart(report, {1: "A", 2: "B"}), "index") == [71]


def test_a_group_whose_answers_are_all_alike_shows_no_interval(db, org, signed_in_client):
    wave = _closed_wave(org, finance_n=6, operations_n=6)  # every Finance answer 5, every Operations answer 2
    client = signed_in_client(org["leader"])
    page = client.get("/trust").get_data(as_text=True)
    assert "100–100" not in page and "25–25" not in page and "none: every answer alike" in page
    lines = client.get(f"/trust/results/{wave.id}/pairs.csv").get_data(as_text=True).splitlines()
    assert lines[1] == "Finance,Operations,100,none: every answer alike,100%,6"
    dimensions = client.get(f"/trust/results/{wave.id}/dimensions.csv").get_data(as_text=True)
    assert "100–100" not in dimensions and "none: every answer alike" in dimensions


@pytest.mark.parametrize("bad", ["bogus", "tenure:9y", "tenure", ":<1y", "tenure:<1y:x"])
def test_an_unknown_or_malformed_filter_is_refused_with_a_message(db, org, signed_in_client, bad):
    wave = _closed_wave(org, finance_n=6, operations_n=6, finance_score=4, operations_score=3)
    client = signed_in_client(org["leader"])
    for url in ("/trust", f"/trust/results/{wave.id}/pairs.csv"):
        response = client.get(url, query_string={"filter": bad})
        assert response.status_code == 400, url
        assert "There is no filter" in response.get_data(as_text=True)
    assert client.get("/trust", query_string={"filter": ""}).status_code == 200
    assert client.get("/trust", query_string={"filter": "tenure:<1y"}).status_code == 200


def test_answer_counts_below_k_show_as_fewer_than_k_on_the_tile_and_the_rates_table(db, org, signed_in_client):
    wave = make_wave([org["finance"], org["operations"]])
    for _ in range(5):
        make_user(function=org["finance"])
    answer(wave, org["finance"], 1)
    answer(wave, org["operations"], 6)
    client = signed_in_client(org["hr"])
    home = client.get("/").get_data(as_text=True)
    assert "fewer than 5 of" in home and not re.search(r">\s*1 of \d", home)
    assert "6 of 6" in home
    rates = client.get(f"/trust/waves/{wave.id}").get_data(as_text=True)
    assert "fewer than 5" in rates


def test_a_trend_change_across_a_hidden_wave_says_so(db, org, signed_in_client):
    first = _closed_wave(org, finance_n=6, operations_n=6, finance_score=4, operations_score=3)
    _closed_wave(org, finance_n=6, operations_n=2, finance_score=4, operations_score=3)  # Operations hidden
    last = _closed_wave(org, finance_n=6, operations_n=6, finance_score=4, operations_score=4)
    csv = signed_in_client(org["leader"]).get(f"/trust/results/{last.id}/trends.csv").get_data(as_text=True)
    rows = [line for line in csv.splitlines() if line.startswith(f"{first.period},Operations,Finance")]
    assert len(rows) == 2  # the first and the last wave; the hidden one has no row
    assert f"since {first.period}: the pair is hidden (or was not asked) in the wave between" in rows[1]
    finance_rows = [line for line in csv.splitlines() if ",Finance,Operations," in line]
    assert len(finance_rows) == 3 and "since" not in finance_rows[-1]


def test_the_scorecard_csv_carries_the_precision_of_the_page(db, org, signed_in_client):
    wave = _closed_wave(org, finance_n=7, operations_n=6, finance_score=4, operations_score=3)
    for _ in range(2):
        make_user(function=org["operations"])  # 13 of 17 answered (with HR and the leader): 76.47...%
    client = signed_in_client(org["leader"])
    csv = client.get("/scorecard.csv", query_string={"quarter": wave.period, "a": org["finance"].id,
                                                    "b": org["operations"].id}).get_data(as_text=True)
    numbers = [cell for line in csv.splitlines()[1:] for cell in line.split(",")[3:] if re.match(r"-?\d", cell)]
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d)?", n) for n in numbers), numbers
    assert any("." in n for n in numbers)  # the response rate, 76.5


def test_chart_specs_on_the_results_page_carry_no_more_digits_than_the_table(db, org, signed_in_client):
    _closed_wave(org, finance_n=7, operations_n=6, finance_score=4, operations_score=3)
    page = signed_in_client(org["leader"]).get("/trust").get_data(as_text=True)
    specs = [json.loads(s.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&").replace("&lt;", "<")
                        .replace("&gt;", ">"))
             for s in re.findall(r"data-vega-spec='([^']*)'", page)]
    values = [v for spec in specs for v in _chart_values(spec, "index")]
    assert values and all(float(v).is_integer() for v in values)

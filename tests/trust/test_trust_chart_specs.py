"""The chart specs the results page draws are valid Vega-Lite (the app builds them without per-request validation)."""
from __future__ import annotations

import html
import json
import re

import jsonschema
import pytest
from altair.vegalite.v6.schema.core import load_schema

from programs.trust.services import close_wave
from tests.factories import make_function, make_user
from tests.trust.trust_factories import answer, make_wave, today
from webapp.roles import Role


@pytest.fixture
def hr(db):
    finance, operations = make_function("Finance", "FIN"), make_function("Operations", "OPS")
    person = make_user(Role.HR, function=finance)
    wave = make_wave([finance, operations])
    answer(wave, finance, 6, score=5)
    answer(wave, operations, 6, score=2)
    close_wave(person, wave, today())
    return person


def test_every_chart_on_the_results_page_is_valid_vega_lite(hr, signed_in_client):
    page = signed_in_client(hr).get("/trust").get_data(as_text=True)
    specs = [json.loads(html.unescape(raw)) for raw in re.findall(r"data-vega-spec='([^']*)'", page)]
    assert specs, "the results page draws no chart"
    validator = jsonschema.Draft7Validator(load_schema())
    for spec in specs:
        assert not list(validator.iter_errors(spec)), spec

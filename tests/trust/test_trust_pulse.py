"""A pulse people finish: skip the functions you do not work with, a short form, an honest time estimate."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from programs.trust.models import TrustAnswer, TrustComment, TrustParticipation, TrustResponse
from tests.factories import make_function, make_user
from tests.trust.trust_factories import full_answers, make_wave


@pytest.fixture
def org(db):
    return [make_function(name, code) for name, code in
            (("Finance", "FIN"), ("Operations", "OPS"), ("Sales", "SAL"), ("People", "PPL"))]


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _form(wave, person, skip=()):
    answers = full_answers(wave, person, 4, comment="Fine")
    data = {f"s-{t}-{i}": str(s) for (t, i), s in answers.scores.items()}
    data.update({f"c-{t}": text for t, text in answers.comments.items()})
    data.update({f"skip-{f.id}": "1" for f in skip})
    return data


def test_a_skipped_function_gets_no_answer_and_nothing_sent_about_it_is_kept(db, org, signed_in_client):
    finance, operations, sales, people = org
    wave = make_wave(org)
    person = make_user(function=finance)
    response = signed_in_client(person).post(f"/trust/pulse/{wave.id}", data=_form(wave, person, skip=[sales, people]))
    assert response.status_code == 303
    rated = set(db.session.scalars(select(TrustAnswer.target_function_id).distinct()))
    assert rated == {operations.id}
    assert set(db.session.scalars(select(TrustComment.target_function_id))) == {operations.id}
    assert _count(db, TrustAnswer) == 7  # six statements and the recommendation, about Operations only


def test_skipping_every_function_or_leaving_statements_open_is_refused_with_names(db, org, signed_in_client):
    finance, operations, sales, people = org
    wave = make_wave(org)
    person = make_user(function=finance)
    client = signed_in_client(person)
    everything = client.post(f"/trust/pulse/{wave.id}", data=_form(wave, person, skip=[operations, sales, people]))
    assert everything.status_code == 400 and "at least one function you work with" in everything.get_data(as_text=True)
    data = _form(wave, person, skip=[people])
    data = {key: value for key, value in data.items() if not key.startswith(f"s-{sales.id}-")}
    partial = client.post(f"/trust/pulse/{wave.id}", data=data).get_data(as_text=True)
    assert "Please answer every statement about Sales (6 left), or tick “I don&#39;t work with them”." in partial
    assert 'name="skip-' + str(people.id) + '" id="skip-' + str(people.id) + '" value="1" data-pulse-skip\n' \
           "               checked" in partial  # the re-rendered form keeps the choice
    assert _count(db, TrustResponse) == 0 and _count(db, TrustParticipation) == 0


def test_the_form_is_short_and_the_estimate_counts_the_real_items(db, org, signed_in_client):
    finance = org[0]
    wave = make_wave(org)
    page = signed_in_client(make_user(function=finance)).get(f"/trust/pulse/{wave.id}").get_data(as_text=True)
    assert page.count('type="radio"') == 3 * (6 * 5 + 11)
    # 20 s to start, per function 15 s + 6 x 8 s + 6 s = 69 s: 3 functions 227 s -> 4 minutes
    assert "6 statements about each of 3 functions: it takes at most about 4 minutes." in page
    assert "required" not in page[page.index('id="pulse-form"'):]  # skipping works without JavaScript too
    home = signed_in_client(make_user(function=finance)).get("/").get_data(as_text=True)
    assert "It takes at most about 4 minutes; your answers are anonymous." in home

"""Hostile input gets a clear 4xx with a message and writes nothing: NUL, huge ids, absurd quarters and numbers."""
from __future__ import annotations

import io

import pytest

from programs.trust.models import TrustMetricValue
from programs.trust.services import save_metric
from tests.conftest import sign_in
from tests.factories import PASSWORD, make_user
from webapp.auth.models import AuditEntry
from webapp.input_guard import MAX_BIG_INT, MAX_ID, exceeds, parse_ids
from webapp.people.models import Function
from webapp.periods import Quarter
from webapp.roles import Role
from webapp.validators import parse_finite_number

HUGE = "99999999999999999999999"


def test_a_nul_byte_at_the_unauthenticated_sign_in_is_a_400_with_a_message(client, db):
    make_user(password=PASSWORD, email="ada@example.com")
    response = client.post("/login", data={"email": "ada@example.com\x00", "password": PASSWORD})
    assert response.status_code == 400
    assert b"NUL character" in response.data
    assert client.get("/").status_code == 302  # not signed in


@pytest.mark.parametrize("path", ["/people?q=a%00b", "/accounts?q=%00", "/people/%00"])
def test_a_nul_byte_in_a_query_or_path_is_a_400(client, db, path):
    sign_in(client, make_user())
    response = client.get(path)
    assert response.status_code == 400 and b"NUL character" in response.data


def test_a_nul_byte_in_a_form_writes_nothing(client, db):
    sign_in(client, make_user(Role.ADMIN))
    response = client.post("/admin/functions/new", data={"name": "Le\x00gal", "code": "LEG", "colour": "#112233"})
    assert response.status_code == 400 and b"NUL character" in response.data
    assert db.session.query(Function).filter_by(code="LEG").count() == 0
    assert db.session.query(AuditEntry).count() == 0


def test_a_nul_byte_in_json_is_a_400(client, db):
    sign_in(client, make_user())
    assert client.post("/visits/joint-check", json={"attendee_ids": ["1\x00"]}).status_code == 400


@pytest.mark.parametrize("path", [f"/people/{HUGE}", f"/people/{MAX_ID + 1}", f"/accounts/{MAX_BIG_INT}"])
def test_ids_beyond_64_bits_in_paths_are_not_found(client, db, path):
    sign_in(client, make_user())
    assert client.get(path).status_code == 404


def test_the_largest_id_is_looked_up_and_not_found(client, db):
    sign_in(client, make_user())
    assert client.get(f"/people/{MAX_ID}").status_code == 404


@pytest.mark.parametrize("query", [f"after={HUGE}", f"before={MAX_ID + 1}", f"before=-{HUGE}"])
def test_ids_beyond_the_id_column_in_keyset_parameters_are_a_400_with_a_message(client, db, query):
    sign_in(client, make_user(Role.ADMIN))
    for path in ("/people", "/admin/audit", "/notifications", "/feed"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert b"too large" in response.data, path


@pytest.mark.parametrize("value", [HUGE, str(MAX_ID + 1)])
def test_ids_beyond_the_id_column_in_form_fields_are_a_400(client, db, value):
    sign_in(client, make_user())
    response = client.post("/visits/joint-check", data={"attendee_ids": [value, "1"]})
    assert response.status_code == 400 and b"too large" in response.data


def test_other_form_numbers_may_be_large_up_to_64_bits(client, db):
    sign_in(client, make_user(Role.ADMIN))
    response = client.post("/admin/functions/new", data={"name": "3000000000", "code": "BIG", "colour": "#112233"})
    assert response.status_code in (302, 303)
    assert client.post("/admin/functions/new", data={"name": HUGE, "code": "HUGE"}).status_code == 400


def test_unicode_digits_in_id_fields_are_ignored_not_a_500(client, db):
    sign_in(client, make_user())
    assert client.post("/visits/joint-check", data={"attendee_ids": ["²", "٣"]}).status_code == 200
    assert parse_ids(["²", "3", "3", "0", "-1", HUGE, " 7 "]) == [3, 7]


def test_integer_bounds():
    assert not exceeds(str(MAX_ID), MAX_ID) and exceeds(str(MAX_ID + 1), MAX_ID)
    assert exceeds("-" + HUGE, MAX_BIG_INT) and exceeds("9" * 5000, MAX_BIG_INT)
    assert not exceeds("0000000000000000000000001", MAX_ID) and not exceeds("12 monkeys", MAX_ID)


@pytest.mark.parametrize("quarter", ["9999-Q4", "0000-Q1", "1899-Q4", "2201-Q1"])
def test_out_of_range_quarters_are_refused_with_a_message(client, db, quarter):
    sign_in(client, make_user(Role.LEADER))
    response = client.get(f"/scorecard?quarter={quarter}")
    assert response.status_code == 400 and b"between 1900 and 2200" in response.data
    assert client.get(f"/scorecard.csv?quarter={quarter}").status_code == 400
    assert Quarter.parse(quarter) is None


def test_the_year_range_ends_are_quarters():
    assert Quarter.parse("1900-Q1") == Quarter(1900, 1) and Quarter.parse("2200-Q4") == Quarter(2200, 4)


@pytest.fixture
def metric(db):
    hr = make_user(Role.HR)
    return hr, save_metric(hr, None, "Revenue", "EUR", True, "monthly", "organisation")


@pytest.mark.parametrize("value", ["1e309", "-inf", "nan", "1e16", "99999999999999999999999.5"])
def test_outcome_values_must_be_finite_and_bounded_in_the_form(client, db, metric, value):
    hr, outcome = metric
    sign_in(client, hr)
    response = client.post(f"/trust/outcomes/{outcome.id}/values", data={"period": "2025-07", "value": value})
    assert response.status_code == 400 and b"Enter a number between" in response.data
    assert db.session.query(TrustMetricValue).count() == 0


def test_an_outcome_value_of_more_than_64_bits_is_refused(client, db, metric):
    hr, outcome = metric
    sign_in(client, hr)
    response = client.post(f"/trust/outcomes/{outcome.id}/values", data={"period": "2025-07", "value": HUGE})
    assert response.status_code == 400
    assert db.session.query(TrustMetricValue).count() == 0


def test_outcome_values_must_be_finite_and_bounded_in_the_csv(client, db, metric):
    hr, outcome = metric
    sign_in(client, hr)
    content = f"period,value\n2025-07,1e309\n2025-08,nan\n2025-09,{HUGE}\n2025-10,42\n".encode()
    response = client.post(f"/trust/outcomes/{outcome.id}/import",
                           data={"file": (io.BytesIO(content), "values.csv")})
    assert response.status_code == 400
    assert db.session.query(TrustMetricValue).count() == 0
    assert [parse_finite_number(t) for t in ("1e309", "nan", HUGE, "1,250.5", "-1e15")] == [None, None, None,
                                                                                           1250.5, -1e15]

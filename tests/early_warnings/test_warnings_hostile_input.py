"""Hostile and mistaken input to the warning pages: a clear 4xx with a message on the page, nothing written."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from programs.early_warnings import services
from programs.early_warnings.models import EarlyWarning, WarningComment, WarningPolicy
from programs.early_warnings.rules import parse_period
from tests.conftest import sign_in
from tests.early_warnings.warnings_factories import DRAFT_BUTTON, raise_warning, warning_data, warning_form
from tests.factories import make_user
from webapp import clock
from webapp.extensions import db
from webapp.roles import Role


def _warnings() -> int:
    db.session.expire_all()
    return db.session.scalars(select(func.count()).select_from(EarlyWarning)).one()


@pytest.mark.parametrize("changes, message", [
    ({"impact_low": "-500"}, "more than zero"),
    ({"impact_low": "0"}, "more than zero"),
    ({"impact_high": "inf"}, "must be a finite number"),
    ({"impact_high": "nan"}, "must be a finite number"),
    ({"impact_high": "1e400"}, "must be a finite number"),
    ({"impact_high": "5000000000000"}, "at most"),
    ({"impact_low": "90000", "impact_high": "10000"}, "cannot be above"),
    ({"impact_low": "twelve"}, "Not a valid float value"),
    ({"currency": "XXX"}, "Not a valid choice"),
    ({"kind": "blame"}, "Not a valid choice"),
    ({"period": "2026-13"}, "Enter a month"),
    ({"period": "1999-01"}, "Enter a month"),
    ({"period": "2000-01"}, "already passed"),
    ({"period": "2099-Q1"}, "within the next two years"),
    ({"to_function_id": "999999"}, "Choose a function"),
    ({"to_function_id": "1" * 30}, "too large"),
    ({"title": ""}, "This field is required"),
    ({"title": "x" * 201}, "Field cannot be longer than 200 characters"),
    ({"idempotency_key": "short"}, "out of date"),
])
@pytest.mark.parametrize("button", [{}, DRAFT_BUTTON], ids=["raise", "draft"])
def test_bad_warning_input_is_refused_on_the_page(client, org, changes, message, button):
    """Raised or saved as a draft, a value that is given is checked (a draft only may leave fields empty)."""
    sign_in(client, org.author)
    response = client.post("/warnings/new", data=warning_form(org.fin_function.id, **changes, **button))
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)
    assert _warnings() == 0


def test_warning_your_own_function_is_refused(client, org):
    sign_in(client, org.author)
    response = client.post("/warnings/new", data=warning_form(org.ops_function.id))
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    assert _warnings() == 0


def test_a_nul_character_is_refused_before_anything_is_written(client, org):
    sign_in(client, org.author)
    response = client.post("/warnings/new", data=warning_form(org.fin_function.id, title="Steel\x00prices"))
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
    assert _warnings() == 0


def test_absurd_ids_in_the_path_are_not_found(client, org):
    sign_in(client, org.author)
    for path in ("/warnings/" + "9" * 30, "/warnings/2147483648", "/warnings/999999/edit"):
        assert client.get(path).status_code == 404
    assert client.post("/warnings/" + "9" * 30 + "/acknowledge", data={"ack-next_step": "x"}).status_code == 404


def test_another_persons_draft_cannot_be_edited_or_raised(client, org):
    draft = services.save_warning(org.author, None, warning_data(org.fin_function.id), False, clock.now())
    db.session.commit()
    sign_in(client, org.ops_colleague)
    assert client.get(f"/warnings/{draft.id}/edit").status_code == 404
    assert client.post(f"/warnings/{draft.id}/raise").status_code == 404
    db.session.expire_all()
    assert db.session.get(EarlyWarning, draft.id).status == "draft"


def test_a_third_function_cannot_acknowledge_close_or_comment(client, org):
    warning = raise_warning(org.author, org.fin_function.id)
    sign_in(client, org.sales_manager)
    for path, data in (
        (f"/warnings/{warning.id}/acknowledge", {"ack-next_step": "mine"}),
        (f"/warnings/{warning.id}/close", {"close-outcome": "avoided", "close-actual_impact": "0"}),
        (f"/warnings/{warning.id}/comments", {"comment-body": "hi", "comment-idempotency_key": "a" * 24}),
    ):
        assert client.post(path, data=data).status_code == 404
    db.session.expire_all()
    assert db.session.get(EarlyWarning, warning.id).status == "raised"
    assert db.session.scalar(select(func.count()).select_from(WarningComment)) == 0


def test_an_employee_of_the_receiving_function_is_refused_the_acknowledgement_with_a_403(client, org):
    warning = raise_warning(org.author, org.fin_function.id)
    sign_in(client, org.fin_employee)
    response = client.post(f"/warnings/{warning.id}/acknowledge", data={"ack-next_step": "I will"})
    assert response.status_code == 403 and "manager or leader" in response.get_data(as_text=True)


def test_closing_with_an_absurd_actual_impact_is_refused_in_place(client, org):
    warning = raise_warning(org.author, org.fin_function.id, period=f"{clock.today():%Y-%m}")
    with time_machine.travel(parse_period(warning.period).end + timedelta(days=1), tick=False):
        sign_in(client, org.author)
        for value, message in (("inf", "Enter a number"), ("-3", "more than zero"), ("", "Enter an amount")):
            response = client.post(f"/warnings/{warning.id}/close",
                                   data={"close-outcome": "larger", "close-actual_impact": value})
            assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(EarlyWarning, warning.id).status == "raised"


@pytest.mark.parametrize("changes, message", [
    ({"response_days": "0"}, "between 1 and 20"), ({"response_days": "99999999999"}, "between 1 and 20"),
    ({"material_percent": "nan"}, "Enter a number"), ({"material_amount": "-1"}, "between 0.01 and"),
])
def test_the_settings_refuse_absurd_numbers(client, db, changes, message):
    sign_in(client, make_user(Role.ADMIN))
    data = {"response_days": "2", "material_percent": "5", "material_amount": "50000", **changes}
    response = client.post("/warnings/settings", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.get(WarningPolicy, 1) is None

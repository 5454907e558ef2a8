"""The request pages over HTTP: the template, the answer, the what-if fragment, deciding, hostile input."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from programs.resource_requests.models import Condition, RequestOption, RequestStatus, ResourceRequest, WhatIfEdit
from tests.conftest import sign_in
from tests.resource_requests.requests_factories import answered_request, decided_request, sent_request
from webapp import clock
from webapp.forms import new_key

HTMX = {"HX-Request": "true"}


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def template_form(pair, **changes) -> dict:
    form = {"title": "A second forklift", "to_function_id": pair.reviewer.function_id,
            "need": "Pallets per month grew a third.", "impact": "Trucks wait an hour to unload.",
            "cost_one_off": "42000", "cost_monthly": "900", "currency": "EUR",
            "deadline": (clock.today() + timedelta(days=10)).isoformat(), "alternatives": "Renting one by the day.",
            "expected_return": "", "driver": "pallets per month", "driver_value": "2400",
            "idempotency_key": new_key()}
    form.update(changes)
    return form


def test_the_template_sends_a_request_and_a_replay_records_nothing(client, db, pair):
    sign_in(client, pair.requester)
    form = template_form(pair)
    response = client.post("/requests/new", data=form)
    assert response.status_code == 303
    request = db.session.scalar(select(ResourceRequest))
    assert response.headers["Location"].endswith(f"/requests/{request.id}")
    replay = client.post("/requests/new", data=form)
    assert replay.status_code == 400 and "already recorded" in replay.get_data(as_text=True)
    assert count(db, ResourceRequest) == 1
    page = client.get(f"/requests/{request.id}").get_data(as_text=True)
    assert "A second forklift" in page and "EUR 42,000" in page


@pytest.mark.parametrize(("field", "value", "message"), [
    ("cost_monthly", "-1", "Amounts cannot be negative."),
    ("cost_monthly", "inf", "Enter a finite amount."),
    ("cost_one_off", "1e30", "Enter an amount up to 1,000,000,000."),
    ("driver_value", "nan", "Enter a number from 0 to 1,000,000,000."),
    ("deadline", "9999-12-31", "The deadline must be after today"),
    ("deadline", "2026-02-30", "Not a valid date value."),
    ("to_function_id", "999999", "Not a valid choice."),
    ("currency", "EURO", "Not a valid choice."),
])
def test_bad_template_values_answer_400_with_the_message_and_write_nothing(client, db, pair, field, value, message):
    sign_in(client, pair.requester)
    response = client.post("/requests/new", data=template_form(pair, **{field: value}))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(db, ResourceRequest) == 0


def test_nul_and_huge_ids_are_refused_at_the_door(client, db, pair):
    sign_in(client, pair.requester)
    assert client.post("/requests/new", data=template_form(pair, title="fork\x00lift")).status_code == 400
    assert client.post("/requests/new", data=template_form(pair, cost_one_off="9" * 30)).status_code == 400
    assert client.get("/requests/" + "9" * 30).status_code == 404
    assert client.post("/requests/" + "9" * 30 + "/pick", data={}).status_code == 404
    assert count(db, ResourceRequest) == 0


def test_only_the_reviewing_function_drafts_options(client, db, pair):
    request = sent_request(pair)
    db.session.commit()
    form = {"option-kind": "alternative", "option-label": "Rent by the day", "option-fixed_monthly": "500",
            "option-per_unit": "0", "option-look_again_on": (clock.today() + timedelta(days=60)).isoformat(),
            "option-idempotency_key": new_key()}
    for stranger in (pair.requester, pair.fin_employee, pair.outsider):
        sign_in(client, stranger)
        assert client.post(f"/requests/{request.id}/options", data=form).status_code == 403
    assert count(db, RequestOption) == 0
    sign_in(client, pair.reviewer)
    bad = client.post(f"/requests/{request.id}/options", data={**form, "option-fixed_monthly": "-3"})
    assert bad.status_code == 400 and "Amounts cannot be negative." in bad.get_data(as_text=True)
    assert client.post(f"/requests/{request.id}/options", data=form).status_code == 303
    assert count(db, RequestOption) == 1


def test_a_condition_refuses_an_out_of_range_review_date(client, db, pair):
    request = sent_request(pair)
    from programs.resource_requests import services
    from tests.resource_requests.requests_factories import option_data
    option = services.add_option(pair.reviewer, request, option_data(), None, clock.today())
    db.session.commit()
    sign_in(client, pair.reviewer)
    prefix = f"cond{option.id}-"
    form = {prefix + "driver": "calls", prefix + "comparison": ">=", prefix + "threshold": "1200",
            prefix + "review_on": "1900-01-01", prefix + "idempotency_key": new_key()}
    response = client.post(f"/requests/options/{option.id}/conditions", data=form)
    assert response.status_code == 400 and "review date must be after today" in response.get_data(as_text=True)
    assert count(db, Condition) == 0


def test_the_what_if_fragment_moves_the_table_and_shows_errors_in_place(client, db, pair):
    request = answered_request(pair)
    db.session.commit()
    sign_in(client, pair.requester)
    response = client.post(f"/requests/{request.id}/whatif", data={"whatif-driver_value": "1600"}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.startswith('<section id="whatif"') and "<html" not in body
    assert "The preferred option changes at" in body and "Olu Ops moved it from 1,100.0 to 1,600.0" in body
    bad = client.post(f"/requests/{request.id}/whatif", data={"whatif-driver_value": "-4"}, headers=HTMX)
    assert bad.status_code == 422 and "Enter a number from 0" in bad.get_data(as_text=True)
    sign_in(client, pair.outsider)
    assert client.post(f"/requests/{request.id}/whatif", data={"whatif-driver_value": "5"}).status_code == 403
    assert count(db, WhatIfEdit) == 1


def test_pick_and_confirm_through_the_pages(client, db, pair):
    request = answered_request(pair)
    db.session.commit()
    contractors = next(o for o in request.current_options if o.label == "Contractors")
    sign_in(client, pair.requester)
    missing = client.post(f"/requests/{request.id}/pick", data={"pick-option_id": "999999", "pick-reasons": "x"})
    assert missing.status_code == 400
    assert client.post(f"/requests/{request.id}/pick", data={"pick-option_id": contractors.id,
                                                              "pick-reasons": "Learn first."}).status_code == 303
    assert client.post(f"/requests/{request.id}/confirm", data={"confirm-reasons": "Mine."}).status_code == 403
    sign_in(client, pair.reviewer)
    assert client.post(f"/requests/{request.id}/confirm", data={"confirm-reasons": "Agreed.",
                                                                 "confirm-consulted": "Fay"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(ResourceRequest, request.id).status == RequestStatus.DECIDED
    page = client.get(f"/requests/{request.id}").get_data(as_text=True)
    assert "Decided: “Contractors”" in page and "confirmed by Fin Manager" in page


def test_the_list_shows_what_waits_and_filters_by_status(client, db, pair):
    answered_request(pair)
    decided_request(pair)
    db.session.commit()
    sign_in(client, pair.requester)
    page = client.get("/requests").get_data(as_text=True)
    assert "pick an option" in page
    fragment = client.get("/requests?status=decided", headers=HTMX).get_data(as_text=True)
    assert fragment.startswith('<div id="request-results">') and fragment.count('<tr id="request-') == 1
    assert client.get("/requests?status=<script>&function=abc").status_code == 200


def test_ids_of_another_request_or_another_person_change_nothing(client, db, pair):
    mine, other = answered_request(pair), answered_request(pair)
    db.session.commit()
    foreign = other.current_options[0]
    sign_in(client, pair.requester)
    response = client.post(f"/requests/{mine.id}/pick", data={"pick-option_id": foreign.id, "pick-reasons": "x"})
    assert response.status_code == 400 and "Not a valid choice." in response.get_data(as_text=True)
    sign_in(client, pair.reviewer)
    assert client.get(f"/requests/{mine.id}/edit").status_code == 403
    assert client.post(f"/requests/{mine.id}/edit", data={"title": "Mine now"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(ResourceRequest, mine.id).status == RequestStatus.ANSWERED
    assert db.session.get(ResourceRequest, mine.id).title == "Three more technicians"

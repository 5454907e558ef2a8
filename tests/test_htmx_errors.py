"""Errors of htmx requests land in the page's message area; full pages keep the error page."""
from __future__ import annotations

from tests.conftest import sign_in
from tests.factories import make_user

HTMX = {"HX-Request": "true"}


def test_an_htmx_error_is_an_alert_retargeted_to_the_messages(client, db):
    sign_in(client, make_user())
    response = client.post("/recognition/items/999999/react", data={"reaction": "party"}, headers=HTMX)
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#flash-messages"
    assert response.headers["HX-Reswap"] == "innerHTML"
    body = response.get_data(as_text=True)
    assert 'role="alert"' in body and "Not found" in body and "<html" not in body


def test_a_full_page_error_stays_a_page(client, db):
    sign_in(client, make_user())
    response = client.get("/people/999999")
    assert response.status_code == 404
    assert "HX-Retarget" not in response.headers
    assert "<html" in response.get_data(as_text=True)

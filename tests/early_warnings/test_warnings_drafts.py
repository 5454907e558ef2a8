"""Drafts can be saved: a draft needs only its title and the receiving function; raising it needs everything."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from programs.early_warnings.models import EarlyWarning
from tests.conftest import sign_in
from tests.early_warnings.warnings_factories import DRAFT_BUTTON, warning_form
from webapp.extensions import db
from webapp.notifications.models import Notification

PARTIAL = {"impact_low": "", "impact_high": "", "period": "", "description": "", **DRAFT_BUTTON}
MISSING = "Before it is raised, fill in the lowest impact, the highest impact, the period"
HTMX = {"HX-Request": "true"}


def _save_partial_draft(client, org) -> EarlyWarning:
    sign_in(client, org.author)
    response = client.post("/warnings/new", data=warning_form(org.fin_function.id, **PARTIAL))
    assert response.status_code == 303
    return db.session.scalars(select(EarlyWarning)).one()


def test_a_partial_draft_saves_and_shows_as_a_draft_to_its_author_only(client, org):
    draft = _save_partial_draft(client, org)
    assert (draft.status, draft.impact_low, draft.impact_high, draft.period) == ("draft", None, None, "")
    page = client.get(f"/warnings/{draft.id}")
    assert page.status_code == 200 and 'data-status="draft"' in page.get_data(as_text=True)
    assert "Steel prices up 12%" in client.get("/warnings/").get_data(as_text=True)
    sign_in(client, org.fin_manager)
    assert client.get(f"/warnings/{draft.id}").status_code == 404
    assert "Steel prices up 12%" not in client.get("/warnings/").get_data(as_text=True)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_raising_a_partial_draft_names_the_missing_fields_and_changes_nothing(client, org, headers):
    draft = _save_partial_draft(client, org)
    response = client.post(f"/warnings/{draft.id}/raise", headers=headers)
    assert response.status_code == 400 and MISSING in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(EarlyWarning, draft.id).status == "draft"
    assert db.session.scalars(select(Notification)).all() == []


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_the_raise_button_of_a_partial_form_names_the_missing_fields(client, org, headers):
    sign_in(client, org.author)
    partial = {**PARTIAL, "save_draft": "", "submit": "Raise the warning"}
    response = client.post("/warnings/new", data=warning_form(org.fin_function.id, **partial), headers=headers)
    assert response.status_code == 400 and MISSING in response.get_data(as_text=True)
    assert db.session.scalars(select(EarlyWarning)).all() == []


def test_a_draft_still_needs_its_title_and_function(client, org):
    sign_in(client, org.author)
    for missing in ({"title": ""}, {"to_function_id": ""}):
        response = client.post("/warnings/new", data=warning_form(org.fin_function.id, **PARTIAL, **missing))
        assert response.status_code == 400
    assert db.session.scalars(select(EarlyWarning)).all() == []


def test_a_completed_draft_raises(client, org):
    draft = _save_partial_draft(client, org)
    complete = warning_form(org.fin_function.id, **DRAFT_BUTTON)
    del complete["idempotency_key"]
    assert client.post(f"/warnings/{draft.id}/edit", data=complete).status_code == 303
    assert client.post(f"/warnings/{draft.id}/raise").status_code == 303
    db.session.expire_all()
    assert db.session.get(EarlyWarning, draft.id).status == "raised"

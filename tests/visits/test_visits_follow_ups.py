"""Follow-ups: ownership (one owner, or one per function), who may update them, my follow-ups, the tile."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from programs.visits.models import FollowUp
from tests.conftest import sign_in
from tests.timeline import TODAY
from tests.visits.visits_factories import form_key, make_follow_up, make_visit


def follow_up_form(owner, today) -> dict:
    """The add-a-follow-up form as the visit page posts it, with a fresh key."""
    return {"follow-up-description": "Send the payment schedule", "follow-up-owner_id": owner.id,
            "follow-up-due_on": (today + timedelta(days=10)).isoformat(), "follow-up-idempotency_key": form_key()}


def add(client, visit, **fields):
    data = follow_up_form(fields.pop("owner"), TODAY)
    if "partner" in fields:
        data["follow-up-partner_owner_id"] = fields.pop("partner").id
    if fields.pop("needs_both", False):
        data["follow-up-needs_both"] = "y"
    return client.post(f"/visits/{visit.id}/follow-ups", data={**data, **fields})


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(FollowUp))


def test_an_attendee_adds_a_follow_up_with_one_owner(client, db, org):
    visit = make_visit([org.fin, org.ops])
    sign_in(client, org.fin)
    assert add(client, visit, owner=org.ops).status_code == 303
    follow_up = db.session.scalar(select(FollowUp))
    assert (follow_up.owner_id, follow_up.partner_owner_id, follow_up.status) == (org.ops.id, None, "open")


def test_a_follow_up_that_needs_both_functions_has_an_owner_from_each(client, db, org):
    visit = make_visit([org.fin, org.fin2, org.ops])
    sign_in(client, org.fin)
    missing = add(client, visit, owner=org.fin, needs_both=True)
    assert missing.status_code == 400 and b"needs an owner from each" in missing.data
    same = add(client, visit, owner=org.fin, partner=org.fin2, needs_both=True)
    assert same.status_code == 400 and b"different functions" in same.data
    stray = add(client, visit, owner=org.fin, partner=org.ops)
    assert stray.status_code == 400 and b"only for a follow-up that needs both" in stray.data
    assert count(db) == 0
    assert add(client, visit, owner=org.fin, partner=org.ops, needs_both=True).status_code == 303
    follow_up = db.session.scalar(select(FollowUp))
    assert follow_up.owner_ids == {org.fin.id, org.ops.id}


def test_owners_come_from_the_attendees_and_only_attendees_add_follow_ups(client, db, org):
    visit = make_visit([org.fin, org.ops])
    sign_in(client, org.fin)
    response = add(client, visit, owner=org.outsider)
    assert response.status_code == 400 and b"Not a valid choice" in response.data
    sign_in(client, org.outsider)
    assert add(client, visit, owner=org.fin).status_code == 403
    assert count(db) == 0


@pytest.mark.parametrize("field, value, message", [
    ("follow-up-description", "", b"This field is required"),
    ("follow-up-description", "x" * 401, b"cannot be longer than 400"),
    ("follow-up-due_on", "soon", b"Give a due date"),
])
def test_follow_up_form_errors_show_beside_the_field(client, db, org, field, value, message):
    visit = make_visit([org.fin, org.ops])
    sign_in(client, org.fin)
    response = add(client, visit, owner=org.fin, **{field: value})
    assert response.status_code == 400 and message in response.data and count(db) == 0


def test_a_replayed_follow_up_form_answers_already_recorded(client, db, org):
    visit = make_visit([org.fin, org.ops])
    sign_in(client, org.fin)
    data = follow_up_form(org.fin, TODAY)
    assert client.post(f"/visits/{visit.id}/follow-ups", data=data).status_code == 303
    again = client.post(f"/visits/{visit.id}/follow-ups", data=data)
    assert again.status_code == 303
    assert "That was already recorded." in client.get(again.headers["Location"]).get_data(as_text=True)
    assert count(db) == 1


def test_the_same_follow_up_twice_is_refused(client, db, org):
    visit = make_visit([org.fin, org.ops])
    sign_in(client, org.fin)
    assert add(client, visit, owner=org.fin).status_code == 303
    again = add(client, visit, owner=org.fin)
    assert again.status_code == 400 and b"already has a follow-up" in again.data and count(db) == 1


def update(client, follow_up, status, outcome="", **extra):
    prefix = f"fu{follow_up.id}"
    return client.post(f"/follow-ups/{follow_up.id}",
                       data={f"{prefix}-status": status, f"{prefix}-outcome": outcome, **extra.get("data", {})},
                       headers=extra.get("headers"))


def test_only_owners_update_and_done_needs_an_outcome(client, db, org):
    visit = make_visit([org.fin, org.ops])
    follow_up = make_follow_up(visit, org.fin, TODAY, partner=org.ops)
    sign_in(client, org.fin2)
    assert update(client, follow_up, "done", "sneaky").status_code == 403
    sign_in(client, org.ops)
    no_outcome = update(client, follow_up, "done")
    assert no_outcome.status_code == 400 and b"Say what came of it" in no_outcome.data
    assert db.session.get(FollowUp, follow_up.id).status == "open"
    assert update(client, follow_up, "in_progress").status_code == 303
    assert update(client, follow_up, "done", "Signed").status_code == 303
    done = db.session.get(FollowUp, follow_up.id)
    assert (done.status, done.outcome) == ("done", "Signed") and done.completed_at is not None
    assert update(client, follow_up, "finished", "x").status_code == 400


def test_updating_with_htmx_swaps_the_follow_up_item(client, db, org):
    visit = make_visit([org.fin, org.ops])
    follow_up = make_follow_up(visit, org.fin, TODAY)
    sign_in(client, org.fin)
    response = update(client, follow_up, "done", "Paid", headers={"HX-Request": "true"}, data={"back": "mine"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.strip().startswith(f'<li class="list-group-item" id="follow-up-{follow_up.id}">')
    assert 'data-status="done"' in html and "Outcome: Paid" in html and visit.account.name in html


def test_my_follow_ups_lists_open_ones_overdue_first_then_by_due_date(client, db, org):
    visit = make_visit([org.fin, org.ops])
    later = make_follow_up(visit, org.fin, TODAY + timedelta(days=20), description="Later")
    soon = make_follow_up(visit, org.ops, TODAY + timedelta(days=2), partner=org.fin, description="Soon, shared")
    overdue = make_follow_up(visit, org.fin, TODAY - timedelta(days=5), status="in_progress", description="Overdue")
    make_follow_up(visit, org.fin, TODAY - timedelta(days=9), status="done", description="Finished")
    make_follow_up(visit, org.ops, TODAY - timedelta(days=9), description="Not mine")
    sign_in(client, org.fin)
    html = client.get("/follow-ups").get_data(as_text=True)
    open_part, closed_part = html.split('id="my-closed-follow-ups"')
    positions = [open_part.index(f'id="follow-up-{f.id}"') for f in (overdue, soon, later)]
    assert positions == sorted(positions)
    assert "Not mine" not in html and "Finished" in closed_part and "Finished" not in open_part
    assert open_part.count("overdue</span>") == 1


def test_home_tiles_show_my_follow_ups_and_visits_to_confirm(client, db, org):
    visit = make_visit([org.fin, org.ops], author=org.fin)
    make_follow_up(visit, org.ops, TODAY - timedelta(days=1), description="Ship the report")
    sign_in(client, org.ops)
    html = client.get("/").get_data(as_text=True)
    assert 'id="tile-my-follow-ups"' in html and "Ship the report" in html
    assert 'id="tile-visits-to-confirm"' in html and f"/visits/{visit.id}" in html
    sign_in(client, org.fin)  # the author has nothing to confirm, so the tile is hidden
    assert 'id="tile-visits-to-confirm"' not in client.get("/").get_data(as_text=True)

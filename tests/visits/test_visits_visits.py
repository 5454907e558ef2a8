"""Planning, logging, joint detection, notes, confirmation and the visit_confirmed event, over HTTP."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from programs.visits.models import FunctionNote, Visit
from tests.conftest import sign_in
from tests.races import client_as, meanwhile, post_as, run_together
from tests.timeline import TODAY
from tests.visits.visits_factories import form_key, make_account, make_visit
from webapp import signals


@contextmanager
def captured_confirmations():
    received: list[dict] = []

    def receiver(sender, **kwargs):
        received.append({"sender": sender, **kwargs})

    signals.visit_confirmed.connect(receiver)
    try:
        yield received
    finally:
        signals.visit_confirmed.disconnect(receiver)


def plan_form(account, attendees, **overrides) -> dict:
    data = {"account_id": account.id, "visit_on": (TODAY + timedelta(days=7)).isoformat(), "mode": "on_site",
            "purpose": "Quarterly review", "attendee_ids": [u.id for u in attendees],
            "contacts": "Jo Smith, CFO\nAna Ruiz", "agenda": "Terms", "idempotency_key": form_key()}
    return {**data, **overrides}


# --- planning and joint detection ------------------------------------------------------------

def test_planning_with_two_functions_makes_a_joint_visit(client, db, org):
    account = make_account("Acme")
    sign_in(client, org.fin)
    response = client.post("/visits/new", data=plan_form(account, [org.fin, org.ops]))
    assert response.status_code == 303
    visit = db.session.scalar(select(Visit))
    assert visit.is_joint and visit.status == "planned" and visit.author_id is None
    assert visit.function_ids == {org.finance.id, org.operations.id}
    assert [(c.name, c.role) for c in visit.contacts] == [("Jo Smith", "CFO"), ("Ana Ruiz", "")]
    assert visit.quarter == f"{visit.visit_on.year}-Q{(visit.visit_on.month - 1) // 3 + 1}"


def test_attendees_of_one_function_make_a_visit_that_is_not_joint(client, db, org):
    sign_in(client, org.fin)
    response = client.post("/visits/new", data=plan_form(make_account(), [org.fin, org.fin2]))
    assert b"It is not joint" in client.get(response.headers["Location"]).data
    assert db.session.scalar(select(Visit)).is_joint is False


def test_the_joint_check_answers_live_as_attendees_are_picked(client, db, org):
    sign_in(client, org.fin)
    one = client.post("/visits/joint-check", data={"attendee_ids": [org.fin.id, org.fin2.id]},
                      headers={"HX-Request": "true"})
    assert b'id="joint-status"' in one.data and b"Not joint yet" in one.data and b"<html" not in one.data
    two = client.post("/visits/joint-check", data={"attendee_ids": [org.fin.id, org.ops.id]},
                      headers={"HX-Request": "true"})
    assert b"Joint visit:" in two.data and b"Finance, Operations" in two.data
    junk = client.post("/visits/joint-check", data={"attendee_ids": ["x", ""]})
    assert junk.status_code == 200 and b"pick attendees" in junk.data


@pytest.mark.parametrize("change, field_message", [
    ({"attendee_ids": []}, b"Pick the internal attendees"),
    ({"account_id": 0}, b"Choose an account"),
    ({"visit_on": "not-a-date"}, b"Give the date (YYYY-MM-DD)"),
    ({"purpose": ""}, b"This field is required"),
    ({"purpose": "x" * 201}, b"Field cannot be longer than 200 characters"),
    ({"mode": "teleport"}, b"Not a valid choice"),
    ({"contacts": "x" * 130}, b"Line 1"),
])
def test_plan_form_rejects_bad_input_beside_the_field(client, db, org, change, field_message):
    sign_in(client, org.fin)
    response = client.post("/visits/new", data=plan_form(make_account(), [org.fin, org.ops], **change))
    assert response.status_code == 400 and field_message in response.data
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_the_planner_must_attend_and_attendees_must_be_active_people(client, db, org):
    account = make_account()
    sign_in(client, org.fin)
    response = client.post("/visits/new", data=plan_form(account, [org.ops, org.ops2]))
    assert response.status_code == 400 and b"Add yourself" in response.data
    response = client.post("/visits/new", data={**plan_form(account, [org.fin]), "attendee_ids": [org.fin.id, 99999]})
    assert response.status_code == 400 and b"not a valid choice" in response.data
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_a_replayed_plan_form_answers_already_recorded_on_the_visit_it_made(client, db, org):
    data = plan_form(make_account(), [org.fin, org.ops])
    sign_in(client, org.fin)
    first = client.post("/visits/new", data=data)
    assert first.status_code == 303
    again = client.post("/visits/new", data=data)
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert "That was already recorded." in client.get(again.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1


def test_a_replay_that_checked_its_key_just_before_the_first_request_committed_hears_already_recorded(
        app, client, db, org):
    """The race behind the lost flash: the replay's key check misses; the first commits, its duplicate rule trips."""
    data = plan_form(make_account(), [org.fin, org.ops])
    db.session.commit()
    sign_in(client, org.fin)
    user_id = org.fin.get_id()
    def first_request():
        return post_as(app, user_id, "/visits/new", data)
    with meanwhile(db.engine, "WHERE visits_visit.idempotency_key", first_request) as first:
        replay = client.post("/visits/new", data=data)
    assert first[0][0] == 303 and "The visit is saved." in first[0][1]
    assert replay.status_code == 303
    assert "That was already recorded." in client.get(replay.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1


def test_a_second_form_for_the_same_account_date_and_purpose_is_refused(client, db, org):
    data = plan_form(make_account(), [org.fin, org.ops])
    sign_in(client, org.fin)
    assert client.post("/visits/new", data=data).status_code == 303
    again = client.post("/visits/new", data={**data, "idempotency_key": form_key()})
    assert again.status_code == 400 and b"already exists" in again.data
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1


@pytest.mark.parametrize("key", ["", "short", "x" * 65, "not a key!!!!!!!!!!"])
def test_a_plan_form_without_a_valid_key_is_refused(client, db, org, key):
    sign_in(client, org.fin)
    response = client.post("/visits/new", data=plan_form(make_account(), [org.fin, org.ops], idempotency_key=key))
    assert response.status_code == 400 and b"This form is out of date; reload the page." in response.data
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_html_in_the_purpose_is_shown_as_text(client, db, org):
    sign_in(client, org.fin)
    client.post("/visits/new", data=plan_form(make_account(), [org.fin, org.ops], purpose="<script>alert(1)</script>"))
    visit = db.session.scalar(select(Visit))
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


def test_logging_a_past_visit_directly_makes_the_logger_its_author(client, db, org):
    sign_in(client, org.ops)
    data = plan_form(make_account(), [org.fin, org.ops], visit_on=(TODAY - timedelta(days=2)).isoformat(),
                     already_held="y")
    assert client.post("/visits/new", data=data).status_code == 303
    visit = db.session.scalar(select(Visit))
    assert visit.status == "held" and visit.author_id == org.ops.id


def test_a_future_visit_cannot_be_logged_as_held(client, db, org):
    sign_in(client, org.fin)
    response = client.post("/visits/new", data=plan_form(make_account(), [org.fin, org.ops], already_held="y"))
    assert response.status_code == 400 and b"cannot have been held yet" in response.data
    visit = make_visit([org.fin, org.ops], status="planned", visit_on=TODAY + timedelta(days=3))
    response = client.post(f"/visits/{visit.id}/held")
    assert response.status_code == 400
    assert db.session.get(Visit, visit.id).status == "planned"


def test_the_attendee_who_logs_a_planned_visit_is_its_author(client, db, org):
    visit = make_visit([org.fin, org.ops], status="planned", visit_on=TODAY)
    sign_in(client, org.ops)
    assert client.post(f"/visits/{visit.id}/held").status_code == 303
    visit = db.session.get(Visit, visit.id)
    assert visit.status == "held" and visit.author_id == org.ops.id


def test_only_attendees_edit_log_or_cancel_a_visit(client, db, org):
    visit = make_visit([org.fin, org.ops], status="planned", visit_on=TODAY)
    sign_in(client, org.outsider)
    assert client.get(f"/visits/{visit.id}/edit").status_code == 403
    assert client.post(f"/visits/{visit.id}/held").status_code == 403
    assert client.post(f"/visits/{visit.id}/cancel").status_code == 403
    assert db.session.get(Visit, visit.id).status == "planned"
    sign_in(client, org.fin)
    assert client.post(f"/visits/{visit.id}/cancel").status_code == 303
    assert db.session.get(Visit, visit.id).status == "cancelled"
    assert client.post(f"/visits/{visit.id}/cancel").status_code == 400  # a replay changes nothing


def test_editing_the_plan_changes_attendees_and_joint_flag(client, db, org):
    visit = make_visit([org.fin, org.fin2], status="planned", visit_on=TODAY + timedelta(days=5))
    assert not visit.is_joint
    sign_in(client, org.fin)
    assert client.get(f"/visits/{visit.id}/edit").status_code == 200
    data = plan_form(visit.account, [org.fin, org.ops], visit_on=visit.visit_on.isoformat(), purpose=visit.purpose)
    assert client.post(f"/visits/{visit.id}/edit", data=data).status_code == 303
    visit = db.session.get(Visit, visit.id)
    assert visit.is_joint and {a.user_id for a in visit.attendees} == {org.fin.id, org.ops.id}


# --- confirmation ---------------------------------------------------------------------------

def test_an_attendee_of_another_function_confirms_and_the_event_fires_once(client, db, org):
    visit = make_visit([org.fin, org.ops], author=org.fin, visit_on=TODAY - timedelta(days=3))
    visit.internal_only = True
    sign_in(client, org.ops)
    with captured_confirmations() as received:
        assert client.post(f"/visits/{visit.id}/confirm").status_code == 303
        replay = client.post(f"/visits/{visit.id}/confirm")
    assert replay.status_code == 400 and b"already confirmed" in replay.data
    assert len(received) == 1
    event = received[0]
    assert set(event) == {"sender", "visit_id", "attendees", "function_ids", "account_name", "internal_only",
                          "confirmed_by", "held_on", "occurred_at"}
    assert event["sender"] == "visits" and event["visit_id"] == visit.id
    assert {u.id for u in event["attendees"]} == {org.fin.id, org.ops.id}
    assert event["function_ids"] == {org.finance.id, org.operations.id}
    assert event["account_name"] == visit.account.name and event["internal_only"] is True
    assert event["confirmed_by"].id == org.ops.id and event["held_on"] == TODAY - timedelta(days=3)
    assert event["occurred_at"] == datetime.combine(TODAY - timedelta(days=3), time(12), tzinfo=UTC)
    confirmed = db.session.get(Visit, visit.id)
    assert confirmed.confirmed_by_id == org.ops.id and confirmed.confirmed_at is not None


@pytest.mark.parametrize("confirmer", ["fin", "fin2", "outsider"])
def test_the_author_its_own_function_and_non_attendees_cannot_confirm(client, db, org, confirmer):
    visit = make_visit([org.fin, org.fin2, org.ops], author=org.fin)
    sign_in(client, getattr(org, confirmer))
    with captured_confirmations() as received:
        response = client.post(f"/visits/{visit.id}/confirm")
    assert response.status_code == 403
    assert received == [] and db.session.get(Visit, visit.id).confirmed_at is None


def test_planned_and_single_function_visits_cannot_be_confirmed(client, db, org):
    planned = make_visit([org.fin, org.ops], status="planned")
    lonely = make_visit([org.fin, org.fin2], author=org.fin)
    with captured_confirmations() as received:
        sign_in(client, org.ops)
        assert client.post(f"/visits/{planned.id}/confirm").status_code == 400
        sign_in(client, org.fin2)
        assert client.post(f"/visits/{lonely.id}/confirm").status_code == 400
    assert received == []


def test_confirming_with_htmx_swaps_the_confirmation_fragment(client, db, org):
    visit = make_visit([org.fin, org.ops], author=org.fin)
    sign_in(client, org.ops)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Confirm this joint visit" in page
    response = client.post(f"/visits/{visit.id}/confirm", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.startswith('<div id="visit-confirmation">') and "Confirmed by Otto Ops" in html
    refused = client.post(f"/visits/{visit.id}/confirm", headers={"HX-Request": "true"})
    assert refused.status_code == 400 and refused.headers["HX-Redirect"].endswith(f"/visits/{visit.id}")


def test_the_author_sees_no_confirm_button(client, db, org):
    visit = make_visit([org.fin, org.ops], author=org.fin)
    sign_in(client, org.fin)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Confirm this joint visit" not in page and "waiting for an attendee of another function" in page


def test_internal_only_cannot_change_after_confirmation(client, db, org):
    visit = make_visit([org.fin, org.ops], author=org.fin)
    sign_in(client, org.ops)
    client.post(f"/visits/{visit.id}/confirm")
    response = client.post(f"/visits/{visit.id}/outcome", data={"outcome-summary": "ok", "outcome-internal_only": "y"})
    assert response.status_code == 400 and b"cannot change now" in response.data
    assert db.session.get(Visit, visit.id).internal_only is False


# --- summary, sentiment and function notes ----------------------------------------------------

def test_any_attendee_writes_the_shared_summary_and_sentiment(client, db, org):
    visit = make_visit([org.fin, org.ops])
    sign_in(client, org.ops)
    response = client.post(f"/visits/{visit.id}/outcome",
                           data={"outcome-summary": "Went well", "outcome-sentiment": "4"})
    assert response.status_code == 303
    visit = db.session.get(Visit, visit.id)
    assert (visit.summary, visit.sentiment) == ("Went well", 4)


@pytest.mark.parametrize("sentiment", ["0", "6", "x"])
def test_sentiment_is_one_to_five(client, db, org, sentiment):
    visit = make_visit([org.fin, org.ops])
    sign_in(client, org.fin)
    response = client.post(f"/visits/{visit.id}/outcome", data={"outcome-summary": "s", "outcome-sentiment": sentiment})
    assert response.status_code == 400
    assert db.session.get(Visit, visit.id).sentiment is None


def test_non_attendees_write_no_summary(client, db, org):
    visit = make_visit([org.fin, org.ops])
    sign_in(client, org.outsider)
    assert client.post(f"/visits/{visit.id}/outcome", data={"outcome-summary": "x"}).status_code == 403
    assert db.session.get(Visit, visit.id).summary == ""


def _notes(db, visit) -> dict[int, tuple[str, list[str]]]:
    notes = db.session.scalars(select(FunctionNote).where(FunctionNote.visit_id == visit.id))
    return {n.function_id: (n.body, [t.tag for t in n.learnings]) for n in notes}


def test_each_attendee_writes_only_their_own_functions_note(client, db, org):
    visit = make_visit([org.fin, org.fin2, org.ops])
    sign_in(client, org.fin)
    client.post(f"/visits/{visit.id}/note", data={"note-body": "Payment terms at 60 days",
                                                   "note-learnings": "Payment terms, cost to serve"})
    sign_in(client, org.ops)
    client.post(f"/visits/{visit.id}/note", data={"note-body": "Deliveries on time", "note-learnings": "quality"})
    assert _notes(db, visit) == {
        org.finance.id: ("Payment terms at 60 days", ["cost to serve", "payment terms"]),
        org.operations.id: ("Deliveries on time", ["quality"]),
    }
    sign_in(client, org.fin2)  # a colleague of the same function edits the Finance note, not Operations'
    client.post(f"/visits/{visit.id}/note", data={"note-body": "Also pricing pressure", "note-learnings": "pricing"})
    notes = _notes(db, visit)
    assert notes[org.finance.id] == ("Also pricing pressure", ["pricing"])
    assert notes[org.operations.id] == ("Deliveries on time", ["quality"])


def test_a_non_attendee_cannot_write_any_note(client, db, org):
    visit = make_visit([org.fin, org.ops])
    sign_in(client, org.outsider)
    response = client.post(f"/visits/{visit.id}/note", data={"note-body": "sneaky"})
    assert response.status_code == 403 and _notes(db, visit) == {}


def test_notes_wait_for_the_visit_to_be_held_and_reject_too_many_tags(client, db, org):
    planned = make_visit([org.fin, org.ops], status="planned")
    held = make_visit([org.fin, org.ops])
    sign_in(client, org.fin)
    assert client.post(f"/visits/{planned.id}/note", data={"note-body": "x"}).status_code == 400
    tags = ", ".join(f"tag{n}" for n in range(11))
    response = client.post(f"/visits/{held.id}/note", data={"note-body": "x", "note-learnings": tags})
    assert response.status_code == 400 and b"At most 10 learnings" in response.data
    assert _notes(db, planned) == {} and _notes(db, held) == {}


def test_note_text_with_html_is_shown_as_text_with_line_breaks(client, db, org):
    visit = make_visit([org.fin, org.ops])
    sign_in(client, org.fin)
    client.post(f"/visits/{visit.id}/note", data={"note-body": "<b>bold</b>\nsecond line"})
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "&lt;b&gt;bold&lt;/b&gt;<br>second line" in page


@pytest.mark.postgres_only
def test_two_attendees_confirming_at_once_fire_the_event_once(app, db, org):
    """On PostgreSQL two requests really run at once; the conditional update lets only one of them confirm."""
    visit = make_visit([org.fin, org.ops, org.ops2], author=org.fin)
    db.session.commit()
    url, session_ids = f"/visits/{visit.id}/confirm", [org.ops.get_id(), org.ops2.get_id()]
    clients = [client_as(app, sid) for sid in session_ids]
    with captured_confirmations() as received:
        statuses = run_together(2, lambda i: clients[i].post(url).status_code)
    assert sorted(statuses) == [303, 400] and len(received) == 1

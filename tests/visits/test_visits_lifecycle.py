"""Joint visits that cannot be gamed and can be undone: confirmation requests, backdating, the pair cap,
follow-up dates, cancelling or un-confirming a visit logged by mistake, and the history of a function's note."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from programs.visits.models import FollowUp, FunctionNote, Visit
from recognition.models import FeedItem, LedgerEntry
from tests.conftest import sign_in
from tests.factories import make_user
from tests.timeline import TODAY
from tests.visits.test_visits_follow_ups import add as add_follow_up
from tests.visits.test_visits_visits import plan_form
from tests.visits.visits_factories import make_account, make_visit
from webapp.auth.models import AuditEntry
from webapp.notifications.models import Notification
from webapp.roles import Role


def points_of(db, user) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.user_id == user.id, LedgerEntry.account == "points", LedgerEntry.source_type == "visit"))


def notification_kinds(db, user) -> list[str]:
    return [n.kind for n in db.session.query(Notification).filter_by(user_id=user.id)]


def confirm(client, visit, confirmer):
    sign_in(client, confirmer)
    return client.post(f"/visits/{visit.id}/confirm")


# --- logged as held: the other functions are asked to confirm ----------------------------------

def test_a_joint_visit_logged_as_already_held_asks_the_other_functions_to_confirm(client, db, org):
    sign_in(client, org.fin)
    data = plan_form(make_account(), [org.fin, org.fin2, org.ops], already_held="y",
                     visit_on=(TODAY - timedelta(days=1)).isoformat())
    assert client.post("/visits/new", data=data).status_code == 303
    assert notification_kinds(db, org.ops) == ["approval"]
    assert notification_kinds(db, org.fin2) == [] and notification_kinds(db, org.fin) == []


# --- backdating ---------------------------------------------------------------------------------

def test_a_visit_older_than_the_backdating_limit_cannot_be_logged_as_held(client, db, org):
    sign_in(client, org.fin)
    old = plan_form(make_account(), [org.fin, org.ops], already_held="y",
                    visit_on=(TODAY - timedelta(days=91)).isoformat())
    response = client.post("/visits/new", data=old)
    assert response.status_code == 400 and b"more than 90 days ago cannot be logged" in response.data
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    limit = plan_form(make_account(), [org.fin, org.ops], already_held="y",
                      visit_on=(TODAY - timedelta(days=90)).isoformat())
    assert client.post("/visits/new", data=limit).status_code == 303
    planned_long_ago = make_visit([org.fin, org.ops], status="planned", visit_on=TODAY - timedelta(days=120))
    assert client.post(f"/visits/{planned_long_ago.id}/held").status_code == 400
    assert db.session.get(Visit, planned_long_ago.id).status == "planned"


def test_an_admin_changes_the_visit_settings_and_it_is_audited(client, db, org):
    admin = make_user(Role.ADMIN)
    sign_in(client, admin)
    assert client.get("/visits/settings").status_code == 200
    bad = client.post("/visits/settings", data={"backdate_days": "0", "pair_monthly_cap": "4"})
    assert bad.status_code == 400
    assert client.post("/visits/settings", data={"backdate_days": "200", "pair_monthly_cap": "2"}).status_code == 303
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "visits.policy"))
    assert entry.actor_id == admin.id and entry.before is None
    assert entry.after == {"backdate_days": 200, "pair_monthly_cap": 2}
    sign_in(client, org.fin)
    older = plan_form(make_account(), [org.fin, org.ops], already_held="y",
                      visit_on=(TODAY - timedelta(days=150)).isoformat())
    assert client.post("/visits/new", data=older).status_code == 303


def test_points_and_the_feed_item_are_dated_by_the_visit(client, db, org):
    held_on = TODAY - timedelta(days=60)
    visit = make_visit([org.fin, org.ops], visit_on=held_on)
    assert confirm(client, visit, org.ops).status_code == 303
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.source_type == "visit")).all()
    assert len(entries) == 2
    assert {(e.period, e.created_at.date()) for e in entries} == {(f"{held_on:%Y-%m}", held_on)}
    item = db.session.scalar(select(FeedItem).where(FeedItem.source_key == f"visit:{visit.id}"))
    assert item.created_at.date() == held_on


# --- the pair cap ---------------------------------------------------------------------------------

def test_visit_points_are_capped_per_pair_and_month(client, db, org):
    sign_in(client, make_user(Role.ADMIN))
    client.post("/visits/settings", data={"backdate_days": "90", "pair_monthly_cap": "2"})
    day = TODAY - timedelta(days=1)
    by_fin = [make_visit([org.fin, org.ops], visit_on=day, author=org.fin) for _ in range(2)]
    by_ops = make_visit([org.ops, org.fin], visit_on=day, author=org.ops)  # the pair the other way round
    other_pair = make_visit([org.fin2, org.ops], visit_on=day, author=org.fin2)
    for visit in by_fin:
        assert confirm(client, visit, org.ops).status_code == 303
    assert confirm(client, by_ops, org.fin).status_code == 303
    assert confirm(client, other_pair, org.ops).status_code == 303
    assert points_of(db, org.fin) == 40 and points_of(db, org.fin2) == 20  # fin's third visit earned nothing
    capped = db.session.get(Visit, by_ops.id)
    assert capped.confirmed_at is not None and capped.earned_points is False
    assert db.session.scalar(select(FeedItem.id).where(FeedItem.source_key == f"visit:{by_ops.id}")) is None
    page = client.get(f"/visits/{by_ops.id}").get_data(as_text=True)
    assert "It earned no points" in page


# --- follow-up dates ------------------------------------------------------------------------------

@pytest.mark.parametrize("days_before_visit, message", [(1, b"cannot be due before the visit"),
                                                        (-5, b"cannot be due in the past")])
def test_a_follow_up_is_due_after_the_visit_and_not_in_the_past(client, db, org, days_before_visit, message):
    visit = make_visit([org.fin, org.ops], visit_on=TODAY - timedelta(days=10))
    sign_in(client, org.fin)
    due = visit.visit_on - timedelta(days=days_before_visit)
    response = add_follow_up(client, visit, owner=org.fin, **{"follow-up-due_on": due.isoformat()})
    assert response.status_code == 400 and message in response.data
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 0
    assert add_follow_up(client, visit, owner=org.fin, **{"follow-up-due_on": TODAY.isoformat()}).status_code == 303


# --- undoing a visit logged by mistake ---------------------------------------------------------------

def test_the_author_withdraws_a_confirmation_and_the_points_go_back(client, db, org):
    visit = make_visit([org.fin, org.ops], author=org.fin)
    confirm(client, visit, org.ops)
    assert points_of(db, org.fin) == 20 and points_of(db, org.ops) == 20
    sign_in(client, org.fin)
    assert client.post(f"/visits/{visit.id}/unconfirm").status_code == 303
    visit = db.session.get(Visit, visit.id)
    assert visit.status == "held" and visit.confirmed_at is None
    assert points_of(db, org.fin) == 0 and points_of(db, org.ops) == 0
    assert db.session.scalar(select(FeedItem.state).where(FeedItem.source_key == f"visit:{visit.id}")) == "hidden"
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "visit.unconfirm"))
    assert audit.actor_id == org.fin.id and audit.before["confirmed_by_id"] == org.ops.id
    assert confirm(client, visit, org.ops).status_code == 303  # confirmed again: paid again, once
    assert points_of(db, org.fin) == 20 and points_of(db, org.ops) == 20


def test_an_admin_cancels_a_confirmed_visit_logged_by_mistake(client, db, org):
    visit = make_visit([org.fin, org.ops], author=org.fin)
    confirm(client, visit, org.ops)
    sign_in(client, make_user(Role.ADMIN))
    assert client.post(f"/visits/{visit.id}/cancel").status_code == 303
    assert db.session.get(Visit, visit.id).status == "cancelled"
    assert points_of(db, org.fin) == 0 and points_of(db, org.ops) == 0
    reversals = db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "visit-reversal")).all()
    assert sorted(e.amount for e in reversals) == [-20, -20]


@pytest.mark.parametrize("who", ["ops", "fin2", "outsider"])
def test_only_the_author_or_an_admin_undoes_a_held_visit(client, db, org, who):
    visit = make_visit([org.fin, org.fin2, org.ops], author=org.fin)
    confirm(client, visit, org.ops)
    sign_in(client, getattr(org, who))
    assert client.post(f"/visits/{visit.id}/unconfirm").status_code == 403
    assert client.post(f"/visits/{visit.id}/cancel").status_code == 403
    visit = db.session.get(Visit, visit.id)
    assert visit.status == "held" and visit.confirmed_at is not None and points_of(db, org.fin) == 20


# --- a function's note keeps its revisions ---------------------------------------------------------

def note(client, visit, body, tags="", revision=None):
    data = {"note-body": body, "note-learnings": tags}
    if revision is not None:
        data["note-revision"] = str(revision)
    return client.post(f"/visits/{visit.id}/note", data=data)


def test_a_functions_note_keeps_its_revisions_and_shows_who_changed_what(client, db, org):
    visit = make_visit([org.fin, org.fin2, org.ops])
    sign_in(client, org.fin)
    assert note(client, visit, "Payment terms stretch to 60 days.", "payment terms", revision=0).status_code == 303
    sign_in(client, org.fin2)
    assert note(client, visit, "Terms stretch to 75 days.", "payment terms, cost to serve",
                revision=1).status_code == 303
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    history = page[page.index(f'id="note-{org.finance.id}-history"'):]
    assert "History (2 versions)" in history
    assert "Finn Finance</strong> changed the text; added cost to serve" in history
    assert "Fay Finance</strong> wrote the note" in history and "Payment terms stretch to 60 days." in history


def test_a_stale_note_form_does_not_overwrite_a_colleagues_note(client, db, org):
    visit = make_visit([org.fin, org.fin2, org.ops])
    sign_in(client, org.fin)
    note(client, visit, "First version.", revision=0)
    sign_in(client, org.fin2)
    stale = note(client, visit, "My version, written without seeing the first.", revision=0)
    assert stale.status_code == 400 and b"Fay Finance changed this note since you opened it" in stale.data
    assert b"My version, written without seeing the first." in stale.data  # the writer's text is kept in the form
    assert db.session.scalar(select(FunctionNote.body)) == "First version."
    assert b'name="note-revision" type="hidden" value="1"' in stale.data  # saving again now is deliberate
    assert note(client, visit, "Merged version.", revision=1).status_code == 303

"""Rules that cannot be gamed: removals give points back, opting out means out, badges by history,
people hear about what happens to them, the allowance says when it expires, the form says which rules apply."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from recognition import queries, services
from recognition.models import BadgeAward, FeedItem, LedgerEntry
from recognition.queries import points_balance, spent_in
from tests.conftest import sign_in
from tests.factories import make_user
from tests.recognition.recognition_factories import give, key, log_joint_win, make_org
from webapp import clock
from webapp.auth.models import AuditEntry
from webapp.notifications.models import Notification
from webapp.periods import month_label, quarter_label, quarter_months
from webapp.roles import Role

HX = {"HX-Request": "true"}


@pytest.fixture
def org(db):
    return make_org()


def _item_of(db, kudos) -> FeedItem:
    return db.session.scalar(select(FeedItem).where(FeedItem.kudos_id == kudos.id))


def _ledger_sum(db, user_id: int, account: str) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.user_id == user_id, LedgerEntry.account == account))


# --- removed posts give their points back --------------------------------------------------------

@pytest.mark.parametrize("removal", ["deleted by its author", "hidden by an admin"])
def test_a_removed_kudos_gives_its_points_back_and_refunds_the_giver(org, db, removal):
    kudos = give(org.fin[0], org.ops[0], points=20)
    services.add_to_kudos(org.ops[1], kudos, 5, key())
    assert points_balance(org.ops[0].id) == 20 + 10 + 5  # the kudos, its bridge bonus, the add-on (same function)
    item = _item_of(db, kudos)
    if removal == "deleted by its author":
        services.delete_own_item(org.fin[0], item)
    else:
        services.hide_item(make_user(Role.ADMIN), item, "Names a customer")
    period = month_label(clock.now())
    assert points_balance(org.ops[0].id) == 0
    assert spent_in(org.fin[0].id, period) == 0 and spent_in(org.ops[1].id, period) == 0
    kinds = db.session.scalars(select(LedgerEntry.kind).where(LedgerEntry.amount > 0,
                                                              LedgerEntry.account == "allowance")).all()
    assert sorted(kinds) == ["refund", "refund"]
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "reversal")) == 3


def test_a_removal_in_a_later_month_takes_points_back_but_the_spent_allowance_has_expired(org, db):
    last_month = clock.now().replace(day=1) - timedelta(days=3)
    kudos = give(org.fin[0], org.fin[1], points=20, now=last_month)
    services.delete_own_item(org.fin[0], _item_of(db, kudos))
    assert points_balance(org.fin[1].id) == 0
    assert spent_in(org.fin[0].id, month_label(last_month)) == 20  # no refund into an expired month
    reversal = db.session.scalar(select(LedgerEntry).where(LedgerEntry.kind == "reversal"))
    assert reversal.period == month_label(last_month)  # last month's board loses the points too


def test_add_ons_to_a_removed_post_are_refused(org, db, client):
    kudos = give(org.fin[0], org.fin[1], points=10)
    services.delete_own_item(org.fin[0], _item_of(db, kudos))
    with pytest.raises(services.RecognitionError, match="no longer on the feed"):
        services.add_to_kudos(org.ops[0], kudos, 7, key())
    sign_in(client, org.ops[0])
    client.post(f"/recognition/kudos/{kudos.id}/addon", data={"points": 7, "idempotency_key": key()})
    assert "no longer on the feed" in client.get("/recognition/leaderboards").get_data(as_text=True)
    assert _ledger_sum(db, org.ops[0].id, "allowance") == 0 and points_balance(org.fin[1].id) == 0


def test_a_removed_kudos_counts_on_no_board_figure_or_profile(org, db):
    kudos = give(org.fin[0], org.ops[0], points=10)
    give(org.fin[1], org.ops[1], points=10)
    services.delete_own_item(org.fin[0], _item_of(db, kudos))
    quarter = quarter_label(clock.now())
    assert [row["kudos"] for row in queries.leaderboard("pairs", quarter)] == [1]
    _, flows = queries.flow_matrix(quarter_months(quarter))
    assert flows == {(org.fin[0].function_id, org.ops[0].function_id): 1}
    assert queries.recognition_counts(org.fin[0].id) == (0, 0) and queries.recognition_counts(org.ops[0].id) == (0, 0)


# --- opting out means out ----------------------------------------------------------------------

def test_opted_out_people_count_on_no_board_and_show_their_points_to_nobody_else(org, db, client):
    give(org.fin[0], org.ops[0], points=40)
    services.set_leaderboard_opt_out(org.ops[0], True)
    quarter = quarter_label(clock.now())
    assert [row["score"] for row in queries.leaderboard("teams", quarter) if "Logistics" in row["name"]] == []
    sign_in(client, org.fin[1])
    assert 'id="recognition-balance"' not in client.get(f"/people/{org.ops[0].id}").get_data(as_text=True)
    assert 'id="recognition-balance"' in client.get(f"/people/{org.fin[0].id}").get_data(as_text=True)
    sign_in(client, org.ops[0])
    assert 'id="recognition-balance">60<' in client.get(f"/people/{org.ops[0].id}").get_data(as_text=True)


# --- badges by history -------------------------------------------------------------------------

def test_a_new_badge_goes_to_everyone_who_already_qualifies_quietly(org, db, client):
    give(org.fin[0], org.fin[1])
    give(org.fin[0], org.ops[0], org.ops[1])
    before = db.session.scalar(select(func.count()).select_from(Notification))
    admin = make_user(Role.ADMIN)
    sign_in(client, admin)
    data = {"name": "First Thanks", "description": "Received a first kudos.", "event": "kudos_received",
            "threshold": 1}
    assert client.post("/recognition/badges/new", data=data).status_code == 303
    holders = db.session.scalars(select(BadgeAward.user_id).join(BadgeAward.badge).where(
        BadgeAward.badge.has(slug="first-thanks"))).all()
    assert sorted(holders) == sorted([org.fin[1].id, org.ops[0].id, org.ops[1].id])
    assert "3 who already qualified" in client.get("/recognition/badges").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == before  # no flood
    assert db.session.scalar(select(func.count()).select_from(FeedItem).where(FeedItem.kind == "badge")) == 0


def test_the_admin_action_awards_every_badge_from_history_audited(org, db, client):
    for n in range(5):
        give(org.fin[0], org.ops[n % 2], points=1, now=clock.now() - timedelta(hours=n + 1))
    db.session.execute(BadgeAward.__table__.delete())  # as if the Bridge Builder badge were new
    sign_in(client, make_user(Role.ADMIN))
    assert client.post("/recognition/badges/award-from-history").status_code == 303
    assert "1 badge(s) awarded" in client.get("/recognition/badges").get_data(as_text=True)
    assert db.session.scalars(select(BadgeAward.user_id)).all() == [org.fin[0].id]
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "recognition.badges_from_history"))
    assert audit.after == {"awarded": 1}


def test_the_backfill_command_awards_every_badge_from_history_once(app, org, db):
    for n in range(5):
        give(org.fin[0], org.ops[n % 2], points=1, now=clock.now() - timedelta(hours=n + 1))
    db.session.execute(BadgeAward.__table__.delete())  # as if the Bridge Builder badge were new
    db.session.commit()
    runner = app.test_cli_runner()
    assert "Awarded 1 badge(s)" in runner.invoke(args=["recognition", "backfill-badges"]).output
    assert "Awarded 0 badge(s)" in runner.invoke(args=["recognition", "backfill-badges"]).output
    assert db.session.scalars(select(BadgeAward.user_id)).all() == [org.fin[0].id]


# --- the bridge bonus, notifications ------------------------------------------------------------

def test_a_1_point_cross_function_kudos_earns_a_bridge_bonus(org, db):
    give(org.fin[0], org.ops[0], points=1)
    assert points_balance(org.ops[0].id) == 2


def test_kudos_recipients_and_people_credited_on_a_published_win_are_notified(org, db):
    give(org.fin[0], org.ops[0], org.ops[1])
    for receiver in org.ops:
        messages = db.session.scalars(select(Notification.message).where(Notification.user_id == receiver.id)).all()
        assert any(m.startswith("Fin 0 gave you kudos") for m in messages)
    win = log_joint_win(org)
    services.cosign_win(org.ops_manager, win)
    for person in (org.fin[0], org.ops[0]):
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == person.id, Notification.message.like("The joint win%is published: 100 points%")
        )) == 1


# --- the allowance says when it expires ---------------------------------------------------------

def test_the_kudos_form_and_home_tile_say_when_the_allowance_expires(org, db, client):
    moment = datetime(2027, 3, 27, 10, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        sign_in(client, org.fin[0])
        form = client.get("/recognition/kudos/new").get_data(as_text=True)
        home = client.get("/").get_data(as_text=True)
    for html in (form, home):
        assert "Unspent points expire at the end of <time datetime=\"2027-03-31\">31 Mar 2027</time>" in html
        assert "(4 days left)" in html


def test_a_reminder_a_few_days_before_month_end_once(app, org, db):
    give(org.fin[0], org.fin[1], points=30, now=datetime(2027, 3, 2, 10, tzinfo=UTC))
    runner = app.test_cli_runner()
    with time_machine.travel(datetime(2027, 3, 20, 10, tzinfo=UTC), tick=False):
        assert "Sent 0 allowance reminder(s)" in runner.invoke(args=["recognition", "remind-allowance"]).output
    with time_machine.travel(datetime(2027, 3, 29, 10, tzinfo=UTC), tick=False):
        first = runner.invoke(args=["recognition", "remind-allowance"]).output
        again = runner.invoke(args=["recognition", "remind-allowance"]).output
    people = 6  # the org's six active people all have allowance left
    assert f"Sent {people} allowance reminder(s)" in first and "Sent 0 allowance reminder(s)" in again
    message = db.session.scalar(select(Notification.message).where(Notification.user_id == org.fin[0].id,
                                                                   Notification.message.like("You have%")))
    assert message == "You have 70 points left to give; they expire at the end of 31 Mar 2027."


# --- the form states the rules that apply -------------------------------------------------------

def test_the_kudos_form_states_the_rolling_cap_and_when_trading_applies(org, db, client):
    ada, kofi = org.fin
    give(kofi, ada, points=10)
    sign_in(client, ada)
    html = client.get("/recognition/kudos/new").get_data(as_text=True)
    assert "at most 50 points in any 24 hours" in html
    assert 'id="kudos-trading"' in html and "Fin 1 (your next kudos pays them 50%)" in html
    sign_in(client, org.ops[0])
    assert 'id="kudos-trading"' not in client.get("/recognition/kudos/new").get_data(as_text=True)


def test_the_win_form_offers_no_self_credit(org, db, client):
    sign_in(client, org.fin_manager)
    html = client.get("/recognition/wins/new").get_data(as_text=True)
    assert "(you)" not in html and f'value="{org.fin_manager.id}"' not in html
    data = {"title": "Faster close", "story": "We agreed one cut-off calendar.", "credited": [org.fin[0].id,
            org.fin[1].id], "value_tags": ["one-team"], "idempotency_key": key()}
    refused = client.post("/recognition/wins/new", data=data)
    assert refused.status_code == 400 and "at least two functions" in refused.get_data(as_text=True)


def test_a_padded_message_is_refused_on_the_form(org, db, client):
    sign_in(client, org.fin[0])
    data = {"recipients": [org.ops[0].id], "message": "Thanks" + " " * 40, "value_tag": "candour", "points": 5,
            "idempotency_key": key()}
    response = client.post("/recognition/kudos/new", data=data, headers=HX)
    assert response.status_code == 400 and "at least 40 letters or digits" in response.get_data(as_text=True)

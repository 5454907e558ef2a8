"""On PostgreSQL, simultaneous requests against one win, one pair, one form: exactly one outcome, the ledger intact.

Real threads released together by a Barrier; each thread has its own app context (own session and connection)
or its own test client (each request its own app context, as under gunicorn).
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from recognition import services
from recognition.models import Comment, FeedItem, Kudos, LedgerEntry, Win
from tests.conftest import sign_in
from tests.factories import make_function, make_team, make_user
from tests.races import in_own_session, run_together
from tests.recognition.recognition_factories import MESSAGE, key, log_joint_win, make_org
from webapp.extensions import db as _db
from webapp.people.models import User
from webapp.roles import Role

pytestmark = pytest.mark.postgres_only
ALREADY = "That was already recorded."


def signed_in_client(app, user: User):
    client = app.test_client()
    sign_in(client, user)
    return client


def _win_points() -> int:
    return _db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.source_type == "win")) or 0


def _win_feed_items() -> int:
    return _db.session.scalar(select(func.count()).select_from(FeedItem).where(FeedItem.kind == "win")) or 0


def test_a_cosign_and_a_decline_at_the_same_moment_end_consistently(app, db):
    org = make_org()
    second_ops_manager = make_user(Role.MANAGER, name="Olga Ops", function=org.ops_manager.function)
    win_ids = [log_joint_win(org, f"Win {n}").id for n in range(3)]
    managers = [org.ops_manager, second_ops_manager]
    clients = [signed_in_client(app, m) for m in managers]
    db.session.commit()
    for win_id in win_ids:
        def act(i: int, win_id: int = win_id):
            if i == 0:
                return clients[0].post(f"/recognition/wins/{win_id}/cosign")
            return clients[1].post(f"/recognition/wins/{win_id}/decline", data={"reason": "We were not involved."})

        cosigned, declined = run_together(2, act)
        assert cosigned.status_code == 303 and declined.status_code in (303, 400)
        db.session.expire_all()
        win = db.session.get(Win, win_id)
        points = db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.source_type == "win", LedgerEntry.source_id == win_id))
        items = db.session.scalar(select(func.count()).select_from(FeedItem).where(FeedItem.win_id == win_id))
        if win.status == "published":
            assert declined.status_code == 400  # the decliner lost: told so on the win page, nothing written
            assert "This win is already published; nothing changed." in declined.get_data(as_text=True)
            assert points == 200 and items == 1
        else:
            assert win.status == "declined" and declined.status_code == 303
            assert points == 0 and items == 0
            message = clients[0].get(f"/recognition/wins/{win_id}").get_data(as_text=True)
            assert "This win was already declined; nothing changed." in message
            assert [f.cosign for f in win.functions if f.function_id == org.ops[0].function_id] == ["declined"]


def test_two_functions_cosigning_at_the_same_moment_publish_the_win_exactly_once(app, db):
    org = make_org()
    sales = make_function("Sales", "SAL")
    sales_manager = make_user(Role.MANAGER, name="Sam Sales", team=make_team(sales, "Key accounts"))
    seller = make_user(name="Sal Seller", function=sales)
    win = services.log_win(org.fin_manager, "Quote to cash in a week", "Three functions agreed one order form.",
                           [org.fin[0].id, org.ops[0].id, seller.id], ["one-team"], (None, "", ""), key("win"))
    win_id, signer_ids = win.id, [org.ops_manager.id, sales_manager.id]
    db.session.commit()

    def cosign(i: int) -> str:
        return in_own_session(app, lambda: services.cosign_win(_db.session.get_one(User, signer_ids[i]),
                                                               _db.session.get_one(Win, win_id)))

    assert run_together(2, cosign) == ["ok", "ok"]
    db.session.expire_all()
    assert db.session.get(Win, win_id).status == "published"
    assert _win_feed_items() == 1
    entries = db.session.execute(select(LedgerEntry.user_id, LedgerEntry.amount).where(
        LedgerEntry.source_type == "win")).all()
    assert sorted(entries) == sorted((p.id, 100) for p in (org.fin[0], org.ops[0], seller))  # 3 x 100 / 3 people
    assert _win_points() == 300


def test_parallel_kudos_between_one_pair_never_exceed_the_daily_cap(app, db):
    org = make_org()
    giver_id, receiver_id = org.fin[0].id, org.ops[0].id
    cap = services.get_policy().pair_daily_cap  # 50: two gifts of 20 fit, a third does not
    db.session.commit()  # before the threads start: nothing of this session may hold a lock they wait for

    def gift(_: int) -> str:
        return in_own_session(app, lambda: services.give_kudos(_db.session.get_one(User, giver_id), [receiver_id],
                                                               MESSAGE, "one-team", 20, key("pair")))

    outcomes = run_together(5, gift)
    assert outcomes.count("ok") == 2
    assert sorted(o for o in outcomes if o != "ok") == [
        f"RecognitionError: You can give Ops 0 at most {cap} points in any 24 hours; 10 left now."] * 3
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Kudos)) == 2
    spent = db.session.scalar(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.user_id == giver_id,
                                                                         LedgerEntry.account == "allowance"))
    assert spent == -40
    received = db.session.scalar(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.user_id == receiver_id))
    assert received == db.session.scalar(select(func.sum(FeedItem.points)).where(FeedItem.kind == "kudos"))


def test_the_same_kudos_form_sent_ten_times_at_once_gives_one_kudos_and_nine_already_recorded(app, db):
    org = make_org()
    clients = [signed_in_client(app, org.fin[0]) for _ in range(10)]
    form = {"recipients": [org.ops[0].id], "message": MESSAGE, "value_tag": "candour", "points": 10,
            "idempotency_key": key("form")}
    db.session.commit()
    responses = run_together(10, lambda i: clients[i].post("/recognition/kudos/new", data=form))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [303] + [400] * 9
    assert all(ALREADY in r.get_data(as_text=True) for r in responses if r.status_code == 400)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Kudos)) == 1
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.account == "allowance")) == 1


def test_a_comment_posted_twice_at_once_is_recorded_once(app, db):
    org = make_org()
    kudos = services.give_kudos(org.fin[0], [org.ops[0].id], MESSAGE, "one-team", 10, key())
    item_id = db.session.scalar(select(FeedItem.id).where(FeedItem.kudos_id == kudos.id))
    clients = [signed_in_client(app, org.ops[1]) for _ in range(2)]
    form = {"body": "Well deserved, thank you both!", "idempotency_key": key("comment")}
    db.session.commit()
    responses = run_together(2, lambda i: clients[i].post(f"/recognition/items/{item_id}/comments", data=form,
                                                          headers={"HX-Request": "true"}))
    assert sorted(r.status_code for r in responses) == [200, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert ALREADY in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


def test_an_add_on_racing_the_removal_of_its_post_leaves_no_points_behind(app, db):
    org = make_org()
    kudos = services.give_kudos(org.fin[0], [org.ops[0].id], MESSAGE, "one-team", 10, key())
    item_id, kudos_id = db.session.scalar(select(FeedItem.id).where(FeedItem.kudos_id == kudos.id)), kudos.id
    author_id, backer_id, receiver_id = org.fin[0].id, org.fin[1].id, org.ops[0].id
    db.session.commit()

    def act(i: int) -> str:
        if i == 0:
            return in_own_session(app, lambda: services.delete_own_item(_db.session.get_one(User, author_id),
                                                                        _db.session.get_one(FeedItem, item_id)))
        return in_own_session(app, lambda: services.add_to_kudos(_db.session.get_one(User, backer_id),
                                                                 _db.session.get_one(Kudos, kudos_id), 7, key("addon")))

    deleted, added = run_together(2, act)
    assert deleted == "ok"
    assert added in ("ok", "RecognitionError: This post is no longer on the feed.")
    db.session.expire_all()
    balance = db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.user_id == receiver_id))
    spent = {uid: db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.user_id == uid, LedgerEntry.account == "allowance")) for uid in (author_id, backer_id)}
    assert balance == 0 and spent == {author_id: 0, backer_id: 0}  # everything paid was given back

"""Recognition over HTTP: htmx fragments, clear 4xx messages, the poll, keyset pages, query counts."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from recognition.models import Comment, FeedItem, Kudos, LedgerEntry, RecognitionPolicy, Win
from tests.bench.harness import count_queries
from tests.conftest import sign_in
from tests.factories import make_user
from tests.recognition.recognition_factories import MESSAGE, give, key, log_joint_win, make_org
from webapp import clock
from webapp.auth.models import AuditEntry
from webapp.roles import Role

HX = {"HX-Request": "true"}


@pytest.fixture
def org(db):
    return make_org()


def _as(client, user):
    sign_in(client, user)
    return client


def _kudos_form(receiver, **overrides):
    data = {"recipients": [receiver.id], "message": MESSAGE, "value_tag": "candour", "points": 10,
            "idempotency_key": key()}
    return {**data, **overrides}


def test_giving_kudos_through_the_htmx_form_returns_the_fresh_form(client, org, db):
    response = _as(client, org.fin[0]).post("/recognition/kudos/new", data=_kudos_form(org.ops[0]), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<div id="kudos-form">')
    assert "Kudos sent to Ops 0" in html and 'id="allowance-left">90<' in html
    assert db.session.scalar(select(func.count()).select_from(Kudos)) == 1


def test_a_replayed_form_changes_nothing(client, org, db):
    data = _kudos_form(org.ops[0])
    assert _as(client, org.fin[0]).post("/recognition/kudos/new", data=data).status_code == 303
    replay = client.post("/recognition/kudos/new", data=data, headers=HX)
    assert replay.status_code == 400 and "That was already recorded." in replay.get_data(as_text=True)
    assert (
        db.session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.account == "allowance")) == 1
    )


@pytest.mark.parametrize("overrides, message", [
    ({"message": "too short"}, "at least 40 letters or digits"),
    ({"points": 60}, "at most 50 points in any 24 hours"),
    ({"points": "lots"}, "Give some points"),
    ({"value_tag": "greed"}, "Not a valid choice"),
    ({"idempotency_key": "x"}, "out of date"),
])
def test_bad_kudos_input_gets_a_message_beside_the_field_and_a_400(client, org, db, overrides, message):
    response = _as(client, org.fin[0]).post("/recognition/kudos/new", data=_kudos_form(org.ops[0], **overrides),
                                            headers=HX)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Kudos)) == 0


def test_overspending_the_allowance_says_what_is_left(client, org, db):
    viewer = _as(client, org.fin[0])
    for receiver in (org.fin[1], org.ops[0]):
        viewer.post("/recognition/kudos/new", data=_kudos_form(receiver, points=45))
    response = viewer.post("/recognition/kudos/new", data=_kudos_form(org.ops[1], points=20), headers=HX)
    assert response.status_code == 400 and "you have 10 left to give" in response.get_data(as_text=True)


def test_kudos_to_oneself_or_to_an_unknown_id_is_refused(client, org, db):
    me = org.fin[0]
    assert "not a valid choice" in _as(client, me).post(
        "/recognition/kudos/new", data=_kudos_form(me), headers=HX).get_data(as_text=True).lower()
    assert client.post("/recognition/kudos/new", data={**_kudos_form(me), "recipients": [99999]},
                       headers=HX).status_code == 400


def test_script_in_a_message_is_shown_as_text(client, org, db):
    give(org.fin[0], org.fin[1], message="<script>alert(1)</script> thanks for the reconciliation help!")
    html = _as(client, org.ops[0]).get("/recognition").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_win_story_markdown_is_sanitised(client, org, db):
    win = log_joint_win(org)
    win.story = "**Bold** <img src=x onerror=alert(1)> [link](javascript:alert(1))"
    html = _as(client, org.fin[0]).get(f"/recognition/wins/{win.id}").get_data(as_text=True)
    assert "<strong>Bold</strong>" in html and "<img" not in html and 'href="javascript' not in html


def test_the_poll_is_204_when_nothing_new_and_counts_others_posts(client, org, db):
    give(org.fin[0], org.fin[1])
    newest = db.session.scalar(select(func.max(FeedItem.id)))
    viewer = _as(client, org.ops[0])
    with count_queries(client.application) as statements:
        quiet = viewer.get(f"/recognition/poll?after={newest}", headers=HX)
    assert quiet.status_code == 204 and quiet.data == b""
    assert len([s for s in statements if "recognition_feed_item" in s]) == 1
    give(org.ops[0], org.ops[1])  # the viewer's own post does not count
    assert viewer.get(f"/recognition/poll?after={newest}", headers=HX).status_code == 204
    give(org.fin[1], org.fin[0])
    banner = viewer.get(f"/recognition/poll?after={newest}", headers=HX).get_data(as_text=True)
    assert 'id="feed-new"' in banner and "1 new celebration<" in banner and 'hx-trigger="every' in banner


def _feed_queries(client, app, size: int) -> int:
    app.config["RECOGNITION_FEED_PAGE_SIZE"] = size
    try:
        with count_queries(app) as statements:
            response = client.get("/recognition", headers=HX)
        assert response.status_code == 200
        assert len(re.findall(r'<li class="card mb-3 feed-item"', response.get_data(as_text=True))) == size
    finally:
        app.config.pop("RECOGNITION_FEED_PAGE_SIZE")
    return len(statements)


def test_feed_page_queries_do_not_grow_with_the_page_size(client, app, org, db):
    for n in range(12):
        kudos = give(org.fin[n % 2], org.ops[n % 2], points=1)
        item = db.session.scalar(select(FeedItem).where(FeedItem.kudos_id == kudos.id))
        db.session.add(Comment(item_id=item.id, author_id=org.ops_manager.id, body=f"Well done {n}",
                               idempotency_key=key()))
    viewer = _as(client, org.fin_manager)
    viewer.get("/recognition")  # warm-up: the first page fills the caches it reads
    assert _feed_queries(viewer, app, 3) == _feed_queries(viewer, app, 10)


def test_load_more_pages_by_keyset(client, app, org, db):
    for n in range(5):
        give(org.fin[0], org.ops[n % 2], points=1)
    app.config["RECOGNITION_FEED_PAGE_SIZE"] = 2
    try:
        first = _as(client, org.fin[1]).get("/recognition").get_data(as_text=True)
        more = re.search(r'href="(/recognition\?before=\d+[^"]*)"', first).group(1).replace("&amp;", "&")
        second = client.get(more, headers=HX).get_data(as_text=True)
    finally:
        app.config.pop("RECOGNITION_FEED_PAGE_SIZE")
    ids = [int(i) for i in re.findall(r'id="feed-item-(\d+)"', first + second)]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4
    assert not second.lstrip().startswith("<!doctype")


def test_filters_cross_functional_and_value_tag(client, org, db):
    give(org.fin[0], org.fin[1], tag="craft")
    give(org.fin[0], org.ops[0], tag="candour")
    viewer = _as(client, org.ops[1])
    cross = viewer.get("/recognition?scope=cross-functional", headers=HX).get_data(as_text=True)
    assert "to Ops 0" in cross and "to Fin 1" not in cross
    tagged = viewer.get("/recognition?tag=craft", headers=HX).get_data(as_text=True)
    assert "to Fin 1" in tagged and "to Ops 0" not in tagged
    mine = viewer.get("/recognition?scope=my-function", headers=HX).get_data(as_text=True)
    assert "to Ops 0" in mine and "to Fin 1" not in mine


def test_react_and_comment_return_their_fragments(client, org, db):
    item = db.session.scalar(select(FeedItem).where(FeedItem.kudos_id == give(org.fin[0], org.fin[1]).id))
    viewer = _as(client, org.ops[0])
    reacted = viewer.post(f"/recognition/items/{item.id}/react", data={"emoji": "party"}, headers=HX)
    assert reacted.get_data(as_text=True).lstrip().startswith(f'<form id="reactions-{item.id}"')
    assert 'aria-pressed="true"' in reacted.get_data(as_text=True)
    assert viewer.post(f"/recognition/items/{item.id}/react", data={"emoji": "nope"}, headers=HX).status_code == 400
    comment = {"body": "<b>Bravo</b>", "idempotency_key": key()}
    commented = viewer.post(f"/recognition/items/{item.id}/comments", data=comment, headers=HX)
    assert "&lt;b&gt;Bravo&lt;/b&gt;" in commented.get_data(as_text=True)
    replayed = viewer.post(f"/recognition/items/{item.id}/comments", data=comment, headers=HX)
    assert replayed.status_code == 400 and "That was already recorded." in replayed.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1
    empty = viewer.post(f"/recognition/items/{item.id}/comments", data={"body": "", "idempotency_key": key()},
                        headers=HX)
    assert empty.status_code == 400 and "Write a comment first" in empty.get_data(as_text=True)


def test_only_the_author_deletes_and_admins_hide_with_an_audit(client, org, db):
    item = db.session.scalar(select(FeedItem).where(FeedItem.kudos_id == give(org.fin[0], org.fin[1]).id))
    assert _as(client, org.fin[1]).post(f"/recognition/items/{item.id}/delete", headers=HX).status_code == 403
    admin = make_user(Role.ADMIN)
    missing = _as(client, admin).post(f"/recognition/items/{item.id}/hide", data={"reason": ""})
    assert missing.status_code == 400
    client.post(f"/recognition/items/{item.id}/hide", data={"reason": "Off topic"})
    assert db.session.get(FeedItem, item.id).state == "hidden"
    assert (
        db.session.scalar(select(AuditEntry.after).where(AuditEntry.action == "recognition.hide"))["reason"]
        == "Off topic"
    )
    assert f'feed-item-{item.id}"' not in _as(client, org.fin[0]).get("/recognition").get_data(as_text=True)


def test_co_signing_through_the_approval_queue(client, org, db):
    win = log_joint_win(org)
    queue = _as(client, org.ops_manager).get("/recognition/approvals").get_data(as_text=True)
    assert win.title in queue
    assert _as(client, org.ops[1]).get(f"/recognition/wins/{win.id}").status_code == 404  # not credited, pending
    assert _as(client, org.fin_manager).post(f"/recognition/wins/{win.id}/cosign").status_code == 303
    assert db.session.get(Win, win.id).status == "pending"
    _as(client, org.ops_manager).post(f"/recognition/wins/{win.id}/cosign")
    assert db.session.get(Win, win.id).status == "published"
    assert _as(client, org.ops[1]).get(f"/recognition/wins/{win.id}").status_code == 200


def test_declining_needs_a_reason(client, org, db):
    win = log_joint_win(org)
    response = _as(client, org.ops_manager).post(f"/recognition/wins/{win.id}/decline", data={"reason": ""})
    assert response.status_code == 400 and "Say why you decline" in response.get_data(as_text=True)
    client.post(f"/recognition/wins/{win.id}/decline", data={"reason": "Not ours"})
    assert db.session.get(Win, win.id).status == "declined"


def test_logging_a_win_through_the_form(client, org, db):
    data = {
        "title": "Faster close",
        "story": "We agreed one cut-off calendar.",
        "credited": [org.fin[0].id, org.ops[0].id],
        "value_tags": ["one-team"],
        "impact_amount": "12000",
        "impact_unit": "EUR",
        "idempotency_key": key(),
    }
    response = _as(client, org.fin_manager).post("/recognition/wins/new", data=data)
    assert response.status_code == 303
    win = db.session.scalar(select(Win))
    assert win.status == "pending" and win.is_joint and str(win.impact_amount) == "12000.00"
    bad = client.post("/recognition/wins/new", data={**data, "story": "short", "idempotency_key": key()})
    assert bad.status_code == 400


def test_opted_out_people_never_appear_on_the_individual_board(client, org, db):
    give(org.fin[0], org.ops[0], points=30)
    give(org.fin[1], org.ops[1], points=10)
    board = _as(client, org.ops[0]).get("/recognition/leaderboards").get_data(as_text=True)
    assert "Ops 0" in board and board.index("Ops 0") < board.index("Ops 1")
    client.post("/recognition/leaderboards/opt-out", data={"opt_out": "1"})
    board = client.get("/recognition/leaderboards").get_data(as_text=True)
    people = board[board.index('id="leaderboard-people"'):]
    assert "Ops 0" not in people and "Ops 1" in people
    assert "Finance × Operations" in board or "Operations × Finance" in board


def test_the_flow_matrix_highlights_one_way_flows(client, org, db):
    give(org.fin[0], org.ops[0])
    hr = make_user(Role.HR)
    html = _as(client, hr).get("/recognition/flow").get_data(as_text=True)
    assert html.count("one-way\">") == 1 and "(one-way)" in html


def test_admins_change_the_policy_with_an_audit(client, org, db):
    admin = make_user(Role.ADMIN)
    data = {"monthly_allowance": 200, "per_report_extra": 5, "message_min": 20, "pair_daily_cap": 80,
            "bridge_multiplier_pct": 200, "win_points_per_function": 50, "reciprocity_window_days": 14,
            "allowance_reminder_days": 5}
    assert _as(client, admin).post("/recognition/settings", data=data).status_code == 303
    policy = db.session.get(RecognitionPolicy, 1)
    assert (policy.monthly_allowance, policy.reciprocity_window_days, policy.allowance_reminder_days) == (200, 14, 5)
    assert client.post("/recognition/settings", data={**data, "bridge_multiplier_pct": 50}).status_code == 400
    assert client.post("/recognition/settings", data={**data, "allowance_reminder_days": 40}).status_code == 400
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "recognition.policy"))
    assert audit.before["reciprocity_window_days"] == 30 and audit.after["reciprocity_window_days"] == 14


def test_the_profile_tile_shows_balance_allowance_and_badges(client, org, db):
    for n in range(5):
        give(org.fin[0], org.ops[n % 2], points=5, message=MESSAGE + str(n))
    html = _as(client, org.fin[0]).get(f"/people/{org.fin[0].id}").get_data(as_text=True)
    assert 'id="recognition-allowance">75<' in html and "Bridge Builder" in html
    other = client.get(f"/people/{org.ops[0].id}").get_data(as_text=True)
    assert 'id="recognition-balance">' in other and "recognition-allowance" not in other


def test_leaderboards_are_cached_until_points_move(client, app, org, db):
    viewer = _as(client, org.ops[1])
    give(org.fin[0], org.ops[0], points=10)
    viewer.get("/recognition/leaderboards")
    with count_queries(app) as statements:
        viewer.get("/recognition/leaderboards")
    assert not [s for s in statements if "recognition_ledger_entry" in s]  # served from the cache
    give(org.fin[1], org.ops[1], points=40)  # invalidates
    board = viewer.get("/recognition/leaderboards").get_data(as_text=True)
    people = board[board.index('id="leaderboard-people"'):]
    assert people.index("Ops 1") < people.index("Ops 0")


def test_an_add_on_through_the_feed_form_and_its_replay(client, org, db):
    kudos = give(org.fin[0], org.fin[1], points=10)
    data = {"points": 5, "idempotency_key": key()}
    viewer = _as(client, org.ops[0])
    assert viewer.post(f"/recognition/kudos/{kudos.id}/addon", data=data).status_code == 303
    viewer.post(f"/recognition/kudos/{kudos.id}/addon", data=data)
    assert "already recorded" in viewer.get("/recognition").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.account == "allowance", LedgerEntry.user_id == org.ops[0].id)) == 1
    refused = _as(client, org.fin[1]).post(
        f"/recognition/kudos/{kudos.id}/addon", data={**data, "idempotency_key": key()}
    )
    assert refused.status_code == 303 and "between other people" in client.get("/recognition").get_data(as_text=True)


def test_credited_people_see_their_pending_win_on_the_feed(client, org, db):
    win = log_joint_win(org)
    html = _as(client, org.ops[0]).get("/recognition").get_data(as_text=True)
    assert f"/recognition/wins/{win.id}" in html and "waiting for co-signs" in html


def test_admins_define_badges_as_data_and_they_are_awarded(client, org, db):
    admin = make_user(Role.ADMIN)
    data = {"name": "First Thanks", "description": "Received a first kudos.", "event": "kudos_received", "threshold": 1}
    assert _as(client, admin).post("/recognition/badges/new", data=data).status_code == 303
    assert client.post("/recognition/badges/new", data=data).status_code == 400  # the same name again
    assert client.post("/recognition/badges/new", data={**data, "name": "X", "event": "nope"}).status_code == 400
    give(org.fin[0], org.fin[1])
    catalogue = client.get("/recognition/badges").get_data(as_text=True)
    assert "First Thanks" in catalogue and "Bridge Builder" in catalogue
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "recognition.badge")) is not None
    assert "earned the First Thanks badge" in client.get("/recognition").get_data(as_text=True)


def test_the_daily_command_posts_anniversaries_and_the_feed_page_only_reads(app, client, org, db):
    make_user(name="Hana Hire", function=org.fin[0].function, hired_on=clock.today().replace(year=2020))
    db.session.commit()
    _as(client, org.fin[1]).get("/recognition")
    assert db.session.scalar(select(func.count()).select_from(FeedItem)) == 0  # a GET writes nothing
    runner = app.test_cli_runner()
    assert "Posted 1 work anniversary." in runner.invoke(args=["recognition", "anniversaries"]).output
    assert "Posted 0 work anniversaries." in runner.invoke(args=["recognition", "anniversaries"]).output
    assert "Hana Hire celebrates" in db.session.scalar(select(FeedItem.headline))

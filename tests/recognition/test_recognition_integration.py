"""Recognition in the shell: co-sign requests and badges notify, managers co-sign from home, scorecard figures."""
from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from programs.visits.services import confirm_visit
from recognition import queries
from recognition.models import FeedItem, LedgerEntry
from recognition.scorecard import bridge_share_figure, joint_win_figure, kudos_flow_figure
from tests.conftest import sign_in
from tests.recognition.recognition_factories import give, log_joint_win, make_org
from tests.visits.visits_factories import make_visit
from webapp import clock
from webapp.notifications.models import Notification
from webapp.periods import Quarter, month_label, quarter_label


@pytest.fixture
def org(db):
    return make_org()


def kinds_for(db, user) -> list[str]:
    return [n.kind for n in db.session.query(Notification).filter_by(user_id=user.id).order_by(Notification.id)]


def test_a_pending_joint_win_asks_the_other_functions_manager_who_cosigns_from_home(db, client, org):
    win = log_joint_win(org)
    assert kinds_for(db, org.ops_manager) == ["cosign"] and kinds_for(db, org.fin_manager) == []
    sign_in(client, org.ops_manager)
    home = client.get("/").get_data(as_text=True)
    assert 'id="tile-cosigns"' in home and win.title in home
    response = client.post(f"/recognition/wins/{win.id}/cosign", data={"next": "/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert win.status == "published"
    assert 'id="tile-cosigns"' not in client.get("/").get_data(as_text=True)


def test_earning_a_badge_notifies(db, org):
    for _ in range(5):
        give(org.fin[0], org.ops[0], org.ops[1], points=1)
    assert "badge" in kinds_for(db, org.fin[0])


def test_scorecard_recognition_figures(app, db, org):
    win = log_joint_win(org)
    from recognition import services

    services.cosign_win(org.ops_manager, win)
    give(org.fin[0], org.ops[0], points=5)
    give(org.ops[1], org.fin[1], points=5)
    give(org.fin[0], org.fin[1], points=5)  # within one function: not counted
    quarter = Quarter.parse(quarter_label(win.published_at))
    pair = (org.fin[0].function_id, org.ops[0].function_id)
    with app.test_request_context():
        assert joint_win_figure(quarter, pair).value == 1
        flow = kudos_flow_figure(quarter, pair)
        assert flow.value == 2 and "first to second: 1; second to first: 1" in flow.note
        share = bridge_share_figure(quarter, pair)
        assert share.value == pytest.approx(100 * 4 / 6)  # fin0, ops0, ops1, fin1 of six people
        assert joint_win_figure(quarter.previous(), pair).value == 0


def test_a_visit_held_a_year_ago_and_confirmed_today_is_dated_a_year_ago(db, org):
    held_on = clock.today() - timedelta(days=365)
    visit = make_visit([org.fin[0], org.ops[0]], visit_on=held_on)
    confirm_visit(org.ops[0], visit, clock.now())
    noon = datetime.combine(held_on, time(12), tzinfo=UTC)
    item = db.session.scalar(select(FeedItem).where(FeedItem.kind == "visit"))
    assert item.created_at == noon
    entries = db.session.execute(select(LedgerEntry.period, LedgerEntry.created_at).where(
        LedgerEntry.source_type == "visit")).all()
    assert entries == [(month_label(held_on), noon)] * 2
    attendees = {org.fin[0].name, org.ops[0].name}
    this_quarter = {row["name"] for row in queries.leaderboard("people", quarter_label(clock.now()))}
    that_quarter = {row["name"] for row in queries.leaderboard("people", quarter_label(held_on))}
    assert not attendees & this_quarter and attendees <= that_quarter


def test_the_feed_is_ordered_by_event_time_and_pages_by_it(app, client, db, org):
    recent = [give(org.fin[0], org.ops[n % 2], points=1, now=clock.now() - timedelta(minutes=10 - n)) for n in range(3)]
    old_visit = make_visit([org.fin[1], org.ops[1]], visit_on=clock.today() - timedelta(days=40))
    confirm_visit(org.ops[1], old_visit, clock.now())  # the newest row, about the oldest event
    items = db.session.scalars(select(FeedItem).where(FeedItem.kind.in_(["kudos", "visit"]))).all()
    by_time = [i.id for i in sorted(items, key=lambda i: (i.created_at, i.id), reverse=True)]
    assert by_time[-1] == max(by_time) and len(recent) == 3
    app.config["RECOGNITION_FEED_PAGE_SIZE"] = 1
    try:
        sign_in(client, org.fin_manager)
        seen, url = [], "/recognition"
        while url:
            html = client.get(url, headers={"HX-Request": "true"} if seen else {}).get_data(as_text=True)
            seen += [int(i) for i in re.findall(r'id="feed-item-(\d+)"', html)]
            more = re.search(r'href="(/recognition\?before=\d+[^"]*)"', html)
            url = more.group(1).replace("&amp;", "&") if more else None
    finally:
        app.config.pop("RECOGNITION_FEED_PAGE_SIZE")
    assert [i for i in seen if i in by_time] == by_time

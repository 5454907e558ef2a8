"""Recognition in the shell: co-sign requests and badges notify, managers co-sign from home, scorecard figures."""
from __future__ import annotations

import pytest

from recognition import rules
from recognition.scorecard import bridge_share_figure, joint_win_figure, kudos_flow_figure
from tests.conftest import sign_in
from tests.recognition.recognition_factories import give, log_joint_win, make_org
from webapp.main.periods import Quarter
from webapp.notifications.models import Notification


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
    quarter = Quarter.parse(rules.quarter_of(win.published_at))
    pair = (org.fin[0].function_id, org.ops[0].function_id)
    with app.test_request_context():
        assert joint_win_figure(quarter, pair).value == 1
        flow = kudos_flow_figure(quarter, pair)
        assert flow.value == 2 and "first to second: 1; second to first: 1" in flow.note
        share = bridge_share_figure(quarter, pair)
        assert share.value == pytest.approx(100 * 4 / 6)  # fin0, ops0, ops1, fin1 of six people
        assert joint_win_figure(quarter.previous(), pair).value == 0

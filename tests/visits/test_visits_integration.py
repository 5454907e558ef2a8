"""Joint visits in the shell: confirmation requests and follow-up owners are notified; scorecard figures."""
from __future__ import annotations

from datetime import timedelta

from programs.visits.scorecard import visit_figures
from programs.visits.services import confirm_visit
from tests.conftest import sign_in
from tests.visits.visits_factories import form_key, make_account, make_visit
from webapp import clock
from webapp.notifications.models import Notification
from webapp.periods import Quarter


def kinds(db, user) -> list[str]:
    return [n.kind for n in db.session.query(Notification).filter_by(user_id=user.id)]


def test_logging_a_joint_visit_asks_the_other_function_to_confirm(db, client, org):
    visit = make_visit([org.fin, org.ops, org.fin2], status="planned")
    sign_in(client, org.fin)
    assert client.post(f"/visits/{visit.id}/held").status_code in (302, 303)
    assert kinds(db, org.ops) == ["approval"] and kinds(db, org.fin2) == [] and kinds(db, org.fin) == []


def test_follow_up_owners_other_than_the_author_are_notified(db, client, org):
    visit = make_visit([org.fin, org.ops])
    sign_in(client, org.fin)
    due = (clock.today() + timedelta(days=7)).isoformat()
    response = client.post(f"/visits/{visit.id}/follow-ups", data={
        "follow-up-description": "Send the revised payment terms", "follow-up-owner_id": org.fin.id,
        "follow-up-due_on": due, "follow-up-needs_both": "y", "follow-up-partner_owner_id": org.ops.id,
        "follow-up-idempotency_key": form_key()})
    assert response.status_code in (302, 303)
    assert kinds(db, org.ops) == ["follow-up"] and kinds(db, org.fin) == []


def test_scorecard_counts_confirmed_visits_of_the_pair_and_their_coverage(app, db, org):
    make_account()  # a second account, never visited
    visit = make_visit([org.fin, org.ops])
    make_visit([org.fin, org.outsider])  # another pair
    confirm_visit(org.ops, visit, clock.now())
    quarter = Quarter.parse(visit.quarter)
    with app.test_request_context():
        visits, coverage = visit_figures(quarter, (org.finance.id, org.operations.id))
    assert visits.value == 1 and coverage.value == 100 / 3  # one of three accounts


def test_due_and_overdue_follow_ups_are_reminded_once_a_day(app, db, org):
    from tests.visits.visits_factories import make_follow_up

    today = clock.today()
    visit = make_visit([org.fin, org.ops])
    make_follow_up(visit, org.fin, today - timedelta(days=3), partner=org.ops, description="Send the credit note")
    make_follow_up(visit, org.fin, today + timedelta(days=1), description="Book the site tour")
    make_follow_up(visit, org.fin, today + timedelta(days=9), description="Later")
    make_follow_up(visit, org.fin, today - timedelta(days=1), status="done", description="Done already")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["visits", "remind-due"])
    assert result.exit_code == 0 and "Sent 3 follow-up reminder(s)." in result.output
    messages = sorted(n.message for n in db.session.query(Notification).filter_by(user_id=org.fin.id))
    assert messages[0].startswith("Follow-up due ") and "Book the site tour" in messages[0]
    assert messages[1].startswith("Follow-up overdue since ") and "Send the credit note" in messages[1]
    assert "Sent 0 follow-up reminder(s)." in app.test_cli_runner().invoke(args=["visits", "remind-due"]).output

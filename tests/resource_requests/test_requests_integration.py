"""What requests add to the shell: home tile, the scorecard's Collaboration figures, the pair's records, the demo."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from programs.resource_requests import services
from programs.resource_requests.models import RequestStatus, ResourceRequest
from programs.resource_requests.scorecard import request_figures
from tests.conftest import sign_in
from tests.resource_requests.requests_factories import answered_request, decided_request, sent_request
from webapp import clock
from webapp.main.pair_records import pair_records
from webapp.main.scorecard import build_scorecard
from webapp.periods import Quarter


def test_the_home_tile_shows_the_next_step_to_whoever_owns_it(client, db, pair):
    request = answered_request(pair)
    db.session.commit()
    sign_in(client, pair.requester)
    html = client.get("/").get_data(as_text=True)
    assert 'id="tile-requests-waiting"' in html and f"/requests/{request.id}" in html and "pick an option" in html
    sign_in(client, pair.fin_employee)
    assert 'id="tile-requests-waiting"' not in client.get("/").get_data(as_text=True)


def test_the_pair_records_list_the_pairs_requests_either_way_round(app, db, pair):
    request = sent_request(pair)
    with app.test_request_context():
        records = pair_records((pair.reviewer.function_id, pair.requester.function_id), clock.today(),
                               clock.today(), kind="request")["request"]
    assert [(r.id, r.status, r.is_open, r.url) for r in records] == [
        (request.id, "waiting for options", True, f"/requests/{request.id}")]


def test_the_scorecard_figures_for_the_pair(app, db, pair):
    quarter = Quarter.containing(clock.today())
    decided = decided_request(pair)
    answered_request(pair)
    escalating = sent_request(pair)
    with time_machine.travel(clock.now() + timedelta(days=91)):  # the look-back of the decided one
        services.record_lookback(pair.requester, decided, "good", "Held.", clock.today(), clock.now())
        services.record_lookback(pair.reviewer, decided, "mixed", "Partly.", clock.today(), clock.now())
    services.escalate_overdue(escalating.deadline + timedelta(days=1), clock.now())
    db.session.commit()
    with app.test_request_context():
        figures = {f.label: f for f in request_figures(quarter, (pair.requester.function_id,
                                                                  pair.reviewer.function_id))}
        assert figures["Requests answered with options"].value == 200 / 3
        deadline_quarter = Quarter.containing(escalating.deadline)
        due = request_figures(deadline_quarter, (pair.requester.function_id, pair.reviewer.function_id))
        # the sent one and the answered one reached the deadline without a decision; the decided one did not
        assert {f.label: f.value for f in due}["Requests escalated to the leaders"] == 200 / 3
        assert figures["Request cycle time from sending to decision (median)"].value == 0.0
        lookback_quarter = Quarter.containing(decided.lookbacks[0].created_at)
        later = {f.label: f.value for f in request_figures(lookback_quarter, (pair.requester.function_id,
                                                                              pair.reviewer.function_id))}
        assert later["Look-backs: the funded option delivered"] == 50.0
        collaboration = build_scorecard(quarter, (pair.reviewer.function_id, pair.requester.function_id))
        assert "Requests answered with options" in [f.label for f in collaboration["Collaboration"]]


def test_the_demo_has_a_year_of_requests_in_the_past(app, db):
    from programs.resource_requests.demo import seed_requests
    from webapp.people.demo import seed_people

    seed_people()
    summary = seed_requests()
    requests = db.session.scalars(select(ResourceRequest)).all()
    assert len(requests) == 24 and summary.startswith("24 requests")
    assert all(r.created_at <= clock.now() for r in requests)
    assert {r.status for r in requests} >= {RequestStatus.CLOSED, RequestStatus.OPEN, RequestStatus.ANSWERED,
                                            RequestStatus.PICKED}
    assert any(d.by_leader for r in requests for d in r.decisions)
    first = min(r.created_at for r in requests)
    assert (clock.now() - first).days >= 300

"""The rotation pages over HTTP: forms, no-JavaScript reordering, messages and statuses, object access, tiles."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from rotation import services
from rotation.models import Application, Cohort, DraftMatch, Opening, Placement, Program
from rotation.queries import host_order, ranked_ids
from tests.conftest import sign_in
from tests.factories import make_user
from tests.races import meanwhile, post_as
from tests.rotation.rotation_factories import (
    TODAY,
    make_application,
    make_opening,
    publish,
    run_match,
)
from tests.text import captured
from webapp.roles import Role


@pytest.fixture
def seats(org, cohort):
    return [make_opening(cohort, org.ops_manager, title=title) for title in ("Alpha", "Bravo", "Charlie")]


def _listed(response) -> list[int]:
    """The ids of a ranked list, in the order the page shows them."""
    return [int(i) for i in re.findall(rb'name="order" value="(\d+)"', response.data)]


def _as(client, user):
    sign_in(client, user)
    return client


def test_hr_creates_a_program_and_a_cohort_and_bad_input_stays_on_the_form(db, client, org):
    _as(client, org.hr)
    bad = client.post("/rotation/programs/new", data={"name": "X", "purpose": "p", "duration_weeks": "0",
                                                      "time_share_percent": "100", "min_tenure_months": "6",
                                                      "release_cap_percent": "20", "offer_days": "7"})
    assert bad.status_code == 400 and b"Choose at least one existing function" not in bad.data
    form = {"name": "Exchange <b>", "purpose": "See the other side", "host_function_ids": [org.operations.id],
            "eligible_function_ids": [org.finance.id], "duration_weeks": "12", "time_share_percent": "50",
            "min_tenure_months": "6", "release_cap_percent": "20", "offer_days": "7"}
    response = client.post("/rotation/programs/new", data=form)
    assert response.status_code == 303
    program = db.session.scalar(db.select(Program).where(Program.name == "Exchange <b>"))
    assert [f.name for f in program.host_functions] == ["Operations"] and program.time_share_percent == 50
    page = client.get(f"/rotation/programs/{program.id}")
    assert b"Exchange &lt;b&gt;" in page.data and b"Exchange <b>" not in page.data
    dates = {"name": "Spring", "applications_open_on": "2027-01-04", "applications_close_on": "2026-12-01",
             "matching_on": "2027-02-01", "starts_on": "2027-03-01", "ends_on": "2027-05-31"}
    refused = client.post(f"/rotation/programs/{program.id}/cohorts/new", data=dates)
    assert refused.status_code == 400 and b"The window must close on or after it opens." in refused.data
    created = client.post(f"/rotation/programs/{program.id}/cohorts/new",
                          data={**dates, "applications_close_on": "2027-01-20"})
    assert created.status_code == 303
    assert db.session.scalar(db.select(Cohort).where(Cohort.program_id == program.id)).name == "Spring"


def test_manager_posts_an_opening_with_a_mentor_by_email(db, client, org, cohort):
    mentor = org.ops_person(email="mentor@example.com")
    _as(client, org.ops_manager)
    data = {"title": "Dock scheduling", "activities": "Plan the docks", "learning": "Flow", "skills": "",
            "capacity": "2", "time_share_percent": "100"}
    unknown = client.post(f"/rotation/cohorts/{cohort.id}/openings/new", data={**data, "mentor_email": "x@example.com"})
    assert unknown.status_code == 400 and b"mentor must be an active person" in unknown.data
    response = client.post(f"/rotation/cohorts/{cohort.id}/openings/new", data={**data, "mentor_email": mentor.email})
    assert response.status_code == 303
    opening = cohort.openings[0]
    assert (opening.title, opening.mentor_id, opening.capacity) == ("Dock scheduling", mentor.id, 2)
    sign_in(client, org.finance_manager)
    edit = client.post(
        f"/rotation/cohorts/{cohort.id}/openings/{opening.id}/edit", data={**data, "mentor_email": mentor.email}
    )
    assert edit.status_code == 404


def test_apply_reorders_without_javascript_then_submits_the_ranked_choices(db, client, org, cohort, seats):
    person = org.finance_person()
    _as(client, person)
    page = client.get(f"/rotation/cohorts/{cohort.id}/apply")
    assert page.status_code == 200 and page.data.index(b"Alpha") < page.data.index(b"Bravo")
    order = [str(s.id) for s in seats]
    moved = client.post(f"/rotation/cohorts/{cohort.id}/apply",
                        data={"order": order, "chosen": [str(seats[2].id)], "move": f"{seats[2].id}:up"})
    assert moved.status_code == 200
    assert _listed(moved) == [seats[0].id, seats[2].id, seats[1].id]
    assert re.findall(rb'name="chosen" value="(\d+)"[^>]*checked', moved.data) == [str(seats[2].id).encode()]
    assert db.session.scalar(db.select(Application)) is None
    response = client.post(f"/rotation/cohorts/{cohort.id}/apply", data={
        "order": [str(seats[2].id), str(seats[0].id), str(seats[1].id)], "chosen": [str(seats[0].id), str(seats[2].id)],
        "statement": "<script>alert(1)</script>", "learning_goals": "Learn the flow"})
    assert response.status_code == 303
    application = db.session.scalar(db.select(Application))
    assert [c.opening_id for c in application.choices] == [seats[2].id, seats[0].id]
    shown = client.get(f"/rotation/applications/{application.id}")
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in shown.data and b"<script>alert" not in shown.data
    again = client.post(f"/rotation/cohorts/{cohort.id}/apply", data={"order": order, "chosen": order[:1],
                                                                      "statement": "s", "learning_goals": "g"})
    assert again.status_code == 400 and b"already applied" in again.data


def test_apply_messages_for_no_choice_too_many_and_ineligible(db, client, org, cohort, seats):
    person = org.finance_person()
    _as(client, person)
    url = f"/rotation/cohorts/{cohort.id}/apply"
    none = client.post(url, data={"order": [str(s.id) for s in seats], "statement": "s", "learning_goals": "g"})
    assert none.status_code == 400 and b"Choose at least one opening." in none.data
    extra = [make_opening(cohort, org.ops_manager) for _ in range(3)]
    ids = [str(s.id) for s in seats + extra]
    many = client.post(url, data={"order": ids, "chosen": ids, "statement": "s", "learning_goals": "g"})
    assert many.status_code == 400 and b"Choose up to 5 different openings." in many.data
    oversized = client.post(url, data={"order": ids[:1], "chosen": ids[:1], "statement": "x" * 4001,
                                       "learning_goals": "g"})
    assert oversized.status_code == 400 and b"Field cannot be longer than 4000 characters." in oversized.data
    newcomer = make_user(team=org.fpa, manager=org.finance_manager, hired_on=TODAY - timedelta(days=30))
    sign_in(client, newcomer)
    refused = client.get(url)
    assert b"needs at least 6 months with us" in refused.data
    assert client.post(url, data={"order": ids[:1], "chosen": ids[:1], "statement": "s",
                                  "learning_goals": "g"}).status_code == 400
    assert db.session.scalar(db.select(Application)) is None


def test_home_manager_decides_and_the_cap_refusal_is_shown(db, client, org, cohort, seats):
    program = cohort.program
    program.release_cap_percent = 20
    people = [org.finance_person() for _ in range(3)]  # four in the team with the manager: one may go
    first, second = (make_application(p, cohort, seats[:1]) for p in people[:2])
    _as(client, org.ops_manager)
    assert client.post(f"/rotation/applications/{first.id}", data={"decision": "approve"}).status_code == 403
    sign_in(client, org.finance_manager)
    waiting = client.get("/rotation/approvals")
    assert waiting.data.count(b"Decide<span") == 2
    assert client.post(f"/rotation/applications/{first.id}", data={"decision": "approve"}).status_code == 303
    refused = client.post(f"/rotation/applications/{second.id}", data={"decision": "approve"})
    assert refused.status_code == 400 and b"Your team may release at most 1 of its 4 people" in refused.data
    needs_comment = client.post(f"/rotation/applications/{second.id}", data={"decision": "decline", "comment": ""})
    assert needs_comment.status_code == 400 and b"Say why" in needs_comment.data
    assert client.post(f"/rotation/applications/{second.id}",
                       data={"decision": "decline", "comment": "Next time"}).status_code == 303
    assert (first.status, second.status, second.decision_comment) == ("approved", "declined", "Next time")
    replay = client.post(f"/rotation/applications/{first.id}", data={"decision": "decline", "comment": "x"})
    assert replay.status_code == 400 and first.status == "approved"


def test_applications_and_placements_are_private_to_their_people(db, client, org, cohort, seats):
    application = make_application(org.finance_person(), cohort, seats[:1], approve=True)
    stranger = org.finance_person()
    for url in (f"/rotation/applications/{application.id}", f"/rotation/openings/{seats[0].id}/ranking"):
        assert _as(client, stranger).get(url).status_code == 403
    assert _as(client, org.ops_manager).get(f"/rotation/applications/{application.id}").status_code == 200
    run_match(org, cohort)
    [placement] = publish(org, cohort)
    for url in (f"/rotation/placements/{placement.id}", f"/rotation/placements/{placement.id}/calendar.ics"):
        assert _as(client, stranger).get(url).status_code == 403
        assert _as(client, org.hr).get(url).status_code == 200
    answered = _as(client, stranger).post(f"/rotation/placements/{placement.id}/respond", data={"answer": "accept"})
    assert answered.status_code == 403 and placement.status == "offered"


def test_host_ranks_with_buttons_and_saves(db, client, org, cohort, seats):
    apps = [make_application(org.finance_person(name=f"Applicant {n}"), cohort, seats[:1], approve=True)
            for n in range(3)]
    _as(client, org.ops_manager)
    url = f"/rotation/openings/{seats[0].id}/ranking"
    order = [str(a.id) for a in apps]
    moved = client.post(url, data={"order": order, "move": f"{apps[2].id}:up"})
    assert _listed(moved) == [apps[0].id, apps[2].id, apps[1].id]
    assert client.post(url, data={"order": [order[2], order[0], order[1]], "chosen": order}).status_code == 303
    assert [a.id for a in host_order(seats[0])] == [apps[2].id, apps[0].id, apps[1].id]
    partial = client.post(url, data={"order": [order[2], order[0], order[1]], "chosen": [order[2], order[1]]})
    assert partial.status_code == 303  # a host may leave someone unranked: not acceptable to this opening
    assert ranked_ids(seats[0]) == {apps[2].id, apps[1].id}
    page = client.get(url).get_data(as_text=True)
    assert f'value="{apps[0].id}" id="ranking-list-choose-{apps[0].id}">' in page  # shown unticked


def test_hr_runs_adjusts_and_publishes_and_the_applicant_accepts(db, client, org, cohort, seats):
    first = make_application(org.finance_person(name="Ann First"), cohort, seats[:1], approve=True)
    second = make_application(org.finance_person(name="Ben Second"), cohort, seats[:1], approve=True)
    _as(client, org.hr)
    empty = client.get(f"/rotation/cohorts/{cohort.id}/match")
    assert b"2 approved applicants waiting" in empty.data and b'id="window-open"' in empty.data
    client.post(f"/rotation/cohorts/{cohort.id}/match/run")
    assert db.session.scalar(db.select(DraftMatch)) is None  # the window is open: no match yet
    assert client.post(f"/rotation/cohorts/{cohort.id}/match/close").status_code == 303
    assert not cohort.applications_closed(TODAY)  # closing early needs the confirmation
    client.post(f"/rotation/cohorts/{cohort.id}/match/close", data={"confirm": "yes"})
    assert cohort.applications_closed(TODAY)
    assert client.post(f"/rotation/cohorts/{cohort.id}/match/run").status_code == 303
    preview = client.get(f"/rotation/cohorts/{cohort.id}/match")
    assert b"Alpha was full with Ann First, whom the host ranked higher" in preview.data
    fragment = client.get(f"/rotation/cohorts/{cohort.id}/match", headers={"HX-Request": "true"})
    assert fragment.data.startswith(b'<div id="match-panel">') and b"<html" not in fragment.data
    client.post(f"/rotation/cohorts/{cohort.id}/match/adjust", data={"application_id": first.id, "opening_id": ""})
    client.post(f"/rotation/cohorts/{cohort.id}/match/adjust",
                data={"application_id": second.id, "opening_id": seats[0].id})
    warned = client.get(f"/rotation/cohorts/{cohort.id}/match")
    assert b'id="blocking-warning"' in warned.data and b"Ann First and Alpha" in warned.data
    assert b"Alpha holds Ben Second, whom the host ranks below them: a blocking pair" in warned.data  # the draft
    assert client.post(f"/rotation/cohorts/{cohort.id}/match/publish").status_code == 303
    assert db.session.scalar(db.select(Placement)) is None  # publishing needs the confirmation
    unconfirmed = client.post(f"/rotation/cohorts/{cohort.id}/match/publish", data={"confirm": "yes"},
                              follow_redirects=True)
    assert b"This draft is not stable: Ann First and Alpha" in unconfirmed.data
    assert db.session.scalar(db.select(Placement)) is None
    confirmed = {"confirm": "yes", "unstable_confirmed": "yes"}
    assert client.post(f"/rotation/cohorts/{cohort.id}/match/publish", data=confirmed).status_code == 303
    placement = db.session.scalar(db.select(Placement))
    assert placement.application_id == second.id
    replay = client.post(f"/rotation/cohorts/{cohort.id}/match/publish", data=confirmed)
    assert replay.status_code == 303 and db.session.scalar(db.select(db.func.count()).select_from(Placement)) == 1
    _as(client, second.applicant)
    assert b"Answer the offer by" in client.get("/").data
    assert client.post(f"/rotation/placements/{placement.id}/respond", data={"answer": "maybe"}).status_code == 400
    assert client.post(f"/rotation/placements/{placement.id}/respond", data={"answer": "accept"}).status_code == 303
    assert placement.status == "accepted"


def test_sign_off_form_errors_stay_on_the_placement_page(db, client, org, cohort, seats):
    application = make_application(org.finance_person(), cohort, seats[:1], approve=True)
    run_match(org, cohort)
    [placement] = publish(org, cohort)
    _as(client, application.applicant)
    early = client.post(f"/rotation/placements/{placement.id}/check-in", data={"progress": "p", "surprise": "s"})
    assert early.status_code == 400 and b"only while it is active" in early.data
    missing = client.post(f"/rotation/placements/{placement.id}/sign-off", data={"text": ""})
    assert missing.status_code == 400 and placement.reflected_at is None


def test_calendar_downloads_and_tiles(db, client, org, cohort, seats):
    _as(client, org.finance_person())
    ics = client.get(f"/rotation/cohorts/{cohort.id}/calendar.ics")
    assert ics.mimetype == "text/calendar" and b"BEGIN:VEVENT" in ics.data
    assert b"Open for applications" in client.get("/").data
    application = make_application(org.finance_person(), cohort, seats[:1])
    sign_in(client, org.finance_manager)
    home = client.get("/").get_data(as_text=True)
    assert f'action="/rotation/applications/{application.id}"' in home and 'value="approve"' in home
    assert application.status == "submitted"
    declined = client.post(f"/rotation/applications/{application.id}", data={"decision": "decline", "next": "/"})
    assert declined.status_code == 400 and application.status == "submitted"  # declining needs a comment
    approved = client.post(f"/rotation/applications/{application.id}", data={"decision": "approve", "next": "/"})
    assert approved.status_code == 303 and approved.headers["Location"] == "/"
    assert application.status == "approved"


def test_the_drag_script_is_served_as_a_static_file(client, org):
    response = client.get("/rotation/static/ranked-list.js")
    assert response.status_code == 200 and b"dragstart" in response.data


def test_health_page_for_hr_and_leaders(db, client, org, cohort):
    leader = make_user(Role.LEADER)
    page = _as(client, leader).get(f"/rotation/programs/{cohort.program_id}/health")
    assert page.status_code == 200 and b"Rotations by function pair" in page.data


def test_a_conflicting_replay_is_refused_with_a_message_not_a_500(db, client, org, cohort, seats):
    application = make_application(org.finance_person(), cohort, seats[:1], approve=True)
    run_match(org, cohort)
    publish(org, cohort)
    db.session.add(DraftMatch(application_id=application.id, cohort_id=cohort.id, opening_id=seats[1].id))
    _as(client, org.hr)
    assert client.post(f"/rotation/cohorts/{cohort.id}/match/publish", data={"confirm": "yes"}).status_code == 303
    assert b"already recorded" in client.get(f"/rotation/cohorts/{cohort.id}/match").data
    assert db.session.scalar(db.select(db.func.count()).select_from(Placement)) == 1
    assert cohort.match_rounds == 1


def test_an_unanswered_offer_shows_as_expired_after_its_date(org, cohort, seats):
    make_application(org.finance_person(), cohort, seats[:1], approve=True)
    run_match(org, cohort)
    [offer] = publish(org, cohort)
    assert offer.state(offer.respond_by) == "offered"
    assert offer.state(offer.respond_by + timedelta(days=1)) == "expired"


def _hidden_key(page) -> str:
    return captured(r'name="idempotency_key" (?:type="hidden" )?value="([^"]+)"', page.get_data(as_text=True))


def test_create_forms_replayed_with_their_key_answer_already_recorded(db, client, org, cohort):
    _as(client, org.hr)
    program = {"name": "Exchange replay", "purpose": "p", "host_function_ids": [org.operations.id],
               "eligible_function_ids": [org.finance.id], "duration_weeks": "12", "time_share_percent": "100",
               "min_tenure_months": "6", "release_cap_percent": "20", "offer_days": "7"}
    cohort_dates = {"name": "Replayed", "applications_open_on": "2027-01-04", "applications_close_on": "2027-01-20",
                    "matching_on": "2027-02-01", "starts_on": "2027-03-01", "ends_on": "2027-05-31"}
    opening = {"title": "Dock scheduling", "activities": "Plan", "learning": "Flow", "skills": "", "capacity": "1",
               "time_share_percent": "100", "mentor_email": org.ops_manager.email}
    forms = [(org.hr, "/rotation/programs/new", program, Program),
             (org.hr, f"/rotation/programs/{cohort.program_id}/cohorts/new", cohort_dates, Cohort),
             (org.ops_manager, f"/rotation/cohorts/{cohort.id}/openings/new", opening, Opening)]
    for user, url, data, model in forms:
        sign_in(client, user)
        key = _hidden_key(client.get(url))
        before = db.session.scalar(db.select(db.func.count()).select_from(model))
        assert client.post(url, data={**data, "idempotency_key": key}).status_code == 303
        replay = client.post(url, data={**data, "idempotency_key": key})
        assert replay.status_code == 400 and b"That was already recorded." in replay.data
        assert db.session.scalar(db.select(db.func.count()).select_from(model)) == before + 1


def test_a_program_form_replayed_as_the_first_one_commits_answers_already_recorded_not_name_taken(db, client, org,
                                                                                                     app):
    """The replay's key check misses, the first request commits, then the unique-name rule would trip."""
    _as(client, org.hr)
    key = _hidden_key(client.get("/rotation/programs/new"))
    form = {"name": "Exchange race", "purpose": "p", "host_function_ids": [org.operations.id],
            "eligible_function_ids": [org.finance.id], "duration_weeks": "12", "time_share_percent": "100",
            "min_tenure_months": "6", "release_cap_percent": "20", "offer_days": "7", "idempotency_key": key}
    user_id = org.hr.get_id()
    def first_request():
        return post_as(app, user_id, "/rotation/programs/new", form)
    with meanwhile(db.engine, "WHERE rotation_program.idempotency_key", first_request) as first:
        replay = client.post("/rotation/programs/new", data=form)
    assert first[0][0] == 303
    assert replay.status_code == 400 and b"That was already recorded." in replay.data
    assert b"Another program already has this name." not in replay.data
    assert db.session.scalar(db.select(db.func.count()).select_from(Program)) == 1


def test_a_replayed_application_answers_already_recorded(db, client, org, cohort, seats):
    _as(client, org.finance_person())
    data = {"order": [str(seats[0].id)], "chosen": [str(seats[0].id)], "statement": "s", "learning_goals": "g"}
    assert client.post(f"/rotation/cohorts/{cohort.id}/apply", data=data).status_code == 303
    replay = client.post(f"/rotation/cohorts/{cohort.id}/apply", data=data)
    assert replay.status_code == 400 and b"already recorded" in replay.data
    assert db.session.scalar(db.select(db.func.count()).select_from(Application)) == 1


def test_the_match_page_pages_filters_and_moves_through_a_searchable_picker(db, client, org, cohort, seats):
    people = [make_application(org.finance_person(name=f"Person {n:02d}"), cohort, seats[:1], approve=True)
              for n in range(12)]
    services.get_policy().match_page_size = 10
    run_match(org, cohort)
    _as(client, org.hr)
    url = f"/rotation/cohorts/{cohort.id}/match"
    first = client.get(url).get_data(as_text=True)
    assert "Person 09" in first and "Person 10" not in first and 'id="draft-next"' in first
    assert "<option" not in first.split('id="draft-table"')[1]  # no select of every opening per row
    after = re.search(r'href="([^"]*after=\d+[^"]*)"', first).group(1).replace("&amp;", "&")
    second = client.get(after).get_data(as_text=True)
    assert "Person 10" in second and "Person 11" in second and "Person 09" not in second
    only = client.get(url, query_string={"q": "Person 07", "show": "unmatched"}).get_data(as_text=True)
    assert "Person 07" in only and "Person 08" not in only
    assert client.get(url, query_string={"show": "<bad>", "after": "x"}).status_code == 200  # ignored, first page
    assert client.get(url, query_string={"after": "9" * 30}).status_code == 400  # the shell's hostile-input guard
    mover = people[5]
    picker = client.get(f"{url}/applications/{mover.id}/move", query_string={"q": "Bra"}).get_data(as_text=True)
    assert 'id="move-choices"' in picker and "Alpha" in picker
    found = picker.split('id="move-found"')[1]
    assert "Bravo" in found and "not on their list" in found and "Charlie" not in found
    assert client.get(f"{url}/applications/99999/move").status_code == 404
    refused = client.post(f"{url}/adjust", data={"application_id": mover.id, "opening_id": seats[1].id})
    assert refused.status_code == 303 and f"/applications/{mover.id}/move" in refused.headers["Location"]
    assert db.session.get(DraftMatch, mover.id).opening_id is None
    moved = client.post(f"{url}/adjust", data={"application_id": mover.id, "opening_id": seats[1].id,
                                               "reason": "Agreed with both managers."})
    assert moved.status_code == 303 and db.session.get(DraftMatch, mover.id).opening_id == seats[1].id
    assert "Moved off their list: Agreed with both managers." in client.get(
        url, query_string={"show": "adjusted"}).get_data(as_text=True)


def test_the_match_page_warns_about_openings_with_unranked_applicants(db, client, org, cohort, seats):
    wanted, _left_out = (make_application(org.finance_person(), cohort, seats[:1], approve=True) for _ in range(2))
    services.rank_applicants(org.ops_manager, seats[0], [wanted.id])
    page = _as(client, org.hr).get(f"/rotation/cohorts/{cohort.id}/match").get_data(as_text=True)
    assert 'id="unranked-warning"' in page and "Alpha: 1 unranked" in page


def test_an_ended_placement_says_so_and_takes_its_pending_sign_offs(db, client, org, seats, cohort):
    application = make_application(org.finance_person(), cohort, seats[:1], approve=True)
    run_match(org, cohort)
    [placement] = publish(org, cohort)
    services.respond_to_offer(application.applicant, placement, True, cohort.matching_on)
    with time_machine.travel(cohort.ends_on + timedelta(days=3), tick=False):
        page = _as(client, application.applicant).get(f"/rotation/placements/{placement.id}")
        assert b'id="placement-ended"' in page.data and b">ended<" in page.data
        assert b"Your reflection" in page.data


def test_the_applicant_withdraws_from_the_application_page(db, client, org, cohort, seats):
    application = make_application(org.finance_person(), cohort, seats[:1])
    _as(client, org.finance_person())
    assert client.post(f"/rotation/applications/{application.id}/withdraw").status_code == 403
    sign_in(client, application.applicant)
    assert b"Withdraw my application" in client.get(f"/rotation/applications/{application.id}").data
    assert client.post(f"/rotation/applications/{application.id}/withdraw").status_code == 303
    assert application.status == "withdrawn"


def test_admin_changes_the_rotation_settings(db, client, org):
    admin = make_user(Role.ADMIN)
    _as(client, admin)
    data = {"decision_grace_days": "5", "sign_off_opens_days": "21", "nudge_every_days": "3", "match_page_size": "80"}
    assert client.post("/rotation/settings", data={**data, "match_page_size": "9"}).status_code == 400
    assert client.post("/rotation/settings", data=data).status_code == 303
    assert services.get_policy().sign_off_opens_days == 21


def test_the_applicant_changes_their_application_until_the_decision(db, client, org, cohort, seats):
    application = make_application(org.finance_person(), cohort, seats[:1])
    url = f"/rotation/applications/{application.id}/edit"
    assert _as(client, org.finance_person()).get(url).status_code == 403
    sign_in(client, application.applicant)
    assert b"Change my application" in client.get(f"/rotation/applications/{application.id}").data
    page = client.get(url)
    assert page.status_code == 200 and _listed(page)[0] == seats[0].id
    changed = client.post(url, data={"order": [seats[2].id, seats[0].id, seats[1].id],
                                     "chosen": [seats[2].id, seats[0].id], "statement": "New reasons.",
                                     "learning_goals": "New goals."})
    assert changed.status_code == 303
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert [c.opening_id for c in application.choices] == [seats[2].id, seats[0].id]
    assert application.statement == "New reasons."
    services.decide_application(org.finance_manager, application, True, "", TODAY)
    late = client.post(url, data={"order": [seats[1].id], "chosen": [seats[1].id], "statement": "s",
                                  "learning_goals": "g"})
    assert late.status_code == 400 and b"can no longer change" in late.data


def test_an_admin_without_the_hr_role_creates_a_program(db, client, org):
    _as(client, make_user(Role.ADMIN))
    form = {"name": "Admin exchange", "purpose": "Set up by the admin", "host_function_ids": [org.operations.id],
            "eligible_function_ids": [org.finance.id], "duration_weeks": "12", "time_share_percent": "50",
            "min_tenure_months": "6", "release_cap_percent": "20", "offer_days": "7"}
    assert client.post("/rotation/programs/new", data=form).status_code == 303
    assert db.session.scalar(db.select(Program.name)) == "Admin exchange"

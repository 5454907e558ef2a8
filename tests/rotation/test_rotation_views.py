"""The rotation pages over HTTP: forms, no-JavaScript reordering, messages and statuses, object access, tiles."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from rotation import services
from rotation.models import Application, Cohort, DraftMatch, Placement, Program
from rotation.queries import host_order
from tests.conftest import sign_in
from tests.factories import make_user
from tests.rotation.rotation_factories import TODAY, make_application, make_cohort, make_opening, make_org, make_program
from webapp.roles import Role


@pytest.fixture
def org(db):
    return make_org()


@pytest.fixture
def cohort(org):
    """A cohort whose window is open on the test session's date."""
    return make_cohort(make_program(org))


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
    edit = client.post(f"/rotation/cohorts/{cohort.id}/openings/{opening.id}/edit", data={**data, "mentor_email": mentor.email})
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
    services.run_match(org.hr, cohort, TODAY)
    [placement] = services.publish_match(org.hr, cohort, TODAY)
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
    assert client.post(url, data={"order": [order[2], order[0], order[1]]}).status_code == 303
    assert [a.id for a in host_order(seats[0])] == [apps[2].id, apps[0].id, apps[1].id]


def test_hr_runs_adjusts_and_publishes_and_the_applicant_accepts(db, client, org, cohort, seats):
    first = make_application(org.finance_person(name="Ann First"), cohort, seats[:1], approve=True)
    second = make_application(org.finance_person(name="Ben Second"), cohort, seats[:1], approve=True)
    _as(client, org.hr)
    empty = client.get(f"/rotation/cohorts/{cohort.id}/match")
    assert b"2 approved applicants waiting" in empty.data
    assert client.post(f"/rotation/cohorts/{cohort.id}/match/run").status_code == 303
    preview = client.get(f"/rotation/cohorts/{cohort.id}/match")
    assert b"Ben Second</strong>: Alpha was full with Ann First, whom the host ranked higher" in preview.data
    fragment = client.get(f"/rotation/cohorts/{cohort.id}/match", headers={"HX-Request": "true"})
    assert fragment.data.startswith(b'<div id="match-panel">') and b"<html" not in fragment.data
    client.post(f"/rotation/cohorts/{cohort.id}/match/adjust", data={"application_id": first.id, "opening_id": ""})
    client.post(f"/rotation/cohorts/{cohort.id}/match/adjust",
                data={"application_id": second.id, "opening_id": seats[0].id})
    warned = client.get(f"/rotation/cohorts/{cohort.id}/match")
    assert b'id="blocking-warning"' in warned.data and b"Ann First and Alpha" in warned.data
    assert client.post(f"/rotation/cohorts/{cohort.id}/match/publish").status_code == 303
    placement = db.session.scalar(db.select(Placement))
    assert placement.application_id == second.id
    replay = client.post(f"/rotation/cohorts/{cohort.id}/match/publish")
    assert replay.status_code == 303 and db.session.scalar(db.select(db.func.count()).select_from(Placement)) == 1
    _as(client, second.applicant)
    assert b"Answer the offer by" in client.get("/").data
    assert client.post(f"/rotation/placements/{placement.id}/respond", data={"answer": "maybe"}).status_code == 400
    assert client.post(f"/rotation/placements/{placement.id}/respond", data={"answer": "accept"}).status_code == 303
    assert placement.status == "accepted"


def test_sign_off_form_errors_stay_on_the_placement_page(db, client, org, cohort, seats):
    application = make_application(org.finance_person(), cohort, seats[:1], approve=True)
    services.run_match(org.hr, cohort, TODAY)
    [placement] = services.publish_match(org.hr, cohort, TODAY)
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
    services.run_match(org.hr, cohort, TODAY)
    services.publish_match(org.hr, cohort, TODAY)
    db.session.add(DraftMatch(application_id=application.id, cohort_id=cohort.id, opening_id=seats[1].id))
    _as(client, org.hr)
    assert client.post(f"/rotation/cohorts/{cohort.id}/match/publish").status_code == 303
    assert b"That was already done" in client.get(f"/rotation/cohorts/{cohort.id}/match").data
    assert db.session.scalar(db.select(db.func.count()).select_from(Placement)) == 1
    assert cohort.match_rounds == 1


def test_an_unanswered_offer_shows_as_expired_after_its_date(org, cohort, seats):
    make_application(org.finance_person(), cohort, seats[:1], approve=True)
    services.run_match(org.hr, cohort, TODAY)
    [offer] = services.publish_match(org.hr, cohort, TODAY)
    assert offer.state(offer.respond_by) == "offered"
    assert offer.state(offer.respond_by + timedelta(days=1)) == "expired"


def test_an_admin_without_the_hr_role_creates_a_program(db, client, org):
    _as(client, make_user(Role.ADMIN))
    form = {"name": "Admin exchange", "purpose": "Set up by the admin", "host_function_ids": [org.operations.id],
            "eligible_function_ids": [org.finance.id], "duration_weeks": "12", "time_share_percent": "50",
            "min_tenure_months": "6", "release_cap_percent": "20", "offer_days": "7"}
    assert client.post("/rotation/programs/new", data=form).status_code == 303
    assert db.session.scalar(db.select(Program.name)) == "Admin exchange"

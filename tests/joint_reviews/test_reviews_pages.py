"""The review pages: opening, the merged timeline, nudges, sign-off, the library, completion and the warning link."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from programs.joint_reviews import services
from programs.joint_reviews.models import Action, Finding, Review, ReviewStatus, SignOff, TimelineEntry
from tests.conftest import sign_in
from tests.joint_reviews.reviews_factories import key, open_review, ready_to_sign
from webapp import clock
from webapp.main import pair_records as registry
from webapp.main.pair_records import PairRecord, register_pair_records
from webapp.notifications.models import Notification


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _as(client, user):
    sign_in(client, user)
    return client


def test_anyone_opens_a_review_with_two_functions_and_lands_on_it(client, db, org):
    page = _as(client, org.fin_people[1]).get("/reviews/new")
    assert page.status_code == 200 and "who is to blame" in page.text
    form = {"title": "Invoices used the old price list", "kind": "escalation",
            "happened_on": (clock.today() - timedelta(days=5)).isoformat(), "summary": "",
            "participant_ids": [str(org.ops_people[1].id)], "idempotency_key": key()}
    response = client.post("/reviews/new", data=form)
    assert response.status_code == 303
    review = db.session.scalar(select(Review))
    assert {p.user_id for p in review.participants} == {org.fin_people[1].id, org.ops_people[1].id}
    assert client.post("/reviews/new", data=form).status_code == 400  # the replay: already recorded, nothing new
    assert _count(db, Review) == 1


def test_a_review_within_one_function_is_refused_on_the_page(client, db, org):
    form = {"title": "x", "kind": "incident", "happened_on": clock.today().isoformat(),
            "participant_ids": [str(org.fin_people[1].id)], "idempotency_key": key()}
    response = _as(client, org.fin_people[0]).post("/reviews/new", data=form)
    assert response.status_code == 400 and "at least two functions" in response.text
    assert _count(db, Review) == 0


def test_the_merged_timeline_shows_where_the_accounts_diverge(client, db, org):
    review = open_review(org)
    now = clock.now()
    services.add_entry(org.fin_people[0], review, now - timedelta(hours=6), "order received", "")
    services.add_entry(org.ops_people[0], review, now - timedelta(hours=6), "order received", "")
    services.add_entry(org.fin_people[0], review, now - timedelta(hours=2), "credit hold", "")
    db.session.commit()
    page = _as(client, org.outsider).get(f"/reviews/{review.id}").text
    assert 'id="divergence-count">1 moment where the accounts diverge' in page
    assert "not in Operations&#39;s account" in page or "not in Operations's account" in page
    assert 'id="entry-form"' not in page  # a reader, not a participant: no editor


def test_a_participant_adds_to_their_own_functions_timeline_with_the_local_time(client, db, org):
    review = open_review(org)
    at = clock.local(clock.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = _as(client, org.ops_people[0]).post(f"/reviews/{review.id}/entries", data={
        "entry-at": at, "entry-topic": "dispatch", "entry-text": "Shipped same day.", "entry-idempotency_key": key()})
    assert response.status_code == 303
    entry = db.session.scalar(select(TimelineEntry))
    assert entry.function_id == org.ops.id
    assert clock.local(entry.at).strftime("%Y-%m-%dT%H:%M") == at


def test_only_participants_edit(client, db, org):
    review = open_review(org)
    outsider = _as(client, org.outsider)
    posts = [(f"/reviews/{review.id}/entries", {"entry-at": "2026-01-01T10:00", "entry-topic": "x"}),
             (f"/reviews/{review.id}/findings", {"finding-kind": "went_well", "finding-text": "x"}),
             (f"/reviews/{review.id}/actions", {"action-description": "x"}),
             (f"/reviews/{review.id}/sign-off", {"sign-fair": "yes"}),
             (f"/reviews/{review.id}/nudges", {"entry-text": "x"})]
    for url, data in posts:
        assert outsider.post(url, data=data).status_code == 403, url
    assert _count(db, TimelineEntry) + _count(db, Finding) + _count(db, Action) + _count(db, SignOff) == 0


def test_hostile_input_gets_a_clear_4xx_and_writes_nothing(client, db, org):
    review = open_review(org)
    fin = _as(client, org.fin_people[0])
    assert fin.post(f"/reviews/{review.id}/findings", data={"finding-kind": "factor", "finding-tag": "process",
                                                             "finding-text": "a\x00b", "finding-idempotency_key": key()}
                    ).status_code == 400
    assert fin.get("/reviews/" + "9" * 30).status_code == 404
    assert fin.post(f"/reviews/{review.id}/actions", data={
        "action-description": "x", "action-owner_id": "9" * 30, "action-due_on": clock.today().isoformat(),
        "action-idempotency_key": key()}).status_code == 400
    for due in ("0001-01-01", "9999-12-31", "2026-02-30"):
        response = fin.post(f"/reviews/{review.id}/actions", data={
            "action-description": "x", "action-owner_id": str(org.fin_people[0].id), "action-due_on": due,
            "action-idempotency_key": key()})
        assert response.status_code == 400, due
    other = fin.post(f"/reviews/{review.id}/actions", data={   # someone else's id: not a participant
        "action-description": "x", "action-owner_id": str(org.outsider.id),
        "action-due_on": clock.today().isoformat(), "action-idempotency_key": key()})
    assert other.status_code == 400 and "Choose the owner among the review" in other.text
    entry = fin.post(f"/reviews/{review.id}/entries", data={"entry-at": "1900-01-01T10:00", "entry-topic": "x",
                                                            "entry-idempotency_key": key()})
    assert entry.status_code == 400 and "days before the day reviewed" in entry.text
    assert fin.post(f"/reviews/{review.id}/sign-off", data={"sign-fair": "maybe"}).status_code == 400
    assert _count(db, Finding) + _count(db, Action) + _count(db, TimelineEntry) == 0


def test_the_editor_nudges_blaming_language_as_you_type_and_dismissals_count_per_review(client, db, org):
    review = open_review(org)
    fin = _as(client, org.fin_people[0])
    hint = fin.post(f"/reviews/{review.id}/nudges", data={"finding-text": "Operations blocked the order"},
                    headers={"HX-Request": "true"})
    assert hint.status_code == 200 and "Operations blocked" in hint.text and "no agreed step" in hint.text
    assert fin.post(f"/reviews/{review.id}/nudges", data={"finding-text": "No check ran"}).text.strip() == ""
    assert fin.post(f"/reviews/{review.id}/nudges/dismiss", headers={"HX-Request": "true"}).status_code == 200
    assert fin.post(f"/reviews/{review.id}/findings", data={
        "finding-kind": "factor", "finding-tag": "process", "finding-text": "Ops failed to check the stock.",
        "finding-idempotency_key": key()}).status_code == 303  # a nudge never refuses a save
    finding = db.session.scalar(select(Finding))
    page = fin.get(f"/reviews/{review.id}").text
    assert f'id="nudge-finding-{finding.id}"' in page
    assert "1 saved text drew a pointer; 1 pointer dismissed" in page
    fin.post(f"/reviews/{review.id}/nudges/finding/{finding.id}/dismiss")
    page = fin.get(f"/reviews/{review.id}").text
    assert f'id="nudge-finding-{finding.id}"' not in page and "2 pointers dismissed" in page
    assert org.fin_people[0].name not in page.split('id="nudge-counts"')[1].split("</p>")[0]


def test_a_review_walks_to_sign_off_and_resolution_and_can_be_celebrated(client, db, org):
    review = ready_to_sign(org, open_review(org))
    fin, ops = org.fin_people[0], org.ops_people[0]
    assert _as(client, fin).post(f"/reviews/{review.id}/sign-off", data={"sign-fair": "yes"}).status_code == 303
    again = _as(client, fin).post(f"/reviews/{review.id}/sign-off", data={"sign-fair": "yes"})
    assert again.status_code == 400 and "already signed it off" in again.text
    assert _as(client, ops).post(f"/reviews/{review.id}/sign-off", data={"sign-fair": "yes"}).status_code == 303
    db.session.refresh(review)
    assert review.status == ReviewStatus.SIGNED.value
    action = review.actions[0]
    assert _as(client, fin).post(f"/reviews/actions/{action.id}", data={"done": "1"}).status_code == 303
    db.session.refresh(review)
    assert review.status == ReviewStatus.RESOLVED.value
    page = _as(client, fin).get(f"/reviews/{review.id}").text  # fin is a manager: may log a joint win
    assert 'id="celebrate"' in page and "/recognition/wins/new?title=Resolved+together" in page.replace("&amp;", "&")
    prefilled = client.get(page.split('id="celebrate" href="')[1].split('"')[0].replace("&amp;", "&"))
    assert "Resolved together: Rush orders skipped credit check" in prefilled.text
    assert 'id="celebrate"' not in _as(client, org.fin_people[1]).get(f"/reviews/{review.id}").text


def test_the_library_lists_signed_reviews_by_pair_factor_quarter_and_words(client, db, org):
    signed = ready_to_sign(org, open_review(org, title="Credit check skipped"))
    services.sign_off(org.fin_people[0], signed, True, "", clock.now())
    services.sign_off(org.ops_people[0], signed, True, "", clock.now())
    open_review(org, title="Still being written")
    db.session.commit()
    reader = _as(client, org.outsider)
    page = reader.get("/reviews/library").text
    assert "Credit check skipped" in page and "Still being written" not in page
    pair = f"{min(org.fin.id, org.ops.id)}-{max(org.fin.id, org.ops.id)}"
    assert "Credit check skipped" in reader.get(f"/reviews/library?pair={pair}&tag=process&quarter={signed.quarter}"
                                                "&q=credit").text
    assert "Credit check skipped" not in reader.get("/reviews/library?tag=capacity").text
    for bad in ("pair=1-1", "pair=x", "tag=people", "quarter=2026-Q9"):
        response = reader.get(f"/reviews/library?{bad}")
        assert response.status_code == 400 and 'role="alert"' in response.text, bad
    fragment = reader.get("/reviews/library?q=credit", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="library-results">')


def test_the_completion_list_counts_the_actions_of_past_reviews(client, db, org):
    review = ready_to_sign(org, open_review(org))
    services.add_action(org.fin_people[0], review, "Second", org.ops_people[0].id, clock.today(), clock.today())
    services.sign_off(org.fin_people[0], review, True, "", clock.now())
    services.sign_off(org.ops_people[0], review, True, "", clock.now())
    services.set_action_done(org.fin_people[0], review.actions[-1], True, clock.now())
    db.session.commit()
    with time_machine.travel(clock.now() + timedelta(days=40), tick=False):
        page = _as(client, org.outsider).get("/reviews/actions").text
    assert "1 of 2 actions done (50%), 1 by their due date, 1 overdue." in " ".join(page.split())


def test_owners_are_reminded_of_due_and_overdue_actions_once_a_day(app, db, org):
    review = ready_to_sign(org, open_review(org))
    db.session.query(Notification).delete()
    db.session.commit()
    runner = app.test_cli_runner()
    assert "Sent 0 review action reminder(s)." in runner.invoke(args=["joint_reviews", "remind-due"]).output
    due = review.actions[0].due_on
    with time_machine.travel(clock.now() + timedelta(days=(due - clock.today()).days - 1), tick=False):
        assert "Sent 1 review action reminder(s)." in runner.invoke(args=["joint_reviews", "remind-due"]).output
        assert "Sent 0" in runner.invoke(args=["joint_reviews", "remind-due"]).output  # once a day
    with time_machine.travel(clock.now() + timedelta(days=(due - clock.today()).days + 3), tick=False):
        assert "Sent 1" in runner.invoke(args=["joint_reviews", "remind-due"]).output
        message = db.session.scalars(select(Notification.message).order_by(Notification.id.desc())).first()
    assert message.startswith(f"Review action overdue since {due.isoformat()}")


def test_without_a_warning_source_the_link_field_does_not_show(client, db, org, monkeypatch):
    monkeypatch.setattr(registry, "_kinds", {k: v for k, v in registry._kinds.items() if k != "warning"})
    review = open_review(org)
    fin = _as(client, org.fin_people[0])
    assert 'id="warning-link"' not in fin.get(f"/reviews/{review.id}").text
    assert fin.post(f"/reviews/{review.id}/link", data={"link-record_id": "1"}).status_code == 404


def test_a_participant_links_the_review_to_an_earlier_warning_of_the_pair(client, db, org, monkeypatch):
    monkeypatch.setattr(registry, "_kinds", dict(registry._kinds))
    review = open_review(org, days_ago=10)
    asked = []

    def warnings(pair, first, last):
        asked.append(pair)
        return [PairRecord("warning", 7, "Rush orders rising", "/warnings/7", "acknowledged",
                           review.happened_on - timedelta(days=20), False),
                PairRecord("warning", 8, "Raised after the day", "/warnings/8", "open",
                           review.happened_on + timedelta(days=2), True)]

    register_pair_records("warning", "Early warnings", warnings)
    fin = _as(client, org.fin_people[0])
    page = fin.get(f"/reviews/{review.id}").text
    assert 'id="warning-link"' in page and "Rush orders rising" in page and "Raised after the day" not in page
    assert asked[0] == (min(org.fin.id, org.ops.id), max(org.fin.id, org.ops.id))
    assert fin.post(f"/reviews/{review.id}/link", data={"link-record_id": "8"}).status_code == 400
    assert fin.post(f"/reviews/{review.id}/link", data={"link-record_id": "7"}).status_code == 303
    db.session.refresh(review)
    assert (review.linked_kind, review.linked_id, review.linked_url) == ("warning", 7, "/warnings/7")
    assert _as(client, org.outsider).post(f"/reviews/{review.id}/link", data={"link-record_id": "7"}).status_code == 403


def test_reviews_are_pair_records_and_the_home_tile_lists_my_actions(client, db, org):
    review = ready_to_sign(org, open_review(org))
    records = registry.pair_records((org.ops.id, org.fin.id), clock.today() - timedelta(days=30), clock.today(),
                                    kind="review")["review"]
    assert [(r.id, r.is_open) for r in records] == [(review.id, True)]
    home = _as(client, org.fin_people[0]).get("/").text
    assert "My joint reviews" in home and "Add the credit check to the rush form" in home


def test_the_scorecard_shows_the_share_of_the_pairs_review_actions_done_on_time(client, db, org):
    from tests.factories import make_user
    from webapp.periods import Quarter
    from webapp.roles import Role

    review = ready_to_sign(org, open_review(org))
    services.add_action(org.fin_people[0], review, "Second", org.ops_people[0].id, review.actions[0].due_on,
                        clock.today())
    services.set_action_done(org.fin_people[0], review.actions[0], True, clock.now())
    db.session.commit()
    quarter = Quarter.containing(review.actions[0].due_on)
    hr = make_user(Role.HR, function=org.fin)
    csv = _as(client, hr).get(f"/scorecard.csv?quarter={quarter}&a={org.fin.id}&b={org.ops.id}").text
    line = next(row for row in csv.splitlines() if "Review actions done on time" in row)
    assert line.startswith(f"Collaboration,Review actions done on time,{quarter},50")


def _library_queries(client, app) -> int:
    from tests.bench.harness import count_queries

    with count_queries(app) as statements:
        assert client.get("/reviews/library", headers={"HX-Request": "true"}).status_code == 200
    return len(statements)


def test_library_queries_do_not_grow_with_the_number_of_reviews(client, app, db, org):
    def signed_review(title: str) -> None:
        review = ready_to_sign(org, open_review(org, title=title))
        services.sign_off(org.fin_people[0], review, True, "", clock.now())
        services.sign_off(org.ops_people[0], review, True, "", clock.now())
        db.session.commit()

    reader = _as(client, org.outsider)
    signed_review("First")
    reader.get("/reviews/library")
    one = _library_queries(reader, app)
    for n in range(5):
        signed_review(f"More {n}")
    assert _library_queries(reader, app) == one


def test_a_refused_change_without_a_form_answers_400_with_the_reason_and_changes_nothing(client, db, org):
    review = ready_to_sign(org, open_review(org))
    services.sign_off(org.fin_people[0], review, True, "", clock.now())
    services.sign_off(org.ops_people[0], review, True, "", clock.now())
    services.set_action_done(org.fin_people[0], review.actions[0], True, clock.now())
    db.session.commit()
    response = _as(client, org.fin_people[0]).post(f"/reviews/actions/{review.actions[0].id}", data={"done": "0"})
    assert response.status_code == 400 and "its actions are all done" in response.text
    entry = review.entries[0]
    response = client.post(f"/reviews/{review.id}/entries/{entry.id}/delete")
    assert response.status_code == 400 and "no longer changes" in response.text
    db.session.refresh(review)
    assert review.status == ReviewStatus.RESOLVED.value and len(review.entries) == 2

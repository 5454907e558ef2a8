"""The pages: list, opening, the review (page and fragment), notes and items in place, sign-off, reopen, print, CSV,
set-up and settings; who may read what; hostile input answered with a 4xx and a message, nothing written."""
from __future__ import annotations

import csv
import io
from calendar import monthrange
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from programs.business_review import services
from programs.business_review.models import EXPLANATION, NEED, MetricNote, MetricTarget, MonthlyReview, ReviewItem
from tests.factories import make_user
from webapp import clock
from webapp.extensions import db
from webapp.forms import new_key
from webapp.roles import Role

HTMX = {"HX-Request": "true"}


def _count(model) -> int:
    return db.session.scalars(select(func.count()).select_from(model)).one()


def _signed(board) -> MonthlyReview:
    review = board.open()
    services.save_note(board.ops_planner, review, board.delivery.id, EXPLANATION, "A carrier missed two slots.")
    services.save_note(board.fin_analyst, review, board.delivery.id, NEED, "Tell us a week ahead.", agrees=False)
    services.sign_review(board.fin_leader, review)
    services.sign_review(board.ops_leader, review)
    return review


def test_a_leader_opens_a_review_and_the_page_shows_the_scorecard_and_no_decision(board, signed_in_client):
    client = signed_in_client(board.ops_leader)
    response = client.post("/business-review/new", data={
        "first_function_id": board.fin.id, "second_function_id": board.ops.id, "month": board.month,
        "meeting_on": board.meeting().isoformat(), "idempotency_key": new_key()})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "On-time delivery" in page and "Behind" in page and "No decision recorded." in page
    assert "Still without both notes: On-time delivery" in page and 'id="business-review-records"' in page


def test_opening_twice_or_with_bad_input_says_why_and_writes_nothing(board, signed_in_client):
    client = signed_in_client(board.fin_leader)
    key = new_key()
    good = {"first_function_id": board.fin.id, "second_function_id": board.ops.id, "month": board.month,
            "meeting_on": board.meeting().isoformat(), "idempotency_key": key}
    assert client.post("/business-review/new", data=good).status_code == 303
    replay = client.post("/business-review/new", data=good)
    assert replay.status_code == 400 and "already" in replay.get_data(as_text=True)
    for bad in ({"month": "2026-13"}, {"month": "99999-01"}, {"meeting_on": "1900-01-01"}, {"meeting_on": "x"},
                {"second_function_id": board.fin.id}, {"second_function_id": "9" * 30}, {"month": "20\x0026-01"}):
        response = client.post("/business-review/new", data={**good, "idempotency_key": new_key(), **bad})
        assert response.status_code == 400, bad
        assert response.get_data(as_text=True).strip(), bad
    assert _count(MonthlyReview) == 1


def test_an_employee_cannot_open_a_review(board, signed_in_client):
    response = signed_in_client(board.fin_analyst).post("/business-review/new", data={
        "first_function_id": board.fin.id, "second_function_id": board.ops.id, "month": board.month,
        "meeting_on": board.meeting().isoformat(), "idempotency_key": new_key()})
    assert response.status_code == 403 and _count(MonthlyReview) == 0


def test_notes_are_saved_in_place_with_htmx_and_errors_show_in_the_fragment(board, signed_in_client):
    review = board.open()
    client = signed_in_client(board.ops_planner)
    url = f"/business-review/{review.id}/metrics/{board.delivery.id}/{EXPLANATION}"
    prefix = f"note-{board.delivery.id}-{EXPLANATION}"
    empty = client.post(url, data={f"{prefix}-text": ""}, headers=HTMX)
    assert empty.status_code == 400 and "Write a few words." in empty.get_data(as_text=True)
    assert '<div id="business-review">' in empty.get_data(as_text=True) and "<html" not in empty.get_data(as_text=True)
    wrong_side = client.post(f"/business-review/{review.id}/metrics/{board.delivery.id}/{NEED}",
                             data={f"note-{board.delivery.id}-{NEED}-text": "We need nothing."}, headers=HTMX)
    assert wrong_side.status_code == 400 and "written by Finance" in wrong_side.get_data(as_text=True)
    saved = client.post(url, data={f"{prefix}-text": "A carrier missed two slots."}, headers=HTMX)
    assert saved.status_code == 200 and "A carrier missed two slots." in saved.get_data(as_text=True)
    assert _count(MetricNote) == 1
    no_js = client.post(url, data={f"{prefix}-text": "Two carriers."})
    assert no_js.status_code == 303
    for bad_url in (f"/business-review/{review.id}/metrics/{board.cash.id}/{EXPLANATION}",  # green: needs no note
                    f"/business-review/{review.id}/metrics/999999/{EXPLANATION}"):
        response = client.post(bad_url, data={"note-x-text": "Hello"}, headers=HTMX)
        assert response.status_code == 400 and "alert-danger" in response.get_data(as_text=True)
    assert client.post(f"/business-review/{review.id}/metrics/{board.delivery.id}/blame", data={}).status_code == 404
    assert client.post(f"/business-review/{'9' * 30}/items", data={}).status_code == 404


def test_the_partner_disagreeing_is_highlighted(board, signed_in_client):
    review = board.open()
    services.save_note(board.ops_planner, review, board.delivery.id, EXPLANATION, "Carriers.")
    client = signed_in_client(board.fin_analyst)
    prefix = f"note-{board.delivery.id}-{NEED}"
    response = client.post(
        f"/business-review/{review.id}/metrics/{board.delivery.id}/{NEED}",
        data={f"{prefix}-text": "Book carriers a week earlier.", f"{prefix}-agrees": "no"},
        headers=HTMX,
    )
    assert response.status_code == 200 and "They disagree" in response.get_data(as_text=True)


def test_items_need_an_owner_of_the_pair_and_replays_record_once(board, signed_in_client):
    review = board.open()
    client = signed_in_client(board.fin_analyst)
    key = new_key()
    data = {"item-kind": "decision", "item-text": "Fund a second shift.", "item-owner_id": board.ops_leader.id,
            "item-idempotency_key": key}
    assert client.post(f"/business-review/{review.id}/items", data=data).status_code == 303
    replay = client.post(f"/business-review/{review.id}/items", data=data, headers=HTMX)
    assert replay.status_code == 400 and "already recorded" in replay.get_data(as_text=True)
    for bad in (
        {"item-owner_id": board.outsider.id},
        {"item-owner_id": "9" * 30},
        {"item-kind": "action"},
        {"item-kind": "action", "item-due_on": "9999-12-31"},
        {"item-text": "x" * 5000},
        {"item-kind": "blame"},
    ):
        response = client.post(f"/business-review/{review.id}/items", data={**data, "item-idempotency_key": new_key(),
                                                                           **bad}, headers=HTMX)
        assert response.status_code == 400, bad
    assert _count(ReviewItem) == 1
    outsider = signed_in_client(board.outsider)
    assert outsider.post(f"/business-review/{review.id}/items",
                         data={**data, "item-idempotency_key": new_key()}).status_code == 403
    assert _count(ReviewItem) == 1


def test_drafts_are_for_the_pair_and_signed_reviews_for_everyone(board, signed_in_client):
    review = board.open()
    client = signed_in_client(board.outsider)
    assert client.get(f"/business-review/{review.id}").status_code == 403
    assert client.get(f"/business-review/{review.id}/review.csv").status_code == 403
    assert review.month not in client.get("/business-review/").get_data(as_text=True)
    services.save_note(board.ops_planner, review, board.delivery.id, EXPLANATION, "Carriers.")
    services.save_note(board.fin_analyst, review, board.delivery.id, NEED, "Earlier booking.")
    services.sign_review(board.fin_leader, review)
    services.sign_review(board.ops_leader, review)
    page = client.get(f"/business-review/{review.id}")
    assert page.status_code == 200 and review.snapshot_sha256 in page.get_data(as_text=True)
    assert review.month in client.get("/business-review/").get_data(as_text=True)


def test_leaders_sign_through_the_page_and_the_second_signature_freezes_it(board, signed_in_client):
    review = board.open()
    services.save_note(board.ops_planner, review, board.delivery.id, EXPLANATION, "Carriers.")
    services.save_note(board.fin_analyst, review, board.delivery.id, NEED, "Earlier booking.")
    assert signed_in_client(board.fin_analyst).post(f"/business-review/{review.id}/sign").status_code == 403
    client = signed_in_client(board.fin_leader)
    assert client.post(f"/business-review/{review.id}/sign").status_code == 303
    again = client.post(f"/business-review/{review.id}/sign", follow_redirects=True)
    assert "already signed" in again.get_data(as_text=True)
    outsider_leader = make_user(Role.LEADER, function=board.outsider.function)
    assert signed_in_client(outsider_leader).post(f"/business-review/{review.id}/sign").status_code == 403
    signed_in_client(board.ops_leader).post(f"/business-review/{review.id}/sign")
    db.session.refresh(review)
    assert review.is_signed and review.snapshot_sha256


def test_a_signed_review_reopens_only_with_a_reason(board, signed_in_client):
    review = _signed(board)
    client = signed_in_client(board.ops_leader)
    empty = client.post(f"/business-review/{review.id}/reopen", data={"reopen-reason": ""}, headers=HTMX)
    assert empty.status_code == 400 and "audit log" in empty.get_data(as_text=True)
    db.session.refresh(review)
    assert review.is_signed
    done = client.post(f"/business-review/{review.id}/reopen", data={"reopen-reason": "Delivery was restated."})
    assert done.status_code == 303
    db.session.refresh(review)
    assert not review.is_signed


def test_the_printed_pack_and_the_csv_carry_the_frozen_values(board, signed_in_client):
    review = _signed(board)
    client = signed_in_client(make_user(function=board.outsider.function))
    printed = client.get(f"/business-review/{review.id}/print").get_data(as_text=True)
    assert "business_review_print.css" in printed and review.snapshot_sha256 in printed and "<nav" not in printed
    assert "(they disagree)" in printed
    exported = client.get(f"/business-review/{review.id}/review.csv")
    assert exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    delivery = next(row for row in rows if row[:3] == ["metric", "Customer", "On-time delivery"])
    assert delivery[9] == "88.0" and delivery[13] == "Behind" and delivery[15] == "A carrier missed two slots."
    assert ["decision", "none", "No decision recorded.", "", ""] in rows


def test_a_formula_in_a_note_is_quoted_in_the_csv(board, signed_in_client):
    review = board.open()
    services.save_note(board.ops_planner, review, board.delivery.id, EXPLANATION, "=HYPERLINK(\"x\")")
    text = signed_in_client(board.fin_leader).get(f"/business-review/{review.id}/review.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_the_fragment_is_served_to_htmx_and_the_page_otherwise(board, signed_in_client):
    review = board.open()
    client = signed_in_client(board.fin_analyst)
    assert "<html" in client.get(f"/business-review/{review.id}").get_data(as_text=True)
    fragment = client.get(f"/business-review/{review.id}", headers=HTMX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="business-review">')


def test_set_up_and_targets_through_the_page_refuse_inconsistent_or_absurd_numbers(board, signed_in_client):
    client = signed_in_client(board.fin_leader)
    assert "On-time delivery" in client.get("/business-review/scorecard").get_data(as_text=True)
    prefix = f"setup-{board.delivery.id}"
    base = {f"{prefix}-perspective": "operational", f"{prefix}-owner_function_id": board.ops.id,
            f"{prefix}-partner_function_id": board.fin.id}
    for amber, red in (("85", "90"), ("inf", "80"), ("nan", "80"), ("1e400", "80"), ("", "80")):
        response = client.post(f"/business-review/scorecard/{board.delivery.id}", data={
            **base, f"{prefix}-amber_threshold": amber, f"{prefix}-red_threshold": red})
        assert response.status_code == 400, (amber, red)
    assert client.post(f"/business-review/scorecard/{board.delivery.id}", data={
        **base, f"{prefix}-amber_threshold": "91", f"{prefix}-red_threshold": "86"}).status_code == 303
    target = f"target-{board.delivery.id}"
    for period, value in (("2026-14", "90"), (board.month, "-inf"), ("x" * 30, "1")):
        assert client.post(f"/business-review/scorecard/{board.delivery.id}/targets",
                           data={f"{target}-period": period, f"{target}-value": value}).status_code == 400
    assert client.post(f"/business-review/scorecard/{board.delivery.id}/targets",
                       data={f"{target}-period": board.month, f"{target}-value": "97"}).status_code == 303
    assert db.session.scalar(select(MetricTarget.value).where(MetricTarget.period == board.month,
                                                              MetricTarget.metric_id == board.delivery.id)) == 97.0
    assert client.post("/business-review/scorecard/999999", data=base).status_code == 404


@pytest.mark.parametrize(("on_track", "at_risk", "status"), [("95", "85", 303), ("80", "90", 400), ("inf", "85", 400)])
def test_the_admin_sets_the_status_rules(board, signed_in_client, on_track, at_risk, status):
    client = signed_in_client(make_user(Role.ADMIN))
    assert client.post("/business-review/settings", data={"on_track_percent": on_track,
                                                         "at_risk_percent": at_risk}).status_code == status


def test_the_home_tile_shows_the_leader_the_draft_to_sign(board, signed_in_client):
    review = board.open()
    home = signed_in_client(board.ops_leader).get("/").get_data(as_text=True)
    assert "Business reviews" in home and "yours to sign" in home
    assert f"/business-review/{review.id}" in home


def test_the_meeting_date_may_be_in_the_past_for_a_review_held_late(board, signed_in_client):
    meeting = clock.today() - timedelta(days=1)
    review = services.open_review(board.fin_leader, board.pair, board.month, meeting, new_key())
    assert signed_in_client(board.fin_leader).get(f"/business-review/{review.id}").status_code == 200


def test_the_review_shows_the_pairs_registered_records_of_the_month_and_the_alerts_on_its_agenda(
        board, signed_in_client, monkeypatch) -> None:
    from webapp.main import pair_records as registry
    from webapp.main.pair_records import PairRecord, register_pair_records

    monkeypatch.setattr(registry, "_kinds", {})
    asked: list[tuple] = []

    def warnings(pair, first, last):
        asked.append((pair, first, last))
        return [PairRecord("warning", 7, "Freight costs rising", "/warnings/7", "acknowledged", first, True)]

    register_pair_records("warning", "Early warnings", warnings)
    review = board.open()
    page = signed_in_client(board.fin_analyst).get(f"/business-review/{review.id}").get_data(as_text=True)
    assert "Early warnings" in page and "Freight costs rising" in page and 'href="/warnings/7"' in page
    first = date.fromisoformat(board.month + "-01")
    assert asked == [(tuple(sorted(board.pair)), first, first.replace(day=monthrange(first.year, first.month)[1]))]
    agenda = page.split('id="business-review-agenda"')[1].split("</section>")[0]
    assert "On-time delivery" in agenda and "crossed the amber threshold 90.00" in agenda and "88.00" in agenda

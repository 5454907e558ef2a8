"""Coverage matrix, suggested pairs, learnings, CSV and iCalendar exports, the demo data."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from icalendar import Calendar
from sqlalchemy import func, select

from programs.visits.demo import seed_visits
from programs.visits.models import Account, FollowUp, FollowUpStatus, FunctionNote, Learning, Visit
from tests.bench.harness import count_queries
from tests.conftest import sign_in
from tests.timeline import TODAY
from tests.visits.visits_factories import make_account, make_follow_up, make_visit
from webapp.people.demo import seed_people


def matrix(html: str) -> dict[str, list[str]]:
    """Account name -> the cells of its row in the coverage table."""
    rows = {}
    for name, cells in re.findall(
        r'<th scope="row" class="fw-normal"><a [^>]*>([^<]+)</a></th>(.*?)</tr>', html, re.DOTALL
    ):
        rows[name] = re.findall(r"<td[^>]*>([^<]*)</td>", cells)
    return rows


def test_coverage_counts_held_visits_per_function_in_the_window(client, db, org):
    acme, beta, gamma = make_account("Acme"), make_account("Beta"), make_account("Gamma")
    make_visit([org.fin, org.ops], account=acme, visit_on=TODAY - timedelta(days=10))
    make_visit([org.fin], account=acme, visit_on=TODAY - timedelta(days=20))
    make_visit([org.ops], account=beta, visit_on=TODAY - timedelta(days=120))
    make_visit([org.fin, org.ops], account=gamma, status="planned", visit_on=TODAY - timedelta(days=5))
    sign_in(client, org.fin)
    # columns: Finance, Operations, Sales, then joint visits
    assert matrix(client.get("/coverage").get_data(as_text=True)) == {
        "Acme": ["2", "1", "–", "1"], "Beta": ["–", "–", "–", "0"], "Gamma": ["–", "–", "–", "0"]}
    assert matrix(client.get("/coverage?days=180").get_data(as_text=True))["Beta"] == ["–", "1", "–", "0"]
    never = client.get("/coverage?never_joint=1").get_data(as_text=True)
    assert set(matrix(never)) == {"Beta", "Gamma"}
    page = client.get("/coverage").get_data(as_text=True)
    assert "3 accounts" in page and "2 never visited jointly" in page


def test_coverage_read_again_runs_no_matrix_query_and_a_new_visit_shows_at_once(app, client, db, org):
    acme = make_account("Acme")
    make_visit([org.fin, org.ops], account=acme, visit_on=TODAY - timedelta(days=3))
    db.session.commit()
    sign_in(client, org.fin)
    assert matrix(client.get("/coverage").get_data(as_text=True))["Acme"] == ["1", "1", "–", "1"]
    with count_queries(app) as warm:
        client.get("/coverage")
    assert not [q for q in warm if "visit" in q.lower()], "the matrix comes from the cache"
    make_visit([org.fin], account=acme, visit_on=TODAY - timedelta(days=1))
    db.session.commit()
    assert matrix(client.get("/coverage").get_data(as_text=True))["Acme"] == ["2", "1", "–", "1"]


def test_coverage_pages_by_keyset_and_its_query_count_does_not_grow_with_accounts(app, client, db, org):
    names = [f"Account {n:03d}" for n in range(60)]
    for name in names:
        make_visit([org.fin, org.ops], account=make_account(name))
    sign_in(client, org.fin)
    first = client.get("/coverage").get_data(as_text=True)
    assert list(matrix(first)) == names[:50] and "Load more accounts" in first
    last_id = db.session.scalar(select(Account.id).where(Account.name == names[49]))
    more = client.get(f"/coverage?after={last_id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert list(matrix(more)) == names[50:] and "<html" not in more
    with count_queries(app) as small:
        client.get("/coverage?days=180")
    for n in range(40):
        make_visit([org.fin2, org.ops2], account=make_account(f"Extra {n}"))
    with count_queries(app) as large:
        client.get("/coverage?days=180")
    assert len(large) == len(small) <= 12


def test_suggested_pairs_are_people_of_two_functions_who_never_went_together(client, db, org):
    account = make_account("Acme", owner=org.ops2)
    make_visit([org.fin, org.ops], account=account)
    make_visit([org.fin2], account=account)
    sign_in(client, org.fin)
    html = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    pairs = re.search(r'<ul id="suggested-pairs">(.*?)</ul>', html, re.DOTALL).group(1)
    assert "Fay Finance (Finance) and Olga Ops (Operations)" in pairs
    assert "Finn Finance (Finance) and Otto Ops (Operations)" in pairs
    assert "Fay Finance (Finance) and Otto Ops (Operations)" not in pairs  # they went together already
    assert "Fay Finance (Finance) and Finn Finance" not in pairs


def _note(visit, function, body, tags) -> FunctionNote:
    return FunctionNote(visit=visit, function_id=function.id, body=body, last_edited_by_id=visit.planned_by_id,
                        updated_at=visit.created_at, learnings=[Learning(tag=t) for t in tags])


def test_learnings_count_tags_by_function_and_period_with_the_latest_notes(client, db, org):
    old = make_visit([org.fin, org.ops], visit_on=date(2025, 2, 1))
    new = make_visit([org.fin, org.ops], visit_on=date(2025, 11, 1))
    db.session.add_all([
        _note(old, org.finance, "Old terms note", ["payment terms"]),
        _note(new, org.finance, "New terms note", ["payment terms", "pricing"]),
        _note(new, org.operations, "Ops terms note", ["payment terms", "quality"]),
    ])
    sign_in(client, org.fin)
    html = client.get("/learnings").get_data(as_text=True)
    table = re.search(r'<table class="table table-sm" id="learning-counts">(.*?)</table>', html, re.DOTALL).group(1)
    assert re.search(r">payment terms</th><td[^>]*>2</td><td[^>]*>1</td><td[^>]*>3</td>", table)
    assert html.index("New terms note") < html.index("Old terms note")
    quarter = client.get("/learnings?period=2025-Q4").get_data(as_text=True)
    assert re.search(r">payment terms</th><td[^>]*>1</td><td[^>]*>1</td><td[^>]*>2</td>", quarter)
    assert "Old terms note" not in quarter
    assert client.get("/learnings?period=bogus").status_code == 200


def test_csv_exports_for_program_roles_only(client, db, org):
    visit = make_visit([org.fin, org.ops], purpose="=cmd|' /C calc'!A0")
    make_follow_up(visit, org.fin, TODAY - timedelta(days=1), partner=org.ops, description="Pay")
    sign_in(client, org.fin)
    assert client.get("/visits/export.csv").status_code == 403
    sign_in(client, org.manager)
    rows = list(csv.DictReader(io.StringIO(client.get("/visits/export.csv").get_data(as_text=True))))
    assert len(rows) == 1 and rows[0]["joint"] == "True" and rows[0]["functions"] == "Finance; Operations"
    assert rows[0]["purpose"].startswith("'=")
    follow_ups = list(csv.DictReader(io.StringIO(client.get("/follow-ups/export.csv").get_data(as_text=True))))
    assert [(r["description"], r["owner"], r["second_owner"], r["overdue"]) for r in follow_ups] == [
        ("Pay", "Fay Finance", "Otto Ops", "True")]


def test_planned_visits_export_as_icalendar(client, db, org):
    mine = make_visit([org.fin, org.ops], status="planned", visit_on=TODAY + timedelta(days=3), purpose="QBR")
    make_visit([org.fin], status="held")
    make_visit([org.ops2], status="planned", visit_on=TODAY + timedelta(days=4))
    sign_in(client, org.ops)
    response = client.get("/visits/planned.ics")
    assert response.mimetype == "text/calendar"
    events = list(Calendar.from_ical(response.data).walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == [f"Customer visit: {mine.account.name}"]
    assert events[0].decoded("dtstart") == TODAY + timedelta(days=3) and "QBR" in str(events[0]["description"])
    everyone = Calendar.from_ical(client.get("/visits/planned.ics?all=1").data)
    assert len(list(everyone.walk("VEVENT"))) == 2


def test_visit_list_filters_and_pages(client, db, org):
    for n in range(27):
        make_visit([org.fin, org.ops], visit_on=TODAY - timedelta(days=n), purpose=f"Visit {n:02d}")
    make_visit([org.ops2], status="planned", purpose="Someone else's")
    sign_in(client, org.fin)
    first = client.get("/visits?mine=1").get_data(as_text=True)
    assert "Visit 00" in first and "Visit 24" in first and "Visit 25" not in first and "Someone else" not in first
    cursor = re.search(r'href="(/visits\?[^"]*after=[^"]*)"', first).group(1).replace("&amp;", "&")
    more = client.get(cursor, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Visit 25" in more and "Visit 26" in more and "Visit 24" not in more
    planned = client.get("/visits?status=planned", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert planned.startswith('<div id="visit-results">') and "Someone else" in planned and "Visit 00" not in planned


def test_demo_seeds_accounts_a_year_of_visits_and_follow_ups_in_every_state(db):
    seed_people()
    summary = seed_visits()
    assert summary.startswith("60 accounts")
    visits = db.session.scalars(select(Visit)).all()
    joint = [v for v in visits if v.is_joint]
    assert 0 < len(joint) < len(visits)
    assert {v.status for v in visits} == {"planned", "held", "cancelled"}
    assert max(v.visit_on for v in visits if v.status == "held") - min(v.visit_on for v in visits) > timedelta(days=300)
    statuses = set(db.session.scalars(select(FollowUp.status)))
    assert statuses == {s.value for s in FollowUpStatus}
    assert db.session.scalar(select(func.count()).select_from(Visit).where(Visit.confirmed_at.is_not(None))) > 0
    assert all(v.is_joint for v in visits if v.confirmed_at)


def test_visits_pages_carry_no_inline_script_style_or_handlers(client, db, org):
    visit = make_visit([org.fin, org.ops], author=org.fin)
    make_follow_up(visit, org.fin, TODAY)
    sign_in(client, org.manager)
    for path in ["/visits", "/visits/new", f"/visits/{visit.id}", "/accounts", f"/accounts/{visit.account_id}",
                 "/accounts/new", "/accounts/import", "/coverage", "/learnings", "/follow-ups", "/"]:
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), path
        assert " style=" not in html and "<style" not in html and not re.search(r"\son[a-z]+=", html), path

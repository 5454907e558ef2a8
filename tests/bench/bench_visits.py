"""Joint visits: the coverage matrix over 2,000 accounts and 50,000 visits (server ms, SQL queries)."""
from __future__ import annotations

import random
import time
from datetime import date, timedelta

from sqlalchemy import insert, select, text

from programs.visits.models import Account, Visit, VisitAttendee
from tests.bench.harness import Bench, Page, bench_app, bench_pages, session_cookie, time_request
from webapp.extensions import db
from webapp.people.models import Function, User
from webapp.periods import quarter_label

ACCOUNTS = 2_000
VISITS = 50_000
PEOPLE_PER_FUNCTION = 100
FUNCTIONS = ["Finance", "Operations", "Sales", "Customer Success", "Engineering", "People"]
TODAY = date.today()


def seed(rng: random.Random) -> User:
    """Bulk-insert functions, people, accounts, a year of visits and their attendees; returns a viewer."""
    db.session.execute(insert(Function), [{"name": n, "code": f"F{i}", "colour": "#336699", "active": True}
                                          for i, n in enumerate(FUNCTIONS)])
    function_ids = list(db.session.scalars(select(Function.id).order_by(Function.id)))
    db.session.execute(insert(User), [
        {"email": f"p{f}-{n}@bench.example", "name": f"Person {f}-{n}", "function_id": fid, "active": True,
         "session_version": 1, "job_title": ""}
        for f, fid in enumerate(function_ids) for n in range(PEOPLE_PER_FUNCTION)])
    people = db.session.execute(select(User.id, User.function_id)).all()
    db.session.execute(insert(Account), [{"name": f"Account {n:05d}", "segment": "Enterprise", "region": "EMEA"}
                                         for n in range(ACCOUNTS)])
    account_ids = list(db.session.scalars(select(Account.id)))
    visits, attendees = [], []
    for visit_id in range(1, VISITS + 1):
        day = TODAY - timedelta(days=rng.randrange(365))
        party = rng.sample(people, rng.choice((1, 2, 2, 3)))
        joint = len({f for _, f in party}) > 1
        visits.append(
            {
                "id": visit_id,
                "account_id": rng.choice(account_ids),
                "visit_on": day,
                "quarter": quarter_label(day),
                "mode": "on_site",
                "purpose": f"Visit {visit_id}",
                "agenda": "",
                "summary": "",
                "status": "held" if rng.random() < 0.9 else "cancelled",
                "is_joint": joint,
                "internal_only": False,
                "planned_by_id": party[0][0],
                "author_id": party[0][0],
            }
        )
        attendees += [{"visit_id": visit_id, "user_id": uid, "function_id": fid} for uid, fid in party]
    db.session.execute(insert(Visit), visits)
    db.session.execute(insert(VisitAttendee), attendees)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))  # what autovacuum does soon after a bulk load in production
    return db.session.get_one(User, people[0][0])


def run(bench: Bench) -> None:
    app = bench_app(bench.database_url)
    bench.section(f"Visits: coverage at {ACCOUNTS:,} accounts, {VISITS:,} visits "
                  f"(database: {bench.database_url.split('://')[0]})")
    with app.app_context():
        start = time.perf_counter()
        viewer = seed(random.Random(11))
        bench.figure("bulk insert of the bench data (setup, not a product figure)", time.perf_counter() - start, "s")
        cookie = session_cookie(app, viewer)
        second_page_after = db.session.scalar(select(Account.id).order_by(Account.name).offset(49).limit(1))
    client = app.test_client()
    client.set_cookie(*cookie.split("=", 1))
    for label, url, headers in [
        ("coverage matrix, last 90 days (full page)", "/coverage", None),
        ("coverage matrix, last 180 days (full page)", "/coverage?days=180", None),
        ("coverage matrix, never visited jointly", "/coverage?never_joint=1&days=180", None),
        ("coverage matrix, next 50 accounts (htmx)", f"/coverage?after={second_page_after}", {"HX-Request": "true"}),
        ("account page with suggested pairs", "/accounts/1", None),
    ]:
        ms, queries = time_request(app, client, url, headers=headers)
        bench.figure(f"{label}: median server time", ms, "ms")
        bench.figure(f"{label}: SQL queries per request", queries)
    bench_pages(bench, app, f"{ACCOUNTS:,} accounts, {VISITS:,} visits", [Page("coverage", "/coverage", cookie)])

"""The leadership scorecard and the home pages on the full demo organisation (every pillar's demo data)."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.bench.harness import Bench, bench_app, measure, session_cookie, throughput_ratio, time_request
from webapp.cli import DEMO_SEEDERS
from webapp.extensions import db
from webapp.people.models import User


def seed_demo() -> None:
    for _, _, seeder in DEMO_SEEDERS:
        seeder()
    db.session.commit()


def run(bench: Bench) -> None:
    app = bench_app(bench.database_url)
    from webapp.main.periods import Quarter  # after create_app: the packages import each other in its order

    with app.app_context():
        seconds, _ = measure(seed_demo)
        people = db.session.scalar(select(func.count()).select_from(User))
        cookies = {role: session_cookie(app, db.session.scalar(select(User).where(
            User.email == f"{role}@demo.commonground.example"))) for role in ("leader", "hr", "manager", "employee")}
        quarter = Quarter.parse("2026-Q3")  # the demo's last full quarter of history
    bench.section(f"Scorecard and home pages, full demo ({people} people; database: {bench.database_url.split('://')[0]})")
    bench.figure("flask demo (every pillar's seeder)", seconds, "s")
    client = app.test_client()
    for role, cookie in cookies.items():
        client.set_cookie(*cookie.split("=", 1))
        ms, queries = time_request(app, client, "/")
        bench.figure(f"home page of the {role}: median server time", ms, "ms")
        bench.figure(f"home page of the {role}: SQL queries per request", queries)
    client.set_cookie(*cookies["leader"].split("=", 1))
    url = f"/scorecard?quarter={quarter}"
    ms, queries = time_request(app, client, url)
    bench.figure(f"scorecard {quarter}, Finance & Operations: median server time", ms, "ms")
    bench.figure(f"scorecard {quarter}: SQL queries per request", queries)
    ms, queries = time_request(app, client, f"/scorecard.csv?quarter={quarter}")
    bench.figure(f"scorecard CSV {quarter}: median server time", ms, "ms")
    throughput_ratio(bench, bench.database_url, url, cookies["leader"], "scorecard page")

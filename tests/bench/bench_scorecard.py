"""The leadership scorecard and the home pages on the full demo (every pillar's history), grown to 5,000 people.

The demo's 150 people carry the history (rotations, visits, waves, recognition); the people import then
adds generated colleagues in the same six functions until the organisation has 5,000 people.
"""
from __future__ import annotations

from sqlalchemy import func, select

from programs.trust.models import TrustMetric
from tests.bench.bench_people import people_csv
from tests.bench.harness import Bench, Page, bench_app, bench_pages, measure, session_cookie, time_request
from webapp.cli import DEMO_SEEDERS
from webapp.extensions import db
from webapp.people.models import User

PEOPLE = 5_000
ROLES = ("leader", "hr", "manager", "employee", "admin")


def seed_demo() -> None:
    """Every pillar's demo seeder, then generated people up to PEOPLE."""
    from webapp.people.services import apply_pending_import, stage_people_import

    for _, _, seeder in DEMO_SEEDERS:
        seeder()
    db.session.commit()
    extra = PEOPLE - db.session.execute(select(func.count()).select_from(User)).scalar_one()
    pending, _ = stage_people_import(None, "more-people.csv", people_csv(extra))
    apply_pending_import(None, pending)
    db.session.commit()


def run(bench: Bench) -> None:
    app = bench_app(bench.database_url)
    from webapp.periods import Quarter  # after create_app: the packages import each other in its order

    with app.app_context():
        seconds, _ = measure(seed_demo)
        people = db.session.scalar(select(func.count()).select_from(User))
        cookies = {role: session_cookie(app, db.session.scalar(select(User).where(
            User.email == f"{role}@demo.commonground.example"))) for role in ROLES}
        quarter = Quarter.parse("2026-Q3")  # the demo's last full quarter of history
        metric_id = db.session.scalar(select(func.min(TrustMetric.id)))
    bench.section(f"Scorecard and home pages, full demo ({people} people; database: {bench.database_url.split('://')[0]})")
    bench.figure(f"demo seeders plus the import of generated people to {PEOPLE:,}", seconds, "s")
    url = f"/scorecard?quarter={quarter}"
    client = app.test_client()
    client.set_cookie(*cookies["leader"].split("=", 1))
    ms, _ = time_request(app, client, f"/scorecard.csv?quarter={quarter}")
    bench.figure(f"scorecard CSV {quarter}: median server time", ms, "ms")
    bench_pages(bench, app, f"demo history, {people:,} people", [
        *(Page(f"home page of the {role}", "/", cookie) for role, cookie in cookies.items()),
        Page(f"scorecard {quarter}, Finance & Operations", url, cookies["leader"]),
        Page("outcomes page (a metric against trust)", f"/trust/outcomes/{metric_id}", cookies["hr"]),
    ])

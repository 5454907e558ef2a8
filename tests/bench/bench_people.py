"""People: the CSV import of 5,000 rows, and the directory search over 5,000 people."""
from __future__ import annotations

import random

import pandas as pd

from tests.bench.harness import Bench, Page, bench_app, bench_pages, measure, session_cookie, time_request
from webapp.extensions import db
from webapp.people.models import Function, User
from webapp.people.services import apply_pending_import, stage_people_import
from webapp.roles import Role

PEOPLE = 5_000
FUNCTIONS = ["Finance", "Operations", "Sales", "Customer Success", "Engineering", "People"]


def people_csv(count: int, seed: int = 7) -> str:
    """A believable people file: teams of about 12 under managers, managers under function heads."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        function = FUNCTIONS[i % len(FUNCTIONS)]
        head = i < len(FUNCTIONS)
        lead = i % 12 < len(FUNCTIONS) and not head
        manager = "" if head else (f"p{i % len(FUNCTIONS)}@bench.example" if lead else
                                   f"p{(i // 12) * 12 + i % len(FUNCTIONS)}@bench.example")
        rows.append(
            {
                "email": f"p{i}@bench.example",
                "name": f"{rng.choice(['Ada', 'Ben', 'Chen', 'Dana'])} Bench {i}",
                "function": function,
                "team": f"{function} team {i % 40}",
                "manager_email": manager,
                "roles": "manager" if head or lead else "",
                "hired_on": f"20{rng.randint(15, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            }
        )
    return pd.DataFrame(rows).to_csv(index=False)


def run(bench: Bench) -> None:
    app = bench_app(bench.database_url)
    bench.section(f"People at {PEOPLE:,} (database: {bench.database_url.split('://')[0]})")
    content = people_csv(PEOPLE)
    with app.app_context():
        db.session.add_all(Function(name=name, code=name[:3].upper() + str(i), colour="#336699")
                           for i, name in enumerate(FUNCTIONS))
        db.session.commit()

        def do_import():
            pending, _ = stage_people_import(None, "bench.csv", content)
            apply_pending_import(None, pending)
            db.session.commit()

        seconds, peak = measure(do_import)
        bench.figure(f"CSV import of {PEOPLE:,} rows (preview plan + apply)", seconds, "s")
        bench.figure("CSV import peak Python memory", peak, "MiB")
        reimport, _ = measure(do_import)
        bench.figure(f"re-import of the same {PEOPLE:,} rows (all updates)", reimport, "s")
        viewer = db.session.scalar(db.select(User).where(User.email == "p0@bench.example"))
        viewer.set_roles({Role.ADMIN})
        db.session.commit()
        cookie = session_cookie(app, viewer)
    client = app.test_client()
    client.set_cookie(*cookie.split("=", 1))
    for label, url, headers in [
        ("directory, first page", "/people", None),
        ("directory search 'finance' (full page)", "/people?q=finance", None),
        ("directory search 'finance' (htmx fragment)", "/people?q=finance", {"HX-Request": "true"}),
        ("directory search 'bench 42' (two words)", "/people?q=bench+42", {"HX-Request": "true"}),
    ]:
        ms, queries = time_request(app, client, url, headers=headers)
        bench.figure(f"{label}: median server time", ms, "ms")
        bench.figure(f"{label}: SQL queries per request", queries)
    bench_pages(bench, app, f"{PEOPLE:,} people", [
        Page("directory, first page", "/people", cookie),
        Page("directory search 'finance'", "/people?q=finance", cookie),
    ])

"""Recognition: the celebration feed over 100,000 items and 5,000 people, its poll, and its throughput."""
from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, text

from recognition.models import Comment, FeedItem, FeedItemFunction, Kudos, KudosRecipient, Reaction
from recognition.rules import COMPANY_VALUES, REACTIONS
from tests.bench.harness import (
    REPEATS,
    Bench,
    Page,
    bench_app,
    bench_pages,
    count_queries,
    session_cookie,
    time_request,
)
from webapp.extensions import db
from webapp.people.models import Function, User

PEOPLE = 5_000
ITEMS = 100_000
CHUNK = 10_000
FUNCTIONS = ["Finance", "Operations", "Sales", "Customer Success", "Engineering", "People"]
START = datetime(2025, 11, 1, tzinfo=UTC)


def _bulk(model, rows: list[dict]) -> None:
    for first in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[first:first + CHUNK])


def seed(rng: random.Random) -> None:
    """People, kudos and feed items with functions, reactions and comments, by bulk inserts."""
    db.session.add_all(Function(name=name, code=f"F{i}") for i, name in enumerate(FUNCTIONS))
    db.session.flush()
    function_ids = list(db.session.scalars(select(Function.id)))
    now = datetime.now(UTC)
    _bulk(
        User,
        [
            {
                "email": f"p{i}@bench.example",
                "name": f"Person {i}",
                "job_title": "",
                "function_id": function_ids[i % len(function_ids)],
                "hired_on": date(2015, 1, 1) + timedelta(days=rng.randrange(3650)),
                "active": True,
                "session_version": 1,
                "created_at": now,
            }
            for i in range(PEOPLE)
        ],
    )
    people = db.session.execute(select(User.id, User.function_id)).all()
    kudos_rows, recipient_rows, item_rows, function_rows = [], [], [], []
    for n in range(1, ITEMS + 1):
        moment = START + timedelta(minutes=5 * n)
        (giver, giver_fn), (receiver, receiver_fn) = rng.sample(people, 2)
        tag = rng.choice(COMPANY_VALUES)
        is_kudos = n % 5 != 0
        if is_kudos:
            kudos_rows.append({"id": n, "giver_id": giver, "message": "Thanks for the help with the close " * 2,
                               "value_tag": tag, "points_each": 10, "period": f"{moment:%Y-%m}",
                               "quarter": f"{moment.year}-Q{(moment.month - 1) // 3 + 1}",
                               "idempotency_key": f"bench-{n}", "created_at": moment})
            recipient_rows.append({"kudos_id": n, "user_id": receiver, "giver_function_id": giver_fn,
                                   "receiver_function_id": receiver_fn})
        item_rows.append(
            {
                "id": n,
                "kind": "kudos" if is_kudos else "badge",
                "source_key": f"bench:{n}",
                "author_id": giver if is_kudos else None,
                "headline": f"Person {giver} gave kudos to Person {receiver}",
                "body_html": "Thanks for the help with the close, it made our month.",
                "value_tag": tag,
                "cross_functional": giver_fn != receiver_fn,
                "points": 10,
                "kudos_id": n if is_kudos else None,
                "state": "visible",
                "hidden_reason": "",
                "created_at": moment,
            }
        )
        function_rows += [{"item_id": n, "function_id": f} for f in {giver_fn, receiver_fn}]
    _bulk(Kudos, kudos_rows)
    _bulk(KudosRecipient, recipient_rows)
    _bulk(FeedItem, item_rows)
    _bulk(FeedItemFunction, function_rows)
    emoji = list(REACTIONS)
    _bulk(Reaction, [{"item_id": rng.randint(1, ITEMS), "user_id": uid, "emoji": e}
                     for uid, e in {(people[i % PEOPLE][0], emoji[i % len(emoji)]) for i in range(50_000)}])
    _bulk(Comment, [{"item_id": rng.randint(1, ITEMS), "author_id": rng.choice(people)[0], "body": "Well deserved!",
                     "idempotency_key": f"bench-comment-{n}", "created_at": now} for n in range(20_000)])
    _after_bulk_load(Kudos, FeedItem)
    db.session.commit()


def _after_bulk_load(*models) -> None:
    """PostgreSQL: move id sequences past the explicit ids, and refresh planner statistics (as autovacuum would)."""
    if db.session.get_bind().dialect.name == "postgresql":
        for model in models:
            table = model.__tablename__
            db.session.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


def time_poll(app, client, url: str) -> tuple[float, int]:
    """(median ms, SQL queries) of the poll when nothing is new (it must answer 204)."""
    assert client.get(url).status_code == 204, url
    with count_queries(app) as statements:
        client.get(url)
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), len(statements)


def run(bench: Bench) -> None:
    app = bench_app(bench.database_url)
    bench.section(f"Recognition feed at {ITEMS:,} items and {PEOPLE:,} people "
                  f"(database: {bench.database_url.split('://')[0]})")
    with app.app_context():
        started = time.perf_counter()
        seed(random.Random(11))
        bench.figure("bulk set-up of people, kudos, items, reactions, comments", time.perf_counter() - started, "s")
        viewer = db.session.get(User, 1)
        cookie = session_cookie(app, viewer)
    client = app.test_client()
    client.set_cookie(*cookie.split("=", 1))
    with app.app_context():
        newest = db.session.scalar(select(func.max(FeedItem.id)))
    for label, url, headers in [
        ("feed, first page (full page)", "/recognition", None),
        (
            "feed, first page, cross-functional filter (htmx)",
            "/recognition?scope=cross-functional",
            {"HX-Request": "true"},
        ),
        ("feed, a later page (load more at item 50,000, htmx)", "/recognition?before=50000", {"HX-Request": "true"}),
        (
            "feed, a later page, value tag filter (htmx)",
            "/recognition?before=50000&tag=candour",
            {"HX-Request": "true"},
        ),
    ]:
        ms, queries = time_request(app, client, url, headers=headers)
        bench.figure(f"{label}: median server time", ms, "ms")
        bench.figure(f"{label}: SQL queries per request", queries)
    ms, queries = time_poll(app, client, f"/recognition/poll?after={newest}")
    bench.figure("poll when nothing is new (204): median server time", ms, "ms")
    bench.figure("poll when nothing is new: SQL queries", queries)
    bench_pages(bench, app, f"{ITEMS:,} feed items, {PEOPLE:,} people", [
        Page("feed, first page", "/recognition", cookie),
        Page("feed poll, nothing new (204)", f"/recognition/poll?after={newest}", cookie, status=204),
        Page("notification bell", "/notifications/bell", cookie),
    ])

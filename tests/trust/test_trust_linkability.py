"""No stored property links a response to its author, on SQLite and on PostgreSQL.

Named people answer one by one, each in their own committed transaction, as in production.
Each person's answers carry a signature (their recommend score and first statement, and a comment
marker), so the test knows the truth. An attacker who reads the database then ranks the responses
and comments by every signal the storage offers - random ids, the order rows come back in, the
byte offset of each id in SQLite's files (main file and WAL, before and after a checkpoint),
PostgreSQL's ctid and xmin - and links them to the people in the order they answered. No signal
may rank them in the answering order beyond what chance gives, and no response or comment may
share a transaction id with a participation.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from scipy import stats
from sqlalchemy import Date, DateTime, inspect, select, text

from programs.trust.models import (
    AGREE5,
    NPS11,
    TrustAnswer,
    TrustComment,
    TrustParticipation,
    TrustPendingSheet,
    TrustResponse,
)
from programs.trust.services import Answers, close_wave, submit_response
from tests.factories import make_function, make_user
from tests.text import captured
from tests.trust.trust_factories import make_wave, today
from webapp.extensions import db

PEOPLE = 24
MAX_RANK_CORRELATION = 0.85  # |Spearman rho| of a random order of 24 exceeds this with p < 1e-4
MAX_LINKS = 9  # a random matching within each function gets 2 right on average; 10 or more: p < 1e-4


def _signature_answers(wave, person, order: int) -> Answers:
    """Every statement answered; the 0-10 item and the first statement encode the answering order."""
    target = next(s.function_id for s in wave.scopes if s.role == "target" and s.function_id != person.function_id)
    items = list(wave.template.items)
    first_agree = next(item for item in items if item.scale == AGREE5)
    scores = {}
    for item in items:
        if item.scale == NPS11:
            scores[(target, item.id)] = order % 11
        else:
            scores[(target, item.id)] = 1 + order // 11 if item is first_agree else 3
    return Answers(scores=scores, comments={target: f"marker-{order:02d}-{person.name}"})


def _answer_in_order(wave, functions) -> list:
    people = [make_user(function=functions[n % 2], name=f"Person {n:02d}") for n in range(PEOPLE)]
    db.session.commit()
    for order, person in enumerate(people):
        submit_response(person, wave, _signature_answers(wave, person, order), today())
        db.session.commit()  # one transaction per answer, as the pulse view does
    return people


def _author_of_responses(wave) -> dict[str, int]:
    """response id -> the answering order of its author (from the signature)."""
    items = {item.id: item for item in wave.template.items}
    first_agree = next(item.id for item in wave.template.items if item.scale == AGREE5)
    nps, first = {}, {}
    for response_id, item_id, score in db.session.execute(
            select(TrustAnswer.response_id, TrustAnswer.item_id, TrustAnswer.score)):
        if items[item_id].scale == NPS11:
            nps[response_id] = score
        elif item_id == first_agree:
            first[response_id] = score
    return {rid: (first[rid] - 1) * 11 + nps[rid] for rid in nps}


def _author_of_comments() -> dict[str, int]:
    rows = db.session.execute(select(TrustComment.id, TrustComment.body))
    return {cid: int(captured(r"^marker-(\d+)-", body)) for cid, body in rows}


def _sql_signals(table: str) -> dict[str, list[str]]:
    """Orders of a table's ids the database itself offers."""
    signals = {"id order": [r for (r,) in db.session.execute(text(f"SELECT id FROM {table} ORDER BY id"))],
               "storage order": [r for (r,) in db.session.execute(text(f"SELECT id FROM {table}"))]}
    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(text(f"SELECT id, ctid::text, xmin::text FROM {table}")).all()
        signals["ctid"] = [r[0] for r in sorted(rows, key=lambda r: tuple(int(x) for x in r[1].strip("()").split(",")))]
        signals["xmin"] = [r[0] for r in sorted(rows, key=lambda r: (int(r[2]), r[1]))]
    return signals


def _answer_ctid_signal() -> dict[str, list[str]]:
    """PostgreSQL: responses ordered by the first ctid of their answers."""
    if db.engine.dialect.name != "postgresql":
        return {}
    rows = db.session.execute(text("SELECT response_id, ctid::text FROM trust_answer")).all()
    first: dict[str, tuple] = {}
    for rid, ctid in rows:
        first[rid] = min(first.get(rid, (1 << 62, 0)), tuple(int(x) for x in ctid.strip("()").split(",")))
    return {"answer ctid": sorted(first, key=lambda rid: first[rid])}


def _sqlite_file() -> Path:
    database = db.engine.url.database
    assert database, "the SQLite tests run on a file"
    return Path(database)


def _file_signals(ids: list[str]) -> dict[str, list[str]]:
    """SQLite: ids ordered by where their bytes sit in the main file and the WAL, then in the checkpointed file."""
    if db.engine.dialect.name != "sqlite":
        return {}
    path = _sqlite_file()
    signals = {}
    for stage in ("before checkpoint", "after checkpoint"):
        if stage == "after checkpoint":
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        wal = path.with_name(path.name + "-wal")
        raw = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        first = {i: raw.find(i.encode()) for i in ids}
        last = {i: raw.rfind(i.encode()) for i in ids}
        signals[f"first byte offset, {stage}"] = sorted(ids, key=lambda i: first[i])
        signals[f"last byte offset, {stage}"] = sorted(ids, key=lambda i: last[i])
    return signals


def _links(ranked: list[str], author: dict[str, int], function_of: dict[int, int]) -> int:
    """Correct links when the i-th row of each function goes to its i-th answerer (either direction)."""
    best = 0
    for rows in (ranked, ranked[::-1]):
        correct = 0
        for function in set(function_of.values()):
            theirs = [author[r] for r in rows if function_of[author[r]] == function]
            correct += sum(guess == truth for guess, truth in zip(sorted(theirs), theirs, strict=True))
        best = max(best, correct)
    return best


def _assert_no_better_than_chance(signals: dict[str, list[str]], author: dict[str, int], function_of) -> None:
    for name, ranked in signals.items():
        rho = stats.spearmanr(range(len(ranked)), [author[r] for r in ranked]).statistic
        links = _links(ranked, author, function_of)
        assert abs(rho) < MAX_RANK_CORRELATION, f"{name}: rank correlation {rho:.2f} with the answering order"
        assert links <= MAX_LINKS, f"{name}: {links} of {len(ranked)} linked"


def test_no_stored_signal_links_a_response_or_comment_to_who_sent_it(db):
    finance, operations = make_function("Finance", "FIN"), make_function("Operations", "OPS")
    wave = make_wave([finance, operations], opens_on=today() - timedelta(days=2), closes_on=today())
    people = _answer_in_order(wave, (finance, operations))
    function_of = {order: person.function_id for order, person in enumerate(people)}
    _assert_pending_sheets_are_opaque(people)

    close_wave(None, wave, today())
    db.session.commit()

    authors = _author_of_responses(wave)
    assert sorted(authors.values()) == list(range(PEOPLE))
    signals = {**_sql_signals("trust_response"), **_answer_ctid_signal(), **_file_signals(list(authors))}
    _assert_no_better_than_chance(signals, authors, function_of)
    comment_authors = _author_of_comments()
    comment_signals = {**_sql_signals("trust_comment"), **_file_signals(list(comment_authors))}
    _assert_no_better_than_chance(comment_signals, comment_authors, function_of)
    _assert_no_shared_transaction()
    _assert_nothing_answered_carries_a_time()


def _assert_pending_sheets_are_opaque(people) -> None:
    """While the wave is open, no answer or comment is readable in the stored bytes, and all sheets are one size."""
    assert db.session.scalar(select(TrustResponse.id).limit(1)) is None
    sizes = {len(sealed) for (sealed,) in db.session.execute(select(TrustPendingSheet.sealed))}
    assert len(sizes) == 1
    if db.engine.dialect.name == "sqlite":
        path = _sqlite_file()
        wal = path.with_name(path.name + "-wal")
        raw = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert b"marker-" not in raw
    else:
        blobs = b"".join(bytes(s) for (s,) in db.session.execute(select(TrustPendingSheet.sealed)))
        assert b"marker-" not in blobs and not any(p.name.encode() in blobs for p in people)


def _assert_no_shared_transaction() -> None:
    if db.engine.dialect.name != "postgresql":
        return
    def xmins(table: str) -> set[int]:
        return {int(x) for (x,) in db.session.execute(text(f"SELECT xmin::text FROM {table}"))}
    who = xmins("trust_participation")
    assert len(who) == PEOPLE  # each answer was its own transaction
    for table in ("trust_response", "trust_answer", "trust_comment"):
        assert not xmins(table) & who, f"{table} shares a transaction id with a participation"
    assert len(xmins("trust_response")) == 1  # one shuffled batch, written at close


def _assert_nothing_answered_carries_a_time() -> None:
    for model in (TrustResponse, TrustAnswer, TrustComment, TrustPendingSheet):
        timed = [c.name for c in model.__table__.columns if isinstance(c.type, (DateTime, Date))]
        assert timed == [], f"{model.__tablename__} stores a time: {timed}"
    assert {c.name for c in inspect(TrustParticipation).columns} == {"wave_id", "user_id", "function_id"}

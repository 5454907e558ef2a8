"""Trust pulse: all indices of a wave of 5,000 respondents (5 functions, the built-in template's items), of eight such
waves, storing such a wave's views from the database, closing an open wave of 5,000 sealed sheets, and the dashboard
page once the results are stored."""
from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import insert

from programs.trust import analysis, presenting, reporting
from programs.trust.models import (
    TrustAnswer,
    TrustPendingSheet,
    TrustResponse,
    TrustWave,
    TrustWaveFunction,
    TrustWaveResult,
)
from programs.trust.sealing import Sheet, seal
from programs.trust.services import _sealing_key, _sheet_size, close_wave, ensure_builtin_template, store_results
from tests.bench.harness import Bench, Page, bench_app, bench_pages, count_queries, measure, session_cookie
from tests.timeline import TODAY
from webapp.extensions import db
from webapp.people.models import Function, User
from webapp.roles import Role

RESPONDENTS = 5_000
FUNCTIONS = 6  # each respondent rates the 5 functions other than their own
WAVES = 8
TENURES = ["<1y", "1-3y", "3y+"]


def wave_frames(seed: int, item_ids: list[int], dimensions: list[str], reverse: list[bool],
                function_ids: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A synthetic wave: every respondent rates every other function on every item, and the 0-10 item."""
    rng = np.random.default_rng(seed)
    raters = rng.choice(function_ids, RESPONDENTS)
    tenure = rng.choice(TENURES, RESPONDENTS)
    ids = np.array([f"{seed:02d}{i:030x}" for i in range(RESPONDENTS)])
    targets = np.array([[t for t in function_ids if t != r] for r in raters])  # RESPONDENTS x 5
    pairs = pd.DataFrame({"response_id": np.repeat(ids, FUNCTIONS - 1), "rater": np.repeat(raters, FUNCTIONS - 1),
                          "target": targets.ravel(), "tenure": np.repeat(tenure, FUNCTIONS - 1)})
    answers = pairs.loc[pairs.index.repeat(len(item_ids))].reset_index(drop=True)
    answers["item"] = np.tile(item_ids, len(pairs))
    answers["dimension"] = np.tile(dimensions, len(pairs))
    answers["reverse"] = np.tile(reverse, len(pairs))
    answers["score"] = rng.integers(1, 6, len(answers))
    recommend = pairs.assign(score=rng.integers(0, 11, len(pairs)))
    return answers, recommend


def all_indices(answers: pd.DataFrame, recommend: pd.DataFrame) -> dict:
    """Every view's report (pairs, dimensions, targets, overall, eNPS, alpha, asymmetry, suppression)."""
    return reporting.wave_reports(answers, recommend, 5)


def run(bench: Bench) -> None:
    app = bench_app(bench.database_url)
    with app.app_context():
        functions = [Function(name=f"Function {i}", code=f"F{i}", colour="#336699") for i in range(FUNCTIONS)]
        db.session.add_all(functions)
        template = ensure_builtin_template()
        items = [i for i in template.items if i.scale == "agree5"]
        bench.section(f"Trust pulse at {RESPONDENTS:,} respondents x {FUNCTIONS - 1} rated functions x {len(items)} "
                      f"items (database: {bench.database_url.split('://')[0]})")
        hr = User(email="hr@bench.example", name="HR Bench", function=functions[0])
        hr.set_roles({Role.HR})
        db.session.add(hr)
        db.session.commit()
        function_ids = [f.id for f in functions]
        shape = ([i.id for i in items], [i.dimension for i in items], [i.reverse for i in items], function_ids)
        frames = [wave_frames(seed, *shape) for seed in range(WAVES)]
        bench.figure("answer rows per wave", f"{len(frames[0][0]):,}")

        seconds, peak = measure(lambda: all_indices(*frames[0]))
        bench.figure("all indices of one wave (every view, suppressed)", seconds, "s")
        bench.figure("  peak Python memory", peak, "MiB")

        def eight_waves():
            reports = [all_indices(*f) for f in frames]
            names = {fid: f"Function {fid}" for fid in function_ids}
            presenting.trend_frame([(f"2025-Q{n % 4 + 1}", r[""]) for n, r in enumerate(reports)], names)

        seconds, peak = measure(eight_waves)
        bench.figure(f"all indices of {WAVES} waves, and the trends across them", seconds, "s")
        bench.figure("  peak Python memory", peak, "MiB")

        seconds, peak = measure(lambda: analysis.cronbach_alpha(frames[0][0]))
        bench.figure("  of which Cronbach's alpha of one wave", seconds, "s")

        waves = _store_waves(frames, function_ids, template.id)
        last = waves[-1]
        def close_last() -> None:
            store_results(db.session.get_one(TrustWave, last))
            db.session.commit()

        seconds, peak = measure(close_last)
        bench.figure("storing a closed wave's views: read its answers from the database", seconds, "s")
        bench.figure("  peak Python memory", peak, "MiB")

        timed, traced = (_sealed_wave(*frames[-1], function_ids, template) for _ in range(2))

        def close(wave: TrustWave) -> None:
            close_wave(None, wave, TODAY)
            db.session.commit()

        seconds, peak = measure(lambda: close(timed), lambda: close(traced))
        bench.figure(f"closing an open wave: unseal {RESPONDENTS:,} sheets, write them, store every view", seconds, "s")
        bench.figure("  peak Python memory", peak, "MiB")
        cookie = session_cookie(app, hr)
    bench_pages(bench, app, f"{WAVES} stored waves of {RESPONDENTS:,} respondents", [
        Page("trust results (HR)", "/trust", cookie),
        Page("trust results, filtered by tenure (HR)", "/trust?filter=tenure:3y%2B", cookie),
    ])
    client = app.test_client()
    client.set_cookie(*cookie.split("=", 1))
    with count_queries(app) as statements:
        client.get(f"/trust/results/{last}/pairs.csv")
    bench.figure("pairs CSV export: SQL queries", len(statements))


def _sealed_wave(answers: pd.DataFrame, recommend: pd.DataFrame, function_ids: list[int], template) -> TrustWave:
    """An open wave whose audience answered as in the frames: one sealed sheet per respondent, as answering stores."""
    wave = TrustWave(title="Bench open wave", template_id=template.id, opens_on=TODAY - timedelta(days=14),
                     closes_on=TODAY, period="open", min_group=5, min_comment_group=10)
    wave.scopes = [TrustWaveFunction(function_id=f, role=r) for f in function_ids for r in ("audience", "target")]
    db.session.add(wave)
    db.session.flush()
    key, size = _sealing_key(), _sheet_size(wave)
    nps_item = next(item.id for item in template.items if item.scale != "agree5")
    scores: dict[str, dict] = {}
    for rid, target, item, score in zip(answers["response_id"], answers["target"], answers["item"], answers["score"],
                                        strict=True):
        scores.setdefault(rid, {})[(int(target), int(item))] = int(score)
    for rid, target, score in zip(recommend["response_id"], recommend["target"], recommend["score"], strict=True):
        scores[rid][(int(target), nps_item)] = int(score)
    people = answers.drop_duplicates("response_id")
    db.session.execute(insert(TrustPendingSheet), [
        {"id": secrets.token_hex(16), "wave_id": wave.id,
         "sealed": seal(Sheet(int(rater), tenure, scores[rid], {}), key, wave.id, size)}
        for rid, rater, tenure in zip(people["response_id"], people["rater"], people["tenure"], strict=True)])
    db.session.commit()
    return wave


def _store_waves(frames, function_ids: list[int], template_id: int) -> list[int]:
    """Eight closed waves: results stored from the frames; the last one also has its raw answers."""
    ids = []
    for number, (answers, recommend) in enumerate(frames):
        closes = date(2025 + number // 4, 3 * (number % 4) + 1, 15)
        wave = TrustWave(title=f"Bench wave {number}", template_id=template_id, opens_on=closes, closes_on=closes,
                         period=f"{closes.year}-Q{number % 4 + 1}", min_group=5, min_comment_group=10,
                         closed_at=datetime(closes.year, closes.month, closes.day, tzinfo=UTC))
        wave.scopes = [TrustWaveFunction(function_id=f, role=r) for f in function_ids for r in ("audience", "target")]
        db.session.add(wave)
        db.session.flush()
        db.session.add(TrustWaveResult(wave_id=wave.id, min_group=5, computed_at=wave.closed_at,
                                       reports=all_indices(answers, recommend)))
        ids.append(wave.id)
    answers, recommend = frames[-1]
    responses = answers.drop_duplicates("response_id")
    db.session.execute(insert(TrustResponse), [
        {"id": rid, "wave_id": ids[-1], "rater_function_id": int(rater), "tenure": tenure}
        for rid, rater, tenure in zip(responses["response_id"], responses["rater"], responses["tenure"], strict=True)])
    db.session.execute(insert(TrustAnswer), [
        {"response_id": rid, "target_function_id": int(t), "item_id": int(i), "score": int(s)}
        for rid, t, i, s in zip(answers["response_id"], answers["target"], answers["item"], answers["score"],
                                strict=True)])
    db.session.commit()
    return ids

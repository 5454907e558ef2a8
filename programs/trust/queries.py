"""Reads of the trust pulse: waves, templates, answer frames for analysis, metrics and their values."""
from __future__ import annotations

import random
from datetime import date

import pandas as pd
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import joinedload

from programs.trust.models import (
    AUDIENCE,
    NPS11,
    PER_FUNCTION,
    TrustAnswer,
    TrustComment,
    TrustItem,
    TrustMetric,
    TrustMetricValue,
    TrustParticipation,
    TrustResponse,
    TrustTemplate,
    TrustWave,
    TrustWaveAudience,
    TrustWaveFunction,
    TrustWaveResult,
)
from webapp.extensions import db
from webapp.metrics import MetricPoint, OutcomeMetric
from webapp.people.models import Function, User

ANSWER_COLUMNS = ["response_id", "rater", "target", "item", "dimension", "reverse", "score", "tenure"]
RECOMMEND_COLUMNS = ["response_id", "rater", "target", "score", "tenure"]
ANSWER_ROW = ["response_id", "rater", "target", "item", "score", "tenure"]  # a stored answer with its response


def list_templates() -> Select:
    return select(TrustTemplate).order_by(TrustTemplate.builtin.desc(), TrustTemplate.name)


def list_waves() -> Select:
    return select(TrustWave).order_by(TrustWave.opens_on.desc(), TrustWave.id.desc())


def list_closed_waves() -> Select:
    return select(TrustWave).where(TrustWave.closed_at.is_not(None)).order_by(TrustWave.closes_on, TrustWave.id)


def has_answered(wave_id: int, user_id: int) -> bool:
    return db.session.get(TrustParticipation, (wave_id, user_id)) is not None


def wave_has_responses(wave_id: int) -> bool:
    """True once anyone answered the wave (sealed sheets count: they become responses at close)."""
    return bool(db.session.scalar(select(exists().where(TrustParticipation.wave_id == wave_id))))


def template_in_use(template_id: int) -> bool:
    """True when a wave of this template has been answered (its items are then frozen)."""
    answered = select(TrustParticipation.wave_id).join(TrustWave, TrustParticipation.wave_id == TrustWave.id)
    return bool(db.session.scalar(select(exists(answered.where(TrustWave.template_id == template_id)))))


def open_waves_for(user: User, today: date) -> list[TrustWave]:
    """Open waves whose audience includes the user's function and that the user has not answered."""
    if user.function_id is None:
        return []
    answered = select(TrustParticipation.wave_id).where(TrustParticipation.user_id == user.id)
    query = (
        select(TrustWave)
        .join(TrustWaveFunction, TrustWaveFunction.wave_id == TrustWave.id)
        .where(TrustWaveFunction.role == AUDIENCE, TrustWaveFunction.function_id == user.function_id,
               TrustWave.closed_at.is_(None), TrustWave.opens_on <= today, TrustWave.closes_on >= today,
               TrustWave.id.not_in(answered))
        .options(joinedload(TrustWave.template).selectinload(TrustTemplate.items))  # the home tile's estimate
        .order_by(TrustWave.closes_on)
    )
    return list(db.session.scalars(query))


def wave_frames(wave_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(answers, recommend) frames of a wave for analysis.py: agreement items and the 0-10 item apart."""
    answers_query = (
        select(TrustAnswer.response_id, TrustResponse.rater_function_id, TrustAnswer.target_function_id,
               TrustAnswer.item_id, TrustAnswer.score, TrustResponse.tenure)
        .join(TrustResponse, TrustAnswer.response_id == TrustResponse.id)
        .where(TrustResponse.wave_id == wave_id)
    )
    return answer_frames(_plain_rows(answers_query))


def answer_frames(rows: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The analysis frames of answer rows (response_id, rater, target, item, score, tenure), each item's
    dimension, direction and scale joined in pandas from the few items (a wave of 5,000 has 150,000 rows)."""
    frame = pd.DataFrame(rows, columns=ANSWER_ROW)
    items = pd.DataFrame(_plain_rows(select(TrustItem.id, TrustItem.dimension, TrustItem.reverse, TrustItem.scale)),
                         columns=["item", "dimension", "reverse", "scale"])
    frame = frame.merge(items, on="item", how="left", sort=False)
    is_recommend = frame["scale"] == NPS11
    answers = frame.loc[~is_recommend, ANSWER_COLUMNS].reset_index(drop=True)
    recommend = frame.loc[is_recommend, RECOMMEND_COLUMNS].reset_index(drop=True)
    return answers, recommend


def _plain_rows(query: Select) -> list[tuple]:
    """The rows of a column query as plain tuples (pandas probes each SQLAlchemy row for attributes, slowly)."""
    return [tuple(row) for row in db.session.connection().execute(query).fetchall()]


def response_rates(wave: TrustWave) -> list[dict]:
    """Per audience function: active people, how many answered, and the rate.

    1..k-1 answers are shown as "fewer than k" with no rate: an exact small count would tell a
    reader how few people a figure (or a later difference of figures) describes.
    """
    audience = wave.function_ids(AUDIENCE)
    headcount = audience_headcount(wave)
    answered = dict(db.session.execute(
        select(TrustParticipation.function_id, func.count()).where(TrustParticipation.wave_id == wave.id)
        .group_by(TrustParticipation.function_id)
    ).all())
    names = function_names()
    return [_rate_row(names[fid], headcount.get(fid, 0), answered.get(fid, 0), wave.min_group)
            for fid in sorted(audience, key=lambda f: names[f])]


def live_headcount(function_ids: set[int]) -> dict[int, int]:
    """Active people per function, now."""
    counts = db.session.execute(
        select(User.function_id, func.count()).where(User.active.is_(True), User.function_id.in_(function_ids))
        .group_by(User.function_id))
    return {function_id: n for function_id, n in counts if function_id is not None}


def audience_headcount(wave: TrustWave) -> dict[int, int]:
    """People per audience function: as recorded when the wave closed, or (open wave) as it is now."""
    recorded = dict(db.session.execute(
        select(TrustWaveAudience.function_id, TrustWaveAudience.people).where(TrustWaveAudience.wave_id == wave.id)
    ).all())
    return recorded if wave.closed_at is not None and recorded else live_headcount(wave.function_ids(AUDIENCE))


def _rate_row(function: str, people: int, answered: int, k: int) -> dict:
    if 0 < answered < k:
        return {"function": function, "people": people, "answered": f"fewer than {k}", "rate": None}
    return {"function": function, "people": people, "answered": answered,
            "rate": answered / people if people else None}


def function_names() -> dict[int, str]:
    return dict(db.session.execute(select(Function.id, Function.name)).all())


def function_lookup() -> dict[str, int]:
    """Lower-case function names and codes to ids (for imports)."""
    lookup: dict[str, int] = {}
    for fid, name, code in db.session.execute(select(Function.id, Function.name, Function.code)):
        lookup[name.lower()] = fid
        lookup[code.lower()] = fid
    return lookup


def comments_by_cell(wave_id: int) -> dict[tuple[int, int], list[str]]:
    """A wave's comments per (rater, target), each list in a fresh random order (never the order of answering)."""
    rows = db.session.execute(
        select(TrustComment.rater_function_id, TrustComment.target_function_id, TrustComment.body)
        .where(TrustComment.wave_id == wave_id)
    ).all()
    cells: dict[tuple[int, int], list[str]] = {}
    for rater, target, body in rows:
        cells.setdefault((rater, target), []).append(body)
    for bodies in cells.values():
        random.SystemRandom().shuffle(bodies)
    return cells


def closed_wave_reports(filter_key: str = "") -> list[tuple[TrustWave, dict]]:
    """Every closed wave in time order with its stored report (everyone, or one filter)."""
    waves = list(db.session.scalars(list_closed_waves()))
    results = stored_results([w.id for w in waves])
    return [(w, results[w.id].reports[filter_key]) for w in waves if w.id in results]


def index_series(reports: list[tuple[TrustWave, dict]], kind: str, key: tuple = ()) -> pd.DataFrame:
    """quarter, index from stored reports: kind "overall", "cell" (key rater, target) or "target" (key target).

    Hidden figures are left out; waves closing in the same quarter are averaged.
    """
    rows = []
    for wave, report in reports:
        figure = _figure(report, kind, key)
        if figure is not None and not figure["hidden"]:
            rows.append({"quarter": wave.period, "index": figure["index"]})
    frame = pd.DataFrame(rows, columns=["quarter", "index"])
    return frame.groupby("quarter")["index"].mean().reset_index()


def _figure(report: dict, kind: str, key: tuple[int, ...]) -> dict | None:
    if kind == "overall":
        return report["overall"]
    if kind == "cell":
        return next((c for c in report["cells"] if (c["rater"], c["target"]) == key), None)
    return next((t for t in report["targets"] if t["target"] == key[0]), None)


def stored_results(wave_ids: list[int]) -> dict[int, TrustWaveResult]:
    rows = db.session.scalars(select(TrustWaveResult).where(TrustWaveResult.wave_id.in_(wave_ids)))
    return {row.wave_id: row for row in rows}


def list_metrics() -> Select:
    return select(TrustMetric).order_by(TrustMetric.name)


def metric_values(metric_id: int) -> pd.DataFrame:
    """period, function (id or None), value of one metric, in period order."""
    rows = db.session.execute(
        select(TrustMetricValue.period, TrustMetricValue.function_id, TrustMetricValue.value)
        .where(TrustMetricValue.metric_id == metric_id)
        .order_by(TrustMetricValue.period, TrustMetricValue.function_key)
    ).all()
    return pd.DataFrame(rows, columns=["period", "function", "value"])


class OutcomeSource:
    """The trust pulse's business outcomes as webapp.metrics reads them (registered at start-up)."""

    def metrics(self) -> list[OutcomeMetric]:
        return [
            OutcomeMetric(
                id=metric.id,
                name=metric.name,
                unit=metric.unit,
                higher_is_better=metric.higher_is_better,
                frequency=metric.frequency,
                per_function=metric.scope == PER_FUNCTION,
            )
            for metric in db.session.scalars(list_metrics())
        ]

    def points(self, metric_id: int) -> list[MetricPoint]:
        rows = db.session.execute(
            select(TrustMetricValue.period, TrustMetricValue.function_id, TrustMetricValue.value)
            .where(TrustMetricValue.metric_id == metric_id)
            .order_by(TrustMetricValue.period, TrustMetricValue.function_key))
        return [MetricPoint(period, function_id, value) for period, function_id, value in rows]

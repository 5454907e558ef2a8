"""Demo data: eight quarterly pulse waves and 27 months of monthly outcomes (deterministic, seeded).

The story: Finance and Operations rated each other poorly until rotations and joint customer
visits began in the third quarter of 2025; from then on both directions climb, Finance a little
ahead of Operations. Other pairs hover in the low sixties. On-time delivery and the cash
conversion cycle improve a quarter behind. The People function answers rarely, so its cells
show as "fewer than k responses".
"""
from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select

from programs.trust.models import (
    AGREE5,
    AUDIENCE,
    MONTHLY,
    ORGANISATION,
    PER_FUNCTION,
    TARGET,
    TrustAnswer,
    TrustComment,
    TrustMetric,
    TrustMetricValue,
    TrustParticipation,
    TrustResponse,
    TrustWave,
    TrustWaveFunction,
)
from programs.trust.services import (
    ensure_builtin_template,
    store_results,
    tenure_band,
)
from webapp import signals
from webapp.extensions import db
from webapp.people.demo import DEMO_ANCHOR
from webapp.people.models import Function, User
from webapp.periods import quarter_label

SEED = 20261106
WAVES = 8
OUTCOME_MONTHS = 27  # from the quarter before the first wave, so each wave's quarter has all its months
JOINT_WORK_FROM = 4  # the wave index at which rotations and joint visits had begun
PARTICIPATION = {"HR": 0.35}  # by function code; others answer at about 80%
COMMENTS = {
    "low": [
        "We hear about changes after they have happened.",
        "Requests arrive at month end with no notice.",
        "It often feels like they are checking up on us rather than helping.",
        "Their numbers and ours never seem to agree.",
    ],
    "high": [
        "The rotation helped: we now know who to call.",
        "Joint customer visits changed how they talk to us.",
        "They explain the why behind their deadlines now.",
        "Problems get solved in one meeting instead of five emails.",
    ],
}


def seed_trust() -> str:
    """Waves with anonymous responses, and monthly business outcomes."""
    rng = random.Random(SEED)
    template = ensure_builtin_template()
    functions = list(db.session.scalars(select(Function).order_by(Function.name)))
    people = list(db.session.scalars(
        select(User).where(User.active.is_(True), User.function_id.is_not(None)).order_by(User.id)))
    answers = 0
    for number in range(WAVES):
        answers += _seed_wave(rng, template, functions, people, number)
    metrics = _seed_outcomes(rng, functions)
    _seed_open_wave(template, functions)
    return (f"{WAVES} closed quarterly waves ({answers:,} answers) and one open, "
            f"{metrics} outcome metrics over {OUTCOME_MONTHS} months")


def _seed_open_wave(template, functions: list[Function]) -> None:
    """The current quarter's wave, open from the demo anchor for six weeks, not yet answered."""
    closes = DEMO_ANCHOR + timedelta(days=45)
    wave = TrustWave(title=f"Trust pulse {quarter_label(closes)}", template=template, opens_on=DEMO_ANCHOR,
                     closes_on=closes, period=quarter_label(closes), min_group=5, min_comment_group=10)
    wave.scopes = [TrustWaveFunction(function_id=f.id, role=role) for f in functions for role in (AUDIENCE, TARGET)]
    db.session.add(wave)


def _wave_dates(number: int) -> tuple[date, date]:
    """Wave 0 in the quarter before the last of 2024, one a quarter, each open for two weeks."""
    quarter_start = date(2024, 10, 1)
    month = quarter_start.month - 1 + 3 * number + 2
    opens = date(quarter_start.year + month // 12, month % 12 + 1, 1)
    return opens, opens + timedelta(days=14)


def _pair_level(rater: Function, target: Function, number: int) -> float:
    """The believable index (0-100) a rater function gives a target in wave number."""
    finance_ops = {rater.code, target.code} == {"FIN", "OPS"}
    if finance_ops:
        lift = max(0, number - JOINT_WORK_FROM + 1) * 6.5
        return 44 + lift + (5 if rater.code == "FIN" else -5)
    return 61 + sum(map(ord, rater.code + target.code)) % 7 + number * 0.4


def _seed_wave(rng: random.Random, template, functions: list[Function], people: list[User], number: int) -> int:
    opens, closes = _wave_dates(number)
    wave = TrustWave(title=f"Trust pulse {quarter_label(closes)}", template=template, opens_on=opens, closes_on=closes,
                     period=quarter_label(closes), min_group=5, min_comment_group=10,
                     closed_at=datetime.combine(closes, time(18), tzinfo=UTC))
    wave.scopes = [TrustWaveFunction(function_id=f.id, role=role) for f in functions for role in (AUDIENCE, TARGET)]
    db.session.add(wave)
    db.session.flush()
    items = template.items
    participations, responses, answer_rows, comments = [], [], [], []
    for person in people:
        if person.function is None or rng.random() > PARTICIPATION.get(person.function.code, 0.8) or (
                person.hired_on and person.hired_on > opens):
            continue
        response_id = secrets.token_hex(16)
        participations.append({"wave_id": wave.id, "user_id": person.id, "function_id": person.function_id})
        responses.append({"id": response_id, "wave_id": wave.id, "rater_function_id": person.function_id,
                          "tenure": tenure_band(person.hired_on, opens)})
        for target in functions:
            if target.id == person.function_id:
                continue
            level = 1 + _pair_level(person.function, target, number) / 25 + rng.gauss(0, 0.7)
            answer_rows += [{"response_id": response_id, "target_function_id": target.id, "item_id": item.id,
                             "score": _score(rng, level, item)} for item in items]
            if rng.random() < 0.25:
                mood = "high" if level >= 3.6 else "low"
                comments.append(
                    {
                        "id": secrets.token_hex(16),
                        "wave_id": wave.id,
                        "rater_function_id": person.function_id,
                        "target_function_id": target.id,
                        "body": rng.choice(COMMENTS[mood]),
                    }
                )
    rng.shuffle(responses)
    for model, rows in ((TrustParticipation, participations), (TrustResponse, responses),
                        (TrustAnswer, answer_rows), (TrustComment, comments)):
        if rows:
            db.session.execute(insert(model), rows)
    store_results(wave)
    signals.wave_closed.send("trust", wave_id=wave.id, closes_on=wave.closes_on)
    return len(answer_rows)


def _score(rng: random.Random, level: float, item) -> int:
    if item.scale != AGREE5:
        return max(0, min(10, round((level - 1) * 2.5 + rng.gauss(0, 1.4))))
    score = max(1, min(5, round(level + rng.gauss(0, 0.4))))
    return 6 - score if item.reverse else score


def _months() -> list[str]:
    """OUTCOME_MONTHS months up to the month before the demo anchor: every wave's quarter complete."""
    months = []
    year, month = DEMO_ANCHOR.year, DEMO_ANCHOR.month
    for _ in range(OUTCOME_MONTHS):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        months.append(f"{year}-{month:02d}")
    return months[::-1]


def _seed_outcomes(rng: random.Random, functions: list[Function]) -> int:
    """On-time delivery and cash conversion cycle (organisation), rework rate per function."""
    months = _months()
    joint_from = "2025-10"  # a quarter after joint work began, outcomes start to move
    metrics = [
        (TrustMetric(name="On-time delivery", unit="%", higher_is_better=True, frequency=MONTHLY, scope=ORGANISATION),
         lambda i, m, f: 86 + (0.45 * (i - months.index(joint_from)) if m >= joint_from else 0) + rng.gauss(0, 0.9)),
        (TrustMetric(name="Cash conversion cycle", unit="days", higher_is_better=False, frequency=MONTHLY,
                     scope=ORGANISATION),
         lambda i, m, f: 64 - (0.6 * (i - months.index(joint_from)) if m >= joint_from else 0) + rng.gauss(0, 1.5)),
        (TrustMetric(name="Rework rate", unit="%", higher_is_better=False, frequency=MONTHLY, scope=PER_FUNCTION),
         lambda i, m, f: (7.5 if f.code in ("FIN", "OPS") else 5.5)
         - (0.12 * (i - months.index(joint_from)) if m >= joint_from and f.code in ("FIN", "OPS") else 0)
         + rng.gauss(0, 0.4)),
    ]
    for metric, value in metrics:
        db.session.add(metric)
        db.session.flush()
        targets = functions if metric.scope == PER_FUNCTION else [None]
        rows = [{"metric_id": metric.id, "period": month, "function_id": f.id if f else None,
                 "function_key": f.id if f else 0, "value": round(value(i, month, f), 2)}
                for i, month in enumerate(months) for f in targets]
        db.session.execute(insert(TrustMetricValue), rows)
    return len(metrics)

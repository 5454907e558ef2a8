"""Factories for trust pulse tests: waves of the built-in template, and people who answer them."""
from __future__ import annotations

from datetime import date, timedelta

from programs.trust.models import AGREE5, TrustMetric, TrustMetricValue, TrustWave
from programs.trust.services import (
    Answers,
    WaveData,
    close_wave,
    create_wave,
    ensure_builtin_template,
    save_metric,
    submit_response,
)
from tests.factories import make_user
from webapp import clock
from webapp.extensions import db
from webapp.people.models import Function, User
from webapp.roles import Role


def today() -> date:
    return clock.today()


def make_wave(functions: list[Function], actor: User | None = None, title: str = "Pulse", **dates) -> TrustWave:
    """An open wave of the built-in template: every function answers and is rated."""
    template = ensure_builtin_template()
    data = WaveData(title=title, template_id=template.id, opens_on=dates.get("opens_on", today() - timedelta(days=1)),
                    closes_on=dates.get("closes_on", today() + timedelta(days=13)),
                    audience_ids={f.id for f in functions}, allow_overlap=True)  # tests make several a quarter
    return create_wave(actor or make_user(Role.HR, function=functions[0]), data)


def full_answers(wave: TrustWave, rater: User, score: int = 4, recommend: int | None = 8,
                 comment: str = "") -> Answers:
    """Every statement about every target answered at score as meant (reverse items get 6 - score),
    and the 0-10 item with recommend."""
    targets = [s.function_id for s in wave.scopes if s.role == "target" and s.function_id != rater.function_id]
    scores = {}
    for target in targets:
        for item in wave.template.items:
            if item.scale == AGREE5:
                scores[(target, item.id)] = 6 - score if item.reverse else score
            elif recommend is not None:
                scores[(target, item.id)] = recommend
    return Answers(scores=scores, comments={t: comment for t in targets} if comment else {})


def answer(wave: TrustWave, function: Function, count: int, score: int = 4, comment: str = "", **person) -> list[User]:
    """count new people of function answer the wave with the same scores."""
    people = []
    for _ in range(count):
        person_ = make_user(function=function, **person)
        submit_response(person_, wave, full_answers(wave, person_, score, comment=comment), today())
        people.append(person_)
    db.session.flush()
    return people


def quarter_middle(quarters_ago: int) -> date:
    """The 20th of the middle month of the quarter quarters_ago before today's."""
    month = today().year * 12 + (today().month - 1) // 3 * 3 + 1 - 3 * quarters_ago
    return today().replace(year=month // 12, month=month % 12 + 1, day=20)


def quarterly_history(functions: list[Function], rater: Function, hr: User, scores: list[int]) -> TrustMetric:
    """One closed wave a quarter up to last quarter, 6 people of rater answering each at the given score,
    and a quarterly "Cash conversion cycle" (days, lower is better) that shortens as their index rises."""
    cycle = save_metric(hr, None, "Cash conversion cycle", "days", False, "quarterly", "organisation")
    for ago, score in zip(range(len(scores), 0, -1), scores, strict=True):
        wave = make_wave(functions, actor=hr, title=f"Pulse {ago}")
        answer(wave, rater, 6, score=score)
        wave.closes_on = quarter_middle(ago)
        wave.opens_on = wave.closes_on - timedelta(days=14)
        close_wave(hr, wave, today())
        db.session.add(TrustMetricValue(metric_id=cycle.id, period=wave.period, function_key=0,
                                        value=100 - 0.2 * (score - 1) * 25 + 0.01 * (ago % 2)))
    db.session.flush()
    return cycle

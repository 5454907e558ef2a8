"""Demo: a year of monthly business reviews between Finance and Operations, with set-up, targets and alerts.

Runs after the trust pulse's demo (which seeds the outcome metrics and their values) and reads them only
through webapp.metrics. Like the rest of the demo it is dated from the demo anchor, not from today, so it shows
the same year whenever it is seeded: eleven months signed on their meeting day, and the latest month a draft
whose meeting falls a week after the anchor.
"""
from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from programs.business_review import queries, services
from programs.business_review.models import (
    ACTION,
    CUSTOMER,
    DECISION,
    EXPLANATION,
    FINANCIAL,
    NEED,
    OPERATIONAL,
    AgendaAlert,
    MetricTarget,
    MonthlyReview,
    ReviewSignoff,
)
from programs.business_review.status import AMBER, crossing, trend
from webapp.extensions import db
from webapp.forms import new_key
from webapp.metrics import outcome_metrics
from webapp.people.demo import DEMO_ANCHOR
from webapp.people.models import Function, User
from webapp.roles import Role

MONTHS = 12
MEETING_DAY = 8  # the review of a month meets on the 8th of the next month
# metric name -> (perspective, owner code, amber, red, first target, last target)
SETUP = {
    "On-time delivery": (CUSTOMER, "OPS", 88.0, 85.0, 88.0, 93.0),
    "Cash conversion cycle": (FINANCIAL, "FIN", 62.0, 66.0, 61.0, 54.0),
    "Rework rate": (OPERATIONAL, "OPS", 7.6, 8.2, 7.2, 6.0),
}
EXPLANATIONS = ["Two carriers missed their slots after the warehouse move; the booking check now runs daily.",
                "Month-end invoices went out late because the approval queue had no cover during leave.",
                "A data feed from the planning tool was stale for a week, so the plan ran on old demand."]
NEEDS = ["Share the weekly forecast with us by Tuesday so we can staff the dock.",
         "Tell us two days earlier when a large order will be invoiced.",
         "Join the planning call once a month so the numbers match before month end."]
DECISIONS = ["Keep the joint Tuesday forecast call for another quarter.",
             "Fund a second dock shift in the peak weeks; review in the next meeting.",
             "Move the invoice cut-off to the 25th."]
ACTIONS = ["Publish the weekly forecast in the shared folder.", "Draft the new cut-off calendar.",
           "Check the planning feed every Monday."]


def seed_business_reviews() -> str:
    rng = random.Random(16)
    functions = {f.code: f for f in db.session.scalars(select(Function))}
    fin, ops = functions.get("FIN"), functions.get("OPS")
    if fin is None or ops is None:
        return "no Finance and Operations: nothing seeded"
    leaders = _leaders(fin, ops)
    admin = leaders[fin.id]
    months = _review_months()
    metrics = [metric for metric in outcome_metrics() if metric.name in SETUP]
    for metric in metrics:
        perspective, owner_code, amber, red, first, last = SETUP[metric.name]
        owner = functions[owner_code]
        services.set_up_metric(admin, metric.id, perspective, owner.id, (ops if owner is fin else fin).id, amber, red)
        _seed_targets(metric, first, last, months)
    alerts = sum(_seed_alerts(metric) for metric in metrics)
    people = {f.id: queries.members_of((f.id,)) for f in (fin, ops)}
    signed = 0
    for index, month in enumerate(months):
        signed += _seed_review(rng, fin, ops, leaders, people, month, draft=index == len(months) - 1, index=index)
    db.session.flush()
    return f"{len(metrics)} metrics on the scorecard, {signed} signed reviews and a draft, {alerts} threshold alerts"


def _leaders(fin: Function, ops: Function) -> dict[int, User]:
    """The demo's Finance leader, and the head of Operations who leads the Operations side of the review."""
    found = {}
    for function in (fin, ops):
        people = queries.members_of((function.id,))
        leader = next((p for p in people if p.has_role(Role.LEADER)), None) or next(
            p for p in people if p.job_title.startswith("Head of"))
        leader.set_roles(leader.roles | {Role.LEADER})
        found[function.id] = leader
    db.session.flush()
    return found


def _review_months() -> list[str]:
    """The MONTHS complete months before the demo anchor (the months the trust demo has values for), oldest first."""
    months, day = [], DEMO_ANCHOR.replace(day=1)
    for _ in range(MONTHS):
        day = (day - timedelta(days=1)).replace(day=1)
        months.append(day.strftime("%Y-%m"))
    return months[::-1]


def _seed_targets(metric, first: float, last: float, months: list[str]) -> None:
    step = (last - first) / max(len(months) - 1, 1)
    db.session.add_all(MetricTarget(metric_id=metric.id, period=month, value=round(first + step * i, 1))
                       for i, month in enumerate(months))


def _seed_alerts(metric) -> int:
    """Replay the year's values: each crossing into amber or red went onto that month's review."""
    setup = queries.setup_of(metric.id)
    assert setup is not None  # the seeder set every scorecard metric up before replaying its values
    values = sorted(queries.pair_value_points(metric, setup.owner_function_id).items())
    pair = queries.ordered((setup.owner_function_id, setup.partner_function_id))
    first_month = _review_months()[0]
    count, previous, history = 0, None, []
    for period, value in values:
        history.append(value)
        status = crossing(previous, value, metric.higher_is_better, setup.amber_threshold, setup.red_threshold)
        previous = value
        if status is None or period < first_month:
            continue
        recorded = datetime.combine(queries.period_end(period) + timedelta(days=2), time(9), tzinfo=UTC)
        db.session.add(
            AgendaAlert(
                metric_id=metric.id,
                first_function_id=pair[0],
                second_function_id=pair[1],
                review_month=period,
                period=period,
                value=value,
                status=status,
                recorded_at=recorded,
                trend=trend(history, metric.higher_is_better) or "",
                threshold=setup.amber_threshold if status == AMBER else setup.red_threshold,
            )
        )
        count += 1
    return count


def _seed_review(rng: random.Random, fin: Function, ops: Function, leaders: dict[int, User],
                 people: dict[int, list[User]], month: str, draft: bool, index: int) -> int:
    first_day = queries.parse_month(month)
    assert first_day is not None  # months come from _review_months
    meeting = queries.month_after(first_day).replace(day=MEETING_DAY)
    review = services.open_review(leaders[fin.id], (fin.id, ops.id), month, meeting, new_key())
    for line in queries.metric_lines(review.pair, month):
        if line.needs_notes:
            _seed_notes(rng, review, line, people)
    if index % 4 != 2:  # some meetings record no decision, and say so
        owner = rng.choice(people[fin.id] + people[ops.id])
        services.add_item(leaders[fin.id], review, DECISION, rng.choice(DECISIONS), owner.id, None, new_key())
        services.add_item(leaders[ops.id], review, ACTION, rng.choice(ACTIONS), rng.choice(people[ops.id]).id,
                          meeting + timedelta(days=21), new_key())
    if draft:
        return 0
    signed_at = datetime.combine(meeting, time(15), tzinfo=UTC)
    db.session.add_all(ReviewSignoff(review_id=review.id, function_id=f.id, user_id=leaders[f.id].id,
                                     signed_at=signed_at + timedelta(minutes=10 * n)) for n, f in enumerate((fin, ops)))
    db.session.flush()
    db.session.refresh(review)
    services.freeze(review, signed_at + timedelta(minutes=10))
    return 1


def _seed_notes(rng: random.Random, review: MonthlyReview, line, people: dict[int, list[User]]) -> None:
    owner = rng.choice(people[line.owner_function_id])
    partner = rng.choice(people[line.partner_function_id])
    services.save_note(owner, review, line.metric_id, EXPLANATION, rng.choice(EXPLANATIONS))
    services.save_note(partner, review, line.metric_id, NEED, rng.choice(NEEDS), agrees=rng.random() > 0.3)




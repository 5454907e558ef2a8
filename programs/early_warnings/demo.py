"""Demo history: a year of early warnings between Finance and Operations (raised, acknowledged, discussed, closed
with what happened), a few still open or in draft, and each closed month reconciled with the numbers."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from programs.early_warnings import rules, services
from programs.early_warnings.models import Outcome
from webapp import clock, metrics
from webapp.extensions import db
from webapp.people.demo import DEMO_ANCHOR, DEMO_DOMAIN
from webapp.people.models import Function, User
from webapp.periods import month_label
from webapp.roles import Role

SEED = 20261215
HISTORY = 36  # warnings in the year before the demo anchor
STORIES = [
    ("cost", "Freight rates up 15% from next month", "Our two carriers announced a fuel surcharge.",
     "Revisit the freight line of the forecast.", "Rework rate"),
    ("demand", "Order volume from retail customers is softening", "Three large retail accounts cut their orders.",
     "Hold the capacity investment until the trend is clear.", "On-time delivery"),
    ("supplier", "Packaging supplier at risk of insolvency", "Payment delays and a credit downgrade this week.",
     "Approve a second supplier at a higher unit cost.", "On-time delivery"),
    ("customer", "Key account unhappy with delivery windows", "Complaints doubled since the route change.",
     "Agree on a credit note policy before the renewal.", "On-time delivery"),
    ("competition", "A competitor is cutting prices in the north region", "Two tenders lost on price in a month.",
     "Model a price response together.", None),
    ("cost", "Overtime will exceed budget during the peak", "Sick leave and the new client launch overlap.",
     "Release the contingency for temporary staff.", "Rework rate"),
    ("other", "New customs rules add a day to exports", "The rules start next quarter.",
     "Check the cash impact of longer transit times.", "Cash conversion cycle"),
]
COMMENTS = ["Thanks for flagging this early. Can you share the supplier's letter?",
            "Attached the numbers; the range depends on how long it lasts.",
            "We will look at it in the forecast meeting on Monday."]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _people(code: str) -> tuple[list[User], list[User]]:
    """(everyone, managers and leaders) of the function with this code."""
    function = db.session.scalar(select(Function).where(Function.code == code))
    people = list(db.session.scalars(select(User).where(User.function_id == function.id, User.active.is_(True))
                                    .order_by(User.id))) if function else []
    return people, [p for p in people if p.has_role(Role.MANAGER, Role.LEADER)]


def seed_warnings() -> str:
    """Create the warnings (needs the demo people, and the trust pulse's outcome metrics for the reconciliation)."""
    rng = random.Random(SEED)
    fin, ops = _people("FIN"), _people("OPS")
    if not (fin[1] and ops[1]):
        return "skipped (no Finance and Operations managers)"
    metric_ids = {m.name: m.id for m in metrics.outcome_metrics()}
    closed = sum(_history(rng, n, fin, ops, metric_ids) for n in range(HISTORY))
    _recent(rng, fin, ops, metric_ids)
    periods = _reconcile_past_months()
    return f"{HISTORY + 4} warnings ({closed} closed), {periods} months reconciled"


def _history(rng: random.Random, n: int, fin, ops, metric_ids: dict[str, int]) -> int:
    """Warning n of the year: mostly Operations to Finance; acknowledged, discussed, closed when its month passed."""
    sender, receiver = (ops, fin) if rng.random() < 0.75 else (fin, ops)
    raised_on = DEMO_ANCHOR - timedelta(days=365 - n * 9 - rng.randrange(0, 5))
    hits = (raised_on + timedelta(days=rng.choice((10, 25, 40, 60)))).replace(day=1)
    warning = _raise(rng, n, sender, receiver, metric_ids, raised_on, month_label(hits))
    responder = rng.choice(receiver[1])
    services.acknowledge(responder, warning, "Review it together in the next forecast meeting.",
                         _at(raised_on + timedelta(days=rng.choice((0, 1, 1, 2, 4))), 15))
    if rng.random() < 0.5:
        services.add_comment(responder, warning, rng.choice(COMMENTS), _at(raised_on + timedelta(days=5)), None)
    period_end = rules.stored_period(warning.period).end
    if period_end >= DEMO_ANCHOR:
        return 0
    outcome = rng.choice([o.value for o in Outcome] + [Outcome.MATERIALISED.value])
    actual = _actual(rng, warning, outcome)
    services.close_warning(rng.choice(receiver[1]), warning, outcome, actual,
                           "Closed at the month-end review.", _at(period_end + timedelta(days=rng.randrange(3, 12))))
    return 1


def _actual(rng: random.Random, warning, outcome: str) -> float:
    low, high = warning.impact_low, warning.impact_high
    return {Outcome.AVOIDED.value: 0.0, Outcome.SMALLER.value: round(low * rng.uniform(0.3, 0.9), -2),
            Outcome.LARGER.value: round(high * rng.uniform(1.1, 1.6), -2)}.get(
        outcome, round(rng.uniform(low, high), -2))


def _raise(rng, n: int, sender, receiver, metric_ids, raised_on: date, period: str, draft: bool = False):
    kind, title, description, help_needed, metric = STORIES[n % len(STORIES)]
    low = rng.choice((10, 20, 40, 80)) * 1000.0
    data = services.WarningData(
        to_function_id=receiver[0][0].function_id, title=title, kind=kind, impact_low=low,
        impact_high=low * rng.choice((1.5, 2, 3)), currency="EUR", period=period,
        confidence=rng.choice(("low", "medium", "medium", "high")), description=description, help_needed=help_needed,
        metric_id=metric_ids.get(metric or ""), show_name=rng.random() < 0.4)
    return services.save_warning(rng.choice(sender[0]), None, data, not draft, _at(raised_on))


def _recent(rng: random.Random, fin, ops, metric_ids) -> None:
    """Two raised last week (one waiting for the demo manager's Operations), one acknowledged, one draft."""
    today = clock.today()
    ahead = month_label(today + timedelta(days=40))
    _raise(rng, 0, ops, fin, metric_ids, today - timedelta(days=3), ahead)
    _raise(rng, 2, fin, ops, metric_ids, today - timedelta(days=1), ahead)
    acknowledged = _raise(rng, 1, ops, fin, metric_ids, today - timedelta(days=6), ahead)
    services.acknowledge(fin[1][0], acknowledged, "Check the order book with Sales this week.",
                         _at(today - timedelta(days=5)))
    demo_employee = db.session.scalar(select(User).where(User.email == f"employee@{DEMO_DOMAIN}"))
    author = (demo_employee, *fin[1]) if demo_employee else fin
    _raise(rng, 4, (list(author), fin[1]), ops, metric_ids, today - timedelta(days=2), ahead, draft=True)


def _reconcile_past_months() -> int:
    """Reconcile each closed month of the demo's year, as the month-end command would have."""
    count, month = 0, (DEMO_ANCHOR - timedelta(days=365)).replace(day=1)
    while month < DEMO_ANCHOR.replace(day=1):
        month_end = (month + timedelta(days=32)).replace(day=1)
        services.reconcile_period(month_label(month), _at(month_end + timedelta(days=2)))
        count, month = count + 1, month_end
    return count

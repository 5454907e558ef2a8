"""Demo data: a year of blameless reviews between Finance and Operations, every record dated in the past."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from programs.joint_reviews.models import (
    Action,
    ActionStatus,
    Finding,
    FindingKind,
    Participant,
    Review,
    ReviewStatus,
    SignOff,
    TimelineEntry,
)
from webapp import clock
from webapp.extensions import db
from webapp.people.models import Function, User
from webapp.periods import quarter_label

SEED = 20261216
# (title, kind, days ago, Finance's timeline, Operations' timeline, factors, went well, actions)
STORIES = [
    (
        "Rush orders shipped without credit check",
        "incident",
        330,
        [
            ("order received", 0, "Order arrived outside the credit-check window."),
            ("credit hold", 26, "Hold placed after dispatch."),
        ],
        [("order received", 1, "Order logged as rush."), ("dispatch", 4, "Dispatched same day as promised.")],
        [
            ("process", "No check prevented a rush order from skipping the credit step."),
            ("communication", "The credit hold was e-mailed to a shared inbox nobody watched at night."),
        ],
        ["The customer was told within the hour."],
        ["Add the credit check to the rush-order form", "Route credit holds to the shift lead's queue"],
    ),
    (
        "Q1 freight budget overrun",
        "budget_overrun",
        270,
        [
            ("forecast agreed", 0, "Freight forecast fixed at budget time."),
            ("overrun seen", 70, "Month-end close shows +18%."),
        ],
        [
            ("carrier rates rose", 30, "Spot rates rose after a carrier exit."),
            ("overrun seen", 72, "Ops report confirms."),
        ],
        [
            ("data", "Freight rates in the forecast were a year old."),
            ("incentives", ("Sites are measured on on-time delivery only, so the faster carrier always wins.")),
        ],
        ["Both teams shared the numbers the same week."],
        ["Refresh freight rates in the forecast quarterly", "Add cost per shipment to the site scorecard"],
    ),
    (
        "Key customer escalation on invoice errors",
        "escalation",
        200,
        [("invoices issued", 0, "Invoices used the old price list."), ("escalation", 9, "CFO of the customer called.")],
        [
            ("price change", -3, "New prices agreed with the customer."),
            ("escalation", 10, "Account team heard it too."),
        ],
        [
            ("process", "The price list change had no step that updated billing."),
            ("capacity", ("Billing had one person covering two regions that month.")),
        ],
        ["Credit notes went out within two days."],
        ["Make the price-change checklist include billing", "Cover billing with a second person at month end"],
    ),
    (
        "Missed on-time delivery target in August",
        "missed_target",
        110,
        [("target set", 0, "95% on time agreed."), ("month close", 31, "88% reported.")],
        [("warehouse move", 8, "Half the stock moved sites."), ("month close", 31, "88% reported.")],
        [
            ("capacity", "The move overlapped the peak week."),
            ("communication", "Finance heard of the move at month end."),
        ],
        ["Customers were told of delays before they happened."],
        ["Share the operations calendar with finance monthly"],
    ),
    (
        "Duplicate supplier payments",
        "incident",
        45,
        [("payment run", 0, "Two runs paid the same invoices."), ("found", 2, "Bank reconciliation found it.")],
        [("supplier query", 3, "Supplier called about the double payment.")],
        [
            ("process", "Nothing stopped an invoice from entering two payment runs."),
            ("data", "Goods receipts were keyed twice after a system outage."),
        ],
        ["The money came back in a week."],
        ["Block an invoice from a second payment run", "Reconcile receipts after every outage"],
    ),
]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def seed_reviews() -> str:
    """Create the reviews (needs the demo people): the older ones signed and resolved, the latest still open."""
    rng = random.Random(SEED)
    functions = {f.code: f for f in db.session.scalars(select(Function).where(Function.code.in_(("FIN", "OPS"))))}
    if len(functions) != 2:
        return "no reviews (Finance and Operations are missing)"
    people = {code: list(db.session.scalars(select(User).where(User.function_id == f.id, User.active.is_(True))
                                            .order_by(User.id).limit(6))) for code, f in functions.items()}
    today = clock.today()
    reviews = [_review(rng, story, functions, people, today) for story in STORIES]
    db.session.flush()
    return f"{len(reviews)} joint reviews, {sum(len(r.actions) for r in reviews)} actions"


def _review(rng: random.Random, story, functions, people, today: date) -> Review:
    title, kind, days_ago, fin_steps, ops_steps, factors, went_well, actions = story
    day = today - timedelta(days=days_ago)
    fin, ops = rng.sample(people["FIN"], 2), rng.sample(people["OPS"], 2)
    review = Review(title=title, kind=kind, happened_on=day, quarter=quarter_label(day), opened_by_id=ops[0].id,
                    summary=f"{title}: what happened, as both functions saw it.", created_at=_at(day, 15),
                    participants=[Participant(user_id=p.id, function_id=p.function_id) for p in fin + ops])
    for function, steps in ((functions["FIN"], fin_steps), (functions["OPS"], ops_steps)):
        review.entries += [TimelineEntry(function_id=function.id, at=_at(day + timedelta(days=offset), 9 + i),
                                         topic=topic, text=text) for i, (topic, offset, text) in enumerate(steps)]
    review.findings += [Finding(kind=FindingKind.FACTOR.value, tag=tag, text=text) for tag, text in factors]
    review.findings += [Finding(kind=FindingKind.WENT_WELL.value, text=text) for text in went_well]
    written = day + timedelta(days=14)
    recent = days_ago < 60
    for n, description in enumerate(actions):
        due = written + timedelta(days=30 * (n + 1))
        done = not recent and (due < today) and rng.random() < 0.85
        done_on = min(due + timedelta(days=rng.choice((-10, -3, 0, 6))), today - timedelta(days=1))
        review.actions.append(Action(description=description, owner_id=(fin + ops)[n % 4].id, due_on=due,
                                     created_at=_at(written), status=ActionStatus.DONE.value if done else "open",
                                     done_at=_at(done_on) if done else None))
    if not recent:
        review.sign_offs = [SignOff(function_id=p.function_id, user_id=p.id, signed_at=_at(written, 16),
                                    comment="Fair to us.") for p in (fin[0], ops[0])]
        review.status, review.signed_at = ReviewStatus.SIGNED.value, _at(written, 16)
        if all(a.status == ActionStatus.DONE.value for a in review.actions):
            resolved_at = max(a.done_at for a in review.actions if a.done_at)
            review.status, review.resolved_at = ReviewStatus.RESOLVED.value, resolved_at
    db.session.add(review)
    return review

"""Demo data: a year of "Yes, if..." requests from Operations to Finance, in every state, all dated in the past."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from programs.resource_requests import services
from programs.resource_requests.models import LookbackResult, OptionKind, ResourceRequest
from webapp import clock
from webapp.extensions import db
from webapp.people.demo import DEMO_ANCHOR, DEMO_DOMAIN
from webapp.people.models import Function, User
from webapp.roles import Role

SEED = 20261202
MONTHS = 12
NEEDS = [
    ("Three more field technicians", "monthly service calls", 1000, 12000, 0),
    ("An upgrade of the packing line", "orders per month", 1150, 4000, 180000),
    ("Weekend shift for the returns desk", "returns per month", 800, 6500, 0),
    ("A second forklift for the north warehouse", "pallets per month", 2400, 900, 42000),
    ("Two planners for the peak season", "orders per month", 1300, 9000, 0),
    ("Route-planning software", "deliveries per month", 3000, 1500, 20000),
]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _people(code: str, role: Role | None = None) -> list[User]:
    query = select(User).join(Function, User.function_id == Function.id).where(Function.code == code,
                                                                              User.active.is_(True))
    people = [p for p in db.session.scalars(query.order_by(User.id)) if role is None or p.has_role(role)]
    return people


def seed_requests() -> str:
    """Two requests a month from Operations to Finance for a year; the last few still open (needs the demo people)."""
    rng = random.Random(SEED)
    ops, fin_reviewers = _people("OPS"), _people("FIN", Role.MANAGER)
    manager = db.session.scalar(select(User).where(User.email == f"manager@{DEMO_DOMAIN}"))
    leader = db.session.scalar(select(User).where(User.email == f"leader@{DEMO_DOMAIN}"))
    finance = fin_reviewers[0].function_id if fin_reviewers else None
    if not ops or finance is None or manager is None or leader is None:
        return "no requests (the demo people are missing)"
    end = min(DEMO_ANCHOR, clock.today() - timedelta(days=1))
    made = [_request(rng, n, end - timedelta(days=365 - n * 15), manager if n % 3 == 0 else rng.choice(ops),
                     fin_reviewers, leader, finance) for n in range(2 * MONTHS - 3)]
    made += [_open_request(rng, n, manager, fin_reviewers, finance) for n in range(3)]
    by_status: dict[str, int] = {}
    for request in made:
        by_status[request.status] = by_status.get(request.status, 0) + 1
    return f"{len(made)} requests ({', '.join(f'{n} {s}' for s, n in sorted(by_status.items()))})"


def _submitted(rng: random.Random, n: int, requester: User, finance: int, start: date, deadline: date):
    title, driver, value, monthly, one_off = NEEDS[n % len(NEEDS)]
    data = services.RequestData(
        title, finance, f"{driver.capitalize()} grew {rng.randrange(8, 25)}% in three months; the team is at its "
        "limit and overtime is rising.", "Customers wait longer; on-time delivery dropped two points.",
        one_off, monthly, "EUR", deadline, "Overtime (not sustainable), moving people from another site (no slack).",
        "Avoids overtime and penalties worth about a month's cost.", driver, value + rng.randrange(-50, 150))
    request = services.submit_request(requester, data, None, start)
    request.created_at = _at(start)
    return request, driver, value, monthly


def _answer(rng: random.Random, request: ResourceRequest, reviewer: User, driver: str, value: int, monthly: int,
            day: date) -> None:
    """A yes-if option with its condition, an alternative and (mostly) a plain no."""
    options = [
        services.OptionData(OptionKind.YES_IF.value, f"Yes, if {driver} stay above {value + 200:,}: fund it in full",
                            str(monthly), "0", value * 2, "Demand may fall back after the season.",
                            day + timedelta(days=90)),
        services.OptionData(OptionKind.ALTERNATIVE.value, "Short-term contractors for three months first",
                            str(monthly // 3), str(round(monthly / value, 2)), value * 1.4,
                            "Contractors need training time.", day + timedelta(days=75)),
    ]
    if rng.random() < 0.7:
        options.append(services.OptionData(OptionKind.NO.value, "No: improve scheduling with today's team", "0", "0",
                                           value, "Service slips if demand keeps growing.", None))
    for data in options:
        option = services.add_option(reviewer, request, data, None, day)
        option.created_at = _at(day)
        if data.kind == OptionKind.YES_IF.value:
            services.add_condition(reviewer, option, services.ConditionData(
                driver, None, ">=", value + 200, day + timedelta(days=60)), None, day).created_at = _at(day)
    services.send_answer(reviewer, request, _at(day, 15))


def _request(rng: random.Random, n: int, start: date, requester: User, reviewers: list[User], leader: User,
             finance: int) -> ResourceRequest:
    """A request that went all the way: answered, decided (together or by a leader), and looked back at."""
    reviewer = rng.choice(reviewers)
    request, driver, value, monthly = _submitted(rng, n, requester, finance, start, start + timedelta(days=14))
    _answer(rng, request, reviewer, driver, value, monthly, start + timedelta(days=rng.randrange(1, 4)))
    picked = request.current_options[rng.randrange(2)]
    if n % 7 == 3:  # no agreement by the deadline: the leaders decide
        services.escalate_overdue(request.deadline + timedelta(days=1), _at(request.deadline + timedelta(days=1)))
        for side, body in ((requester, "Demand is real: three months of growth and a waiting list."),
                           (reviewer, "The growth is one customer's promotion; we would rather test it first.")):
            services.write_case(side, request, body).created_at = _at(request.deadline + timedelta(days=2))
        services.leader_decides(leader, request, request.current_options[1].id, f"{requester.name}, {reviewer.name}",
                                "Test with contractors first; fund in full if the volume holds.",
                                _at(request.deadline + timedelta(days=4)))
    else:
        services.pick_option(requester, request, picked.id, "It covers the volume we expect at the lowest cost.")
        services.confirm_pick(
            reviewer,
            request,
            f"{reviewer.name}, Head of {request.to_function.name}",
            "Agreed: the condition keeps us honest.",
            _at(start + timedelta(days=rng.randrange(5, 12))),
        )
    _track(rng, request, requester, reviewer)
    return request


def _track(rng: random.Random, request: ResourceRequest, requester: User, reviewer: User) -> None:
    """The actuals of the chosen option's conditions, and both sides' look-back once its date has passed."""
    today = clock.today()
    decision = request.decision
    for condition in decision.option.conditions if decision else []:
        if condition.review_on < today:
            actual = condition.threshold * rng.uniform(0.9, 1.15)
            services.record_actual(requester, condition, round(actual), condition.review_on, _at(condition.review_on))
    if request.lookback_on and request.lookback_on < today:
        good = rng.random() < 0.7
        for side in (requester, reviewer):
            result = LookbackResult.GOOD.value if good else rng.choice([LookbackResult.MIXED.value,
                                                                        LookbackResult.POOR.value])
            services.record_lookback(side, request, result, "Volume held above the threshold; overtime fell."
                                     if good else "Volume fell back after the season.", request.lookback_on,
                                     _at(request.lookback_on)).created_at = _at(request.lookback_on)


def _open_request(rng: random.Random, n: int, manager: User, reviewers: list[User], finance: int) -> ResourceRequest:
    """Recent requests still in the conversation: waiting for options, for the pick, for the confirmation."""
    start = clock.today() - timedelta(days=6 - n)
    request, driver, value, monthly = _submitted(rng, n, manager, finance, start, clock.today() + timedelta(days=20))
    if n >= 1:
        _answer(rng, request, reviewers[0], driver, value, monthly, start + timedelta(days=1))
    if n >= 2:
        services.pick_option(manager, request, request.current_options[1].id, "Test before we commit.")
    return request

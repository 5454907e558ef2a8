"""Reads: lists of requests, what waits for a person, the what-if view of a request, a pair's records."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction

from sqlalchemy import Select, or_, select

from programs.resource_requests import whatif
from programs.resource_requests.models import OPEN_STATUSES, RequestStatus, ResourceRequest
from programs.resource_requests.services import REVIEWER_ROLES, option_models
from webapp import clock
from webapp.extensions import db
from webapp.main.pair_records import PairRecord
from webapp.notifications.services import link
from webapp.people.models import User

STATUS_LABELS = {RequestStatus.OPEN.value: "waiting for options", RequestStatus.ANSWERED.value: "options to pick",
                 RequestStatus.PICKED.value: "pick to confirm", RequestStatus.ESCALATED.value: "with the leaders",
                 RequestStatus.DECIDED.value: "decided", RequestStatus.CLOSED.value: "looked back"}
FLIP_RANGE = 10  # the table searches flip points from 0 to this many times the driver's value (or the capacities)


def list_requests(status: str | None, function_id: int | None, after: int | None = None) -> Select:
    """Requests, newest first, optionally of one status or involving one function; keyset by id."""
    query = select(ResourceRequest).order_by(ResourceRequest.id.desc())
    if status:
        query = query.where(ResourceRequest.status == status)
    if function_id:
        query = query.where(or_(ResourceRequest.from_function_id == function_id,
                                ResourceRequest.to_function_id == function_id))
    return query.where(ResourceRequest.id < after) if after else query


def waiting_for(user: User, limit: int) -> list[tuple[ResourceRequest, str]]:
    """Requests where the next step is this person's (as requester, reviewer or leader), soonest deadline first."""
    if user.function_id is None:
        return []
    rows = db.session.scalars(select(ResourceRequest).where(
        ResourceRequest.status.in_([s.value for s in (*OPEN_STATUSES, RequestStatus.DECIDED)]),
        or_(ResourceRequest.from_function_id == user.function_id, ResourceRequest.to_function_id == user.function_id))
        .order_by(ResourceRequest.deadline, ResourceRequest.id)).all()
    waiting = [(request, step) for request in rows if (step := next_step_for(user, request))]
    return waiting[:limit]


def next_step_for(user: User, request: ResourceRequest) -> str | None:
    """What this person should do next on the request, in a few words, or None."""
    reviewer = user.function_id == request.to_function_id and user.has_role(*REVIEWER_ROLES)
    status = request.status
    if status == RequestStatus.OPEN and reviewer:
        return "answer with options"
    if status == RequestStatus.ANSWERED and user.id == request.requester_id:
        return "pick an option"
    if status == RequestStatus.PICKED and reviewer:
        return "confirm the pick"
    if status == RequestStatus.ESCALATED and user.has_role(*REVIEWER_ROLES):
        return "decide (leaders) or write your case" if not any(
            case.function_id == user.function_id for case in request.cases) else None
    if (status == RequestStatus.DECIDED and request.lookback_on and request.lookback_on <= clock.today()
            and (user.id == request.requester_id or reviewer)
            and all(lb.function_id != user.function_id for lb in request.lookbacks)):
        return "record the look-back"
    return None


@dataclass(frozen=True)
class WhatIfView:
    rows: list[whatif.Row]
    flips: list[whatif.FlipPoint]
    nearest: whatif.FlipPoint | None
    labels: list[str]
    high: Fraction


def what_if(request: ResourceRequest) -> WhatIfView:
    """The table at the request's driver value, with the flip points over a range that covers every capacity."""
    options = request.current_options
    models = option_models(options)
    x = Fraction(request.driver_value)
    capacities = [m.capacity for m in models if m.capacity is not None]
    high = max([x * FLIP_RANGE, *(c * 2 for c in capacities), Fraction(1)])
    flips = whatif.flip_points(models, 0, high)
    nearest = min(flips, key=lambda flip: abs(flip.at - x)) if flips else None
    return WhatIfView(whatif.table(models, x), flips, nearest, [o.label for o in options], high)


def pair_requests(pair: tuple[int, int], first: date, last: date) -> list[PairRecord]:
    """The pair's requests opened in these days or still open (the pair_records source)."""
    rows = db.session.scalars(select(ResourceRequest).where(
        ResourceRequest.from_function_id.in_(pair), ResourceRequest.to_function_id.in_(pair),
        ResourceRequest.from_function_id != ResourceRequest.to_function_id,
        or_(ResourceRequest.status.in_([s.value for s in OPEN_STATUSES]),
            ResourceRequest.created_at.between(_start(first), _start(last, 1))))
        .order_by(ResourceRequest.id)).all()
    return [PairRecord("request", r.id, r.title, link("resource_requests.detail", request_id=r.id),
                       STATUS_LABELS[r.status], r.created_at.date(), r.is_open) for r in rows]


def _start(day: date, plus_days: int = 0) -> datetime:
    return datetime.combine(day + timedelta(days=plus_days), time.min, tzinfo=UTC)

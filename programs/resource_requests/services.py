"""Writes about resource requests: the template, options and conditions, the what-if table, deciding together,
escalation, actuals and the look-back. Each enforces its rules, locks what it changes and flushes."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from sqlalchemy import select, update

from programs.resource_requests import whatif
from programs.resource_requests.models import (
    AMOUNT_MAX,
    CASE_MAX,
    DRIVER_MAX,
    LABEL_MAX,
    OPEN_STATUSES,
    TEXT_MAX,
    TITLE_MAX,
    Condition,
    Decision,
    EscalationCase,
    Lookback,
    LookbackResult,
    OptionKind,
    RequestOption,
    RequestStatus,
    ResourceRequest,
    WhatIfEdit,
)
from webapp import clock
from webapp.auth.services import record_audit
from webapp.db import rows_changed
from webapp.errors import AlreadyRecorded, Refused, RuleError
from webapp.extensions import db
from webapp.forms import refuse_replay
from webapp.metrics import MONTHLY, get_outcome_metric, metric_points
from webapp.notifications.queries import notified_since
from webapp.notifications.services import link, notify
from webapp.people.models import Function, RoleGrant, User
from webapp.periods import month_label, quarter_label
from webapp.roles import Role

CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CAD", "AUD", "JPY")
DEADLINE_DAYS_MAX = 730  # a deadline or review date at most two years ahead
LOOK_AGAIN_DAYS_MAX = 3 * 365
REMIND_DAYS = 2  # the parties are reminded this many days before the deadline
REVIEWER_ROLES = (Role.MANAGER, Role.LEADER)


class RequestError(RuleError):
    """A rule of requests was broken (see webapp.errors.RuleError)."""


class NotAllowed(RequestError, Refused):
    """The person may not do this to this request (a 403)."""


# --- shared checks ---------------------------------------------------------------------------

def _locked(request_id: int) -> ResourceRequest:
    """The request, locked until commit and re-read, so a concurrent change is seen and never overwritten."""
    query = (select(ResourceRequest).where(ResourceRequest.id == request_id).with_for_update()
             .execution_options(populate_existing=True))
    return db.session.scalars(query).one()


def amount(value: object, field: str, allow_zero: bool = True) -> Decimal:
    """A money amount: a finite number, not negative (or positive), below AMOUNT_MAX, to the cent."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise RequestError("Enter an amount as a number.", field) from None
    if not number.is_finite():
        raise RequestError("Enter a finite amount.", field)
    if number < 0 or (number == 0 and not allow_zero):
        raise RequestError("Enter an amount above zero." if not allow_zero else "Amounts cannot be negative.", field)
    if number > AMOUNT_MAX:
        raise RequestError(f"Enter an amount up to {AMOUNT_MAX:,}.", field)
    return number.quantize(Decimal("0.01")) if field != "per_unit" else number.quantize(Decimal("0.0001"))


def driver_number(value: object, field: str) -> float:
    """A driver value or threshold: finite, not negative, at most DRIVER_MAX."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RequestError("Enter a number.", field) from None
    if not math.isfinite(number) or not 0 <= number <= DRIVER_MAX:
        raise RequestError(f"Enter a number from 0 to {DRIVER_MAX:,.0f}.", field)
    return number


def _future_date(day: date | None, today: date, field: str, days_max: int, what: str) -> date:
    if day is None:
        raise RequestError(f"Give the {what}.", field)
    if not today < day <= today + timedelta(days=days_max):
        raise RequestError(f"The {what} must be after today and within {days_max // 365} years.", field)
    return day


def _text(value: str | None, field: str, what: str, maximum: int = TEXT_MAX, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise RequestError(f"Say {what}.", field)
    if len(text) > maximum:
        raise RequestError(f"Keep it under {maximum} characters.", field)
    return text


def people_of(function_id: int, *roles: Role) -> list[User]:
    """Active people of a function (holding one of roles, when given), by name."""
    query = select(User).where(User.function_id == function_id, User.active.is_(True)).order_by(User.name)
    if roles:
        query = query.where(User.id.in_(select(RoleGrant.user_id).where(RoleGrant.role.in_([r.value for r in roles]))))
    return list(db.session.scalars(query))


def is_reviewer(user: User, request: ResourceRequest) -> bool:
    """A manager or leader of the addressed function."""
    return user.function_id == request.to_function_id and user.has_role(*REVIEWER_ROLES)


def is_party(user: User, request: ResourceRequest) -> bool:
    """Someone of either function."""
    return user.function_id in request.function_ids


def is_deciding_leader(user: User, request: ResourceRequest) -> bool:
    return is_party(user, request) and user.has_role(Role.LEADER)


def _require_reviewer(actor: User, request: ResourceRequest, doing: str) -> None:
    if not is_reviewer(actor, request):
        raise NotAllowed(f"Only a manager or leader of {request.to_function.name} can {doing}.")


def _require_party(actor: User, request: ResourceRequest, doing: str) -> None:
    if not is_party(actor, request):
        raise NotAllowed(f"Only people of {request.from_function.name} or {request.to_function.name} can {doing}.")


def _side_of(party: User, request: ResourceRequest) -> Function:
    """The request's function that the party (someone of either function) belongs to."""
    return request.from_function if party.function_id == request.from_function_id else request.to_function


def _require_status(request: ResourceRequest, *statuses: RequestStatus, message: str) -> None:
    if request.status not in statuses:
        raise RequestError(message)


def _claim(request: ResourceRequest, before: RequestStatus | tuple[RequestStatus, ...], message: str,
           **values) -> None:
    """Move the request on by a conditional update: the first of concurrent writes wins, the others hear message."""
    statuses = before if isinstance(before, tuple) else (before,)
    moved = rows_changed(db.session, update(ResourceRequest).where(
        ResourceRequest.id == request.id, ResourceRequest.status.in_([s.value for s in statuses]),
        ResourceRequest.version == request.version).values(**values))
    if moved != 1:
        raise RequestError(message)
    db.session.refresh(request)


def _notify_all(
    people: list[User], kind: str, message: str, request: ResourceRequest, skip: User | None = None
) -> None:
    url = link("resource_requests.detail", request_id=request.id)
    for person in people:
        if skip is None or person.id != skip.id:
            notify(person, kind, message, url)


# --- the template ----------------------------------------------------------------------------

@dataclass
class RequestData:
    title: str
    to_function_id: int | None
    need: str
    impact: str
    cost_one_off: object
    cost_monthly: object
    currency: str
    deadline: date | None
    alternatives: str
    expected_return: str
    driver: str
    driver_value: object


def _checked(data: RequestData, actor: User, today: date) -> dict:
    """The template's values, each checked, or a RequestError naming the field."""
    target = db.session.get(Function, data.to_function_id) if data.to_function_id else None
    if target is None or not target.active:
        raise RequestError("Choose the function you ask.", "to_function_id")
    if target.id == actor.function_id:
        raise RequestError("Ask another function than your own.", "to_function_id")
    if data.currency not in CURRENCIES:
        raise RequestError("Choose a currency from the list.", "currency")
    values = {
        "title": _text(data.title, "title", "what you ask for", TITLE_MAX),
        "to_function_id": target.id,
        "need": _text(data.need, "need", "what you need and why now"),
        "impact": _text(data.impact, "impact", "the customer or operational impact"),
        "cost_one_off": amount(data.cost_one_off, "cost_one_off"),
        "cost_monthly": amount(data.cost_monthly, "cost_monthly"),
        "currency": data.currency,
        "deadline": _future_date(data.deadline, today, "deadline", DEADLINE_DAYS_MAX, "deadline"),
        "alternatives": _text(data.alternatives, "alternatives", "which alternatives you considered"),
        "expected_return": _text(data.expected_return, "expected_return", "", required=False),
        "driver": _text(data.driver, "driver", "which number drives the need (e.g. monthly orders)", LABEL_MAX),
        "driver_value": driver_number(data.driver_value, "driver_value"),
    }
    if values["cost_one_off"] == 0 and values["cost_monthly"] == 0:
        raise RequestError("Give the one-off or the monthly cost (or both).", "cost_one_off")
    return values


def submit_request(actor: User, data: RequestData, key: str | None, today: date) -> ResourceRequest:
    """A person of one function asks another; the reviewers of that function are told."""
    if actor.function_id is None:
        raise RequestError("You belong to no function yet, so you cannot ask another one.")
    refuse_replay(ResourceRequest, key)
    request = ResourceRequest(requester_id=actor.id, from_function_id=actor.function_id, idempotency_key=key,
                              status=RequestStatus.OPEN.value, version=1, **_checked(data, actor, today))
    db.session.add(request)
    db.session.flush()
    _notify_all(people_of(request.to_function_id, *REVIEWER_ROLES), "approval",
                f"{request.from_function.name} asks: {request.title}. Answer with options by "
                f"{request.deadline.isoformat()}.", request)
    return request


def edit_request(actor: User, request: ResourceRequest, data: RequestData, today: date) -> ResourceRequest:
    """The requester changes the template; an answer given to the earlier version no longer counts."""
    request = _locked(request.id)
    if actor.id != request.requester_id:
        raise NotAllowed("Only the requester can change the request.")
    _require_status(request, RequestStatus.OPEN, RequestStatus.ANSWERED, RequestStatus.PICKED,
                    message="A decided or escalated request changes only through a reopen.")
    values = _checked(data, actor, today)
    was_answered = request.answered_version is not None
    for name, value in values.items():
        setattr(request, name, value)
    request.version += 1
    request.status, request.answered_version, request.answered_at = RequestStatus.OPEN.value, None, None
    request.picked_option_id, request.picked_by_id, request.pick_reasons = None, None, ""
    db.session.flush()
    if was_answered:
        _notify_all(people_of(request.to_function_id, *REVIEWER_ROLES), "approval",
                    f"{request.title} was changed after your answer: it needs a new answer.", request)
    return request


# --- options and conditions ------------------------------------------------------------------

@dataclass
class OptionData:
    kind: str
    label: str
    fixed_monthly: object
    per_unit: object
    capacity: object | None
    risk: str
    look_again_on: date | None


def add_option(actor: User, request: ResourceRequest, data: OptionData, key: str | None, today: date) -> RequestOption:
    """A reviewer drafts one option of the answer (sent with send_answer)."""
    request = _locked(request.id)
    _require_reviewer(actor, request, "answer this request")
    _require_status(request, RequestStatus.OPEN, RequestStatus.ESCALATED,
                    message="The answer was sent; options change only when the request does.")
    refuse_replay(RequestOption, key)
    if data.kind not in {kind.value for kind in OptionKind}:
        raise RequestError("Choose the kind of option.", "kind")
    is_no = data.kind == OptionKind.NO.value
    if is_no and any(o.kind == OptionKind.NO.value for o in request.current_options):
        raise RequestError("The answer already has a plain no.", "kind")
    option = RequestOption(
        request=request, version=request.version, kind=data.kind, author_id=actor.id, idempotency_key=key,
        label=_text(data.label, "label", "what the option is", TITLE_MAX),
        fixed_monthly=amount(data.fixed_monthly, "fixed_monthly"), per_unit=amount(data.per_unit, "per_unit"),
        capacity=None if data.capacity in (None, "") else driver_number(data.capacity, "capacity"),
        risk=_text(data.risk, "risk", "", required=False),
        look_again_on=None if is_no else _future_date(data.look_again_on, today, "look_again_on",
                                                      LOOK_AGAIN_DAYS_MAX, "date to look again"),
    )
    db.session.add(option)
    db.session.flush()
    return option


@dataclass
class ConditionData:
    driver: str
    metric_id: int | None
    comparison: str
    threshold: object
    review_on: date | None


def add_condition(actor: User, option: RequestOption, data: ConditionData, key: str | None,
                  today: date) -> Condition:
    """A reviewer puts the "if" of a yes-if option as data: driver, comparison, threshold, review date."""
    request = _locked(option.request_id)
    _require_reviewer(actor, request, "set the conditions")
    _require_status(request, RequestStatus.OPEN, RequestStatus.ESCALATED,
                    message="The answer was sent; conditions change only when the request does.")
    if option.version != request.version or option.kind == OptionKind.NO.value:
        raise RequestError("Conditions belong to a yes-if or alternative option of the current answer.")
    refuse_replay(Condition, key)
    if data.comparison not in whatif.COMPARISONS:
        raise RequestError("Choose a comparison from the list.", "comparison")
    if data.metric_id is not None and get_outcome_metric(data.metric_id) is None:
        raise RequestError("Choose a metric from the list.", "metric_id")
    condition = Condition(
        option=option, metric_id=data.metric_id, comparison=data.comparison, idempotency_key=key,
        driver=_text(data.driver, "driver", "which number the condition is about", LABEL_MAX),
        threshold=driver_number(data.threshold, "threshold"),
        review_on=_future_date(data.review_on, today, "review_on", DEADLINE_DAYS_MAX, "review date"),
    )
    db.session.add(condition)
    db.session.flush()
    return condition


def answer_refusal(options: list[RequestOption]) -> str | None:
    """Why these options are not yet an answer: at least two, one of them more than a plain no; yes-if has an if."""
    if len(options) < 2:
        return "Answer with at least two options (one alternative and a plain no will do)."
    if all(option.kind == OptionKind.NO.value for option in options):
        return "Offer at least one way to yes."
    if any(option.kind == OptionKind.YES_IF.value and not option.conditions for option in options):
        return "Each yes-if option needs its condition."
    return None


def send_answer(actor: User, request: ResourceRequest, now: datetime) -> ResourceRequest:
    """The reviewer sends the options to the requester, who picks one."""
    request = _locked(request.id)
    _require_reviewer(actor, request, "answer this request")
    _require_status(request, RequestStatus.OPEN, message="This request is already answered.")
    refusal = answer_refusal(request.current_options)
    if refusal:
        raise RequestError(refusal)
    _claim(request, RequestStatus.OPEN, "This request is already answered.", status=RequestStatus.ANSWERED.value,
           answered_version=request.version, answered_at=now)
    notify(
        request.requester,
        "approval",
        f"{request.to_function.name} answered {request.title} with {len(request.current_options)} options: pick one.",
        link("resource_requests.detail", request_id=request.id),
    )
    return request


# --- the what-if table -----------------------------------------------------------------------

def set_driver_value(actor: User, request: ResourceRequest, value: object, now: datetime) -> WhatIfEdit:
    """Either side moves the table's driver; the edit is kept with its author."""
    request = _locked(request.id)
    _require_party(actor, request, "change the what-if table")
    _require_status(request, *OPEN_STATUSES, message="The table of a decided request is frozen.")
    after = driver_number(value, "driver_value")
    edit = WhatIfEdit(request=request, author_id=actor.id, before=request.driver_value, after=after,
                      edited_at=now)
    request.driver_value = after
    db.session.add(edit)
    db.session.flush()
    return edit


def option_models(options: list[RequestOption]) -> list[whatif.OptionModel]:
    """The options as the what-if maths sees them."""
    return [whatif.OptionModel(o.label, Fraction(o.fixed_monthly), Fraction(o.per_unit),
                               None if o.capacity is None else Fraction(o.capacity)) for o in options]


# --- deciding together -----------------------------------------------------------------------

def pick_option(actor: User, request: ResourceRequest, option_id: int, reasons: str) -> ResourceRequest:
    """The requester picks one of the current options, with reasons; the reviewer confirms."""
    request = _locked(request.id)
    if actor.id != request.requester_id:
        raise NotAllowed("Only the requester picks an option.")
    _require_status(request, RequestStatus.ANSWERED, message="Options can be picked once they are sent, "
                                                             "and before a decision.")
    option = _current_option(request, option_id)
    _claim(request, RequestStatus.ANSWERED, "An option was already picked.", status=RequestStatus.PICKED.value,
           picked_option_id=option.id, picked_by_id=actor.id,
           pick_reasons=_text(reasons, "reasons", "why this option"))
    _notify_all(people_of(request.to_function_id, *REVIEWER_ROLES), "approval",
                f"{actor.name} picked “{option.label}” for {request.title}: confirm it.", request)
    return request


def _current_option(request: ResourceRequest, option_id: int | None) -> RequestOption:
    option = next((o for o in request.current_options if o.id == option_id), None)
    if option is None:
        raise RequestError("Choose one of the options on the table.", "option_id")
    return option


def confirm_pick(actor: User, request: ResourceRequest, consulted: str, reasons: str, now: datetime) -> Decision:
    """A reviewer confirms the requester's pick: the decision is recorded, exactly once."""
    request = _locked(request.id)
    _require_reviewer(actor, request, "confirm the decision")
    _require_status(request, RequestStatus.PICKED, message="There is no pick waiting for confirmation.")
    reasons = _text(reasons, "reasons", "why you confirm")
    option = _current_option(request, request.picked_option_id)
    return _decide(request, option, actor, request.picked_by, False, consulted, reasons, now, RequestStatus.PICKED)


def leader_decides(actor: User, request: ResourceRequest, option_id: int, consulted: str, reasons: str,
                   now: datetime) -> Decision:
    """An escalated request: a leader of either function breaks the tie."""
    request = _locked(request.id)
    if not is_deciding_leader(actor, request):
        raise NotAllowed("Only a leader of the two functions decides an escalated request.")
    _require_status(request, RequestStatus.ESCALATED, message="Only an escalated request is decided by a leader.")
    reasons = _text(reasons, "reasons", "why this option")
    option = _current_option(request, option_id)
    return _decide(request, option, actor, None, True, consulted, reasons, now, RequestStatus.ESCALATED)


def _decide(request: ResourceRequest, option: RequestOption, decider: User, picker: User | None, by_leader: bool,
            consulted: str, reasons: str, now: datetime, before: RequestStatus) -> Decision:
    funded = option.kind != OptionKind.NO.value
    _claim(request, before, "This request is already decided.", status=RequestStatus.DECIDED.value, decided_at=now,
           lookback_on=option.look_again_on if funded else None)
    decision = Decision(
        request=request, option_id=option.id, picked_by_id=picker.id if picker else None,
        decided_by_id=decider.id, by_leader=by_leader, decided_at=now, reasons=reasons,
        consulted=_text(consulted, "consulted", "", required=False),
        options_summary="; ".join(f"{o.label} ({o.kind})" for o in request.current_options),
    )
    db.session.add(decision)
    db.session.flush()
    parties = [request.requester, *people_of(request.to_function_id, *REVIEWER_ROLES)]
    _notify_all(parties, "info", f"Decided: “{option.label}” for {request.title}"
                f"{' (a leader broke the tie)' if by_leader else ''}.", request, skip=decider)
    return decision


def reopen_decision(actor: User, request: ResourceRequest, reason: str, now: datetime) -> ResourceRequest:
    """A leader of either function reopens a decided request (audited); the requester picks again."""
    request = _locked(request.id)
    if not is_deciding_leader(actor, request):
        raise NotAllowed("Only a leader of the two functions reopens a decision.")
    _require_status(request, RequestStatus.DECIDED, message="Only a decided request (before its look-back is "
                                                            "closed) can be reopened.")
    reason = _text(reason, "reason", "why it is reopened")
    decision = request.decision
    before = {"status": request.status, "option_id": decision.option_id if decision else None}
    _claim(request, RequestStatus.DECIDED, "This request was already reopened.", status=RequestStatus.ANSWERED.value,
           decided_at=None, lookback_on=None, picked_option_id=None, picked_by_id=None, pick_reasons="")
    if decision:
        decision.reopened_at, decision.reopened_by_id, decision.reopen_reason = now, actor.id, reason
    record_audit(actor, "request.reopen", request, before, {"status": request.status, "reason": reason})
    db.session.flush()
    return request


# --- escalation ------------------------------------------------------------------------------

def escalate_overdue(today: date, now: datetime) -> int:
    """Requests without a decision past their deadline go to both functions' leaders; returns how many."""
    undecided = (RequestStatus.OPEN, RequestStatus.ANSWERED, RequestStatus.PICKED)
    overdue = db.session.scalars(select(ResourceRequest.id).where(
        ResourceRequest.status.in_([s.value for s in undecided]), ResourceRequest.deadline < today)).all()
    escalated = 0
    for request_id in overdue:
        request = _locked(request_id)
        if request.status not in undecided:
            continue  # decided or escalated meanwhile (seen after the lock)
        escalated += 1
        _claim(request, undecided, "This request was already escalated.", status=RequestStatus.ESCALATED.value,
               escalated_at=now)
        leaders = people_of(request.from_function_id, Role.LEADER) + people_of(request.to_function_id, Role.LEADER)
        _notify_all(leaders, "approval", f"Escalated: {request.title} had no agreed answer by "
                    f"{request.deadline.isoformat()}. Read both sides' cases and decide.", request)
        _notify_all([request.requester, *people_of(request.to_function_id, *REVIEWER_ROLES)], "info",
                    f"{request.title} went to the leaders: write your side's one-page case.", request)
    return escalated


def write_case(actor: User, request: ResourceRequest, body: str) -> EscalationCase:
    """One page from each side for the leaders (one per function; the first one written counts)."""
    request = _locked(request.id)
    _require_party(actor, request, "write a case")
    _require_status(request, RequestStatus.ESCALATED, message="Cases are written for an escalated request.")
    if any(case.function_id == actor.function_id for case in request.cases):
        raise AlreadyRecorded(f"{_side_of(actor, request).name}'s case was already written.")
    case = EscalationCase(request=request, function_id=actor.function_id, author_id=actor.id,
                          body=_text(body, "body", "your side's case", CASE_MAX))
    db.session.add(case)
    db.session.flush()
    return case


# --- conditions against actuals, and the look-back -------------------------------------------

def record_actual(actor: User | None, condition: Condition, value: object, today: date, now: datetime,
                  source: str = "by hand") -> Condition:
    """The actual value of a condition's driver, on or after its review date: did the "if" hold?"""
    request = _locked(condition.option.request_id)
    if actor is not None:
        _require_party(actor, request, "record an actual value")
    if condition.review_on > today:
        raise RequestError(f"The actual value is recorded from the review date ({condition.review_on.isoformat()}).",
                           "actual")
    actual = driver_number(value, "actual")
    moved = rows_changed(db.session, update(Condition).where(Condition.id == condition.id, Condition.actual.is_(None))
                         .values(actual=actual, actual_source=source, actual_by_id=actor.id if actor else None,
                                 actual_at=now, held=whatif.holds(actual, condition.comparison, condition.threshold)))
    if moved != 1:
        raise AlreadyRecorded("The actual value was already recorded.")
    db.session.refresh(condition)
    return condition


def _review_period(condition: Condition) -> str | None:
    """The linked metric's period ("2026-03" or "2026-Q1") that holds the review date, or None."""
    metric = get_outcome_metric(condition.metric_id) if condition.metric_id is not None else None
    if metric is None:
        return None
    return month_label(condition.review_on) if metric.frequency == MONTHLY else quarter_label(condition.review_on)


def metric_actual(condition: Condition) -> tuple[float, str] | None:
    """The linked metric's value for the period of the review date (organisation-wide), if it has arrived."""
    period = _review_period(condition)
    if period is None or condition.metric_id is None:
        return None
    values = [p.value for p in metric_points(condition.metric_id) if p.period == period and p.function_id is None]
    return (values[-1], f"metric {period}") if values else None


def take_recorded_value(sender: object, metric_id: int, period: str, function_id: int | None, value: float,
                        occurred_at: datetime, **_: object) -> None:
    """metric_value_recorded: an organisation-wide value arriving for a due condition's period settles it at once."""
    if function_id is not None:
        return
    today = clock.today()
    due = db.session.scalars(select(Condition).where(
        Condition.metric_id == metric_id, Condition.actual.is_(None), Condition.review_on <= today)).all()
    for condition in due:
        if _review_period(condition) == period:
            record_actual(None, condition, value, today, occurred_at, f"metric {period}")


def fill_actuals_from_metrics(today: date, now: datetime) -> int:
    """Conditions linked to a metric take its value once the review date has come and the value exists."""
    due = db.session.scalars(select(Condition).where(
        Condition.actual.is_(None), Condition.metric_id.is_not(None), Condition.review_on <= today)).all()
    filled = 0
    for condition in due:
        found = metric_actual(condition)
        if found is not None:
            record_actual(None, condition, found[0], today, now, found[1])
            filled += 1
    return filled


def record_lookback(actor: User, request: ResourceRequest, result: str, note: str, today: date,
                    now: datetime) -> Lookback:
    """Each side says, from the look-back date, whether the funded option delivered; both make it closed."""
    request = _locked(request.id)
    _require_party(actor, request, "record the look-back")
    _require_status(request, RequestStatus.DECIDED, message="Only a decided request has a look-back.")
    if request.lookback_on is None or request.lookback_on > today:
        raise RequestError("The look-back opens on its date." if request.lookback_on else
                           "A plain no has no look-back.")
    if result not in {r.value for r in LookbackResult}:
        raise RequestError("Choose a result.", "result")
    if any(lookback.function_id == actor.function_id for lookback in request.lookbacks):
        raise AlreadyRecorded(f"{_side_of(actor, request).name}'s look-back was already recorded.")
    lookback = Lookback(request=request, function_id=actor.function_id, author_id=actor.id, result=result,
                        note=_text(note, "note", "what happened"))
    db.session.add(lookback)
    db.session.flush()
    db.session.refresh(request)
    if {lb.function_id for lb in request.lookbacks} >= set(request.function_ids):
        _claim(request, RequestStatus.DECIDED, "The look-back is already closed.", status=RequestStatus.CLOSED.value,
               closed_at=now)
    return lookback


def is_joint_win(request: ResourceRequest) -> bool:
    """Both sides called the result good: it can be celebrated as a joint win."""
    return (request.status == RequestStatus.CLOSED
            and bool(request.lookbacks) and all(lb.result == LookbackResult.GOOD for lb in request.lookbacks))


# --- reminders (the daily command) -----------------------------------------------------------

def _once_a_day(kind: str, today: date) -> set[tuple[int, str]]:
    return notified_since(kind, datetime.combine(today, time.min, tzinfo=UTC))


def send_reminders(today: date) -> int:
    """Deadlines coming up, actual values due by hand, look-backs due: each person reminded once a day."""
    already = _once_a_day("follow-up", today)
    sent = 0

    def remind(people: list[User], message: str, request: ResourceRequest) -> None:
        nonlocal sent
        url = link("resource_requests.detail", request_id=request.id)
        for person in people:
            if (person.id, url) not in already:
                notify(person, "follow-up", message, url)
                already.add((person.id, url))
                sent += 1

    soon = db.session.scalars(select(ResourceRequest).where(
        ResourceRequest.status.in_([RequestStatus.OPEN.value, RequestStatus.ANSWERED.value,
                                    RequestStatus.PICKED.value]),
        ResourceRequest.deadline >= today, ResourceRequest.deadline <= today + timedelta(days=REMIND_DAYS))).all()
    for request in soon:
        waiting_on = ([request.requester] if request.status == RequestStatus.ANSWERED
                      else people_of(request.to_function_id, *REVIEWER_ROLES))
        remind(waiting_on, f"{request.title} needs a decision by {request.deadline.isoformat()}.", request)
    lookbacks = db.session.scalars(select(ResourceRequest).where(
        ResourceRequest.status == RequestStatus.DECIDED.value, ResourceRequest.lookback_on <= today)).all()
    for request in lookbacks:
        done = {lb.function_id for lb in request.lookbacks}
        people = ([] if request.from_function_id in done else [request.requester]) + (
            [] if request.to_function_id in done else people_of(request.to_function_id, *REVIEWER_ROLES))
        remind(people, f"Look back at {request.title}: did it deliver? Record your side's result.", request)
    by_hand = db.session.scalars(select(Condition).where(
        Condition.actual.is_(None), Condition.metric_id.is_(None), Condition.review_on <= today)).all()
    for condition in by_hand:
        request = condition.option.request
        if request.decision and request.decision.option_id == condition.option_id:
            remind([request.requester, *people_of(request.to_function_id, *REVIEWER_ROLES)],
                   f"Record the actual {condition.driver} for {request.title}: did the “if” hold?", request)
    return sent


def run_daily(today: date, now: datetime) -> dict[str, int]:
    """The daily command: escalate, fill actuals from metrics, remind."""
    return {"escalated": escalate_overdue(today, now), "actuals": fill_actuals_from_metrics(today, now),
            "reminders": send_reminders(today)}

"""Writes about early warnings: drafts, raising, acknowledging, the thread, closing, reopening, reminders,
the settings, the period-close reconciliation and the warnings the product opens on a threshold crossing.

Each enforces its rules and flushes (the caller commits); state changes lock their row and re-read it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, insert, or_, select, update

from programs.early_warnings import rules
from programs.early_warnings.models import (
    DEFAULT_MATERIAL_AMOUNT,
    DEFAULT_MATERIAL_PERCENT,
    DEFAULT_RESPONSE_DAYS,
    OPEN_STATUSES,
    Confidence,
    EarlyWarning,
    Outcome,
    Variance,
    WarningComment,
    WarningKind,
    WarningPolicy,
    WarningStatus,
    variance_warning,
)
from webapp import clock, metrics, signals
from webapp.auth.services import record_audit
from webapp.db import rows_changed
from webapp.errors import AlreadyRecorded, Refused, RuleError
from webapp.extensions import db
from webapp.notifications.services import link, notify
from webapp.people.models import Function, RoleGrant, User
from webapp.roles import Role

CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "JPY", "CAD", "AUD")
RESPONDERS = (Role.MANAGER, Role.LEADER)
REMIND_BEFORE = timedelta(hours=24)
HORIZON_DAYS = 2 * 366  # how far ahead a warning may look


class WarningError(RuleError):
    """A rule of early warnings was broken (see webapp.errors.RuleError)."""


class NotAllowed(WarningError, Refused):
    """The person may not do this to this warning (a 403)."""


def _locked(warning_id: int) -> EarlyWarning:
    """The warning, locked until commit and re-read, so a concurrent change is seen and never overwritten."""
    query = (select(EarlyWarning).where(EarlyWarning.id == warning_id).with_for_update()
             .execution_options(populate_existing=True))
    return db.session.scalars(query).one()


# --- who may do what ------------------------------------------------------------------------

def is_responder(user: User, function_id: int) -> bool:
    """A manager or leader of the function: they acknowledge (and close) warnings addressed to it."""
    return user.function_id == function_id and user.has_role(*RESPONDERS)


def can_see(user: User, warning: EarlyWarning) -> bool:
    """The author always; people of either function once it is raised (a draft is the author's alone)."""
    if warning.author_id == user.id:
        return True
    return warning.status != WarningStatus.DRAFT.value and user.function_id in warning.pair


def shows_author_to(user: User, warning: EarlyWarning) -> bool:
    """The author's name shows to the author, and to the receiving function if the author chose so; nowhere else."""
    if warning.author_id is None:
        return False
    return warning.author_id == user.id or (warning.show_name and user.function_id == warning.to_function_id)


def can_close(user: User, warning: EarlyWarning) -> bool:
    """The author, or a manager or leader of either function."""
    return warning.author_id == user.id or any(is_responder(user, f) for f in warning.pair)


# --- settings -------------------------------------------------------------------------------

POLICY_LIMITS = {
    "response_days": (1, 20),
    "material_percent": (0.1, 100.0),
    "material_amount": (0.01, rules.AMOUNT_MAX),
}


def get_policy() -> WarningPolicy:
    """The settings: the saved row, or the defaults until an admin saves them."""
    return db.session.get(WarningPolicy, 1) or WarningPolicy(
        id=1, response_days=DEFAULT_RESPONSE_DAYS, material_percent=DEFAULT_MATERIAL_PERCENT,
        material_amount=DEFAULT_MATERIAL_AMOUNT)


def save_policy(actor: User, values: dict[str, float]) -> WarningPolicy:
    """Change the settings (admin), audited with before and after."""
    for name, (low, high) in POLICY_LIMITS.items():
        value = values.get(name)
        if value is None or not low <= value <= high:  # NaN fails both comparisons
            raise WarningError(f"Choose a number from {low:g} to {high:,.0f}.", name)
    policy = db.session.get(WarningPolicy, 1, with_for_update=True)
    before = None if policy is None else _policy_snapshot(policy)
    if policy is None:
        policy = WarningPolicy(id=1)
        db.session.add(policy)
    policy.response_days = int(values["response_days"])
    policy.material_percent, policy.material_amount = values["material_percent"], values["material_amount"]
    db.session.flush()
    record_audit(actor, "warnings.policy", policy, before, _policy_snapshot(policy))
    return policy


def _policy_snapshot(policy: WarningPolicy) -> dict:
    return {name: getattr(policy, name) for name in POLICY_LIMITS}


# --- drafts and raising ---------------------------------------------------------------------

@dataclass
class WarningData:
    to_function_id: int
    title: str
    kind: str
    impact_low: float | None
    impact_high: float | None
    currency: str
    period: str
    confidence: str
    description: str = ""
    help_needed: str = ""
    metric_id: int | None = None
    show_name: bool = False
    idempotency_key: str | None = None  # of the create form (a replay with it records nothing)


def save_warning(actor: User, warning: EarlyWarning | None, data: WarningData, raise_now: bool,
                 now: datetime) -> EarlyWarning:
    """Create (warning None) or change a draft; raise it when asked (then the receiving function is told)."""
    if warning is None:
        if data.idempotency_key and db.session.scalar(
                select(EarlyWarning.id).where(EarlyWarning.idempotency_key == data.idempotency_key)) is not None:
            raise AlreadyRecorded()
    else:
        warning = _locked(warning.id)
        if warning.author_id != actor.id:
            raise NotAllowed("Only the warning's author can change it.")
        if warning.status != WarningStatus.DRAFT.value:
            raise WarningError("This warning is already raised; discuss it in the thread instead.")
    if actor.function_id is None:
        raise NotAllowed("You belong to no function, so there is no function to warn from.")
    _check(actor, data, clock.local(now).date(), complete=raise_now)
    warning = warning or EarlyWarning(author_id=actor.id, created_at=now, idempotency_key=data.idempotency_key)
    warning.from_function_id, warning.to_function_id = actor.function_id, data.to_function_id
    for name in ("title", "kind", "impact_low", "impact_high", "currency", "period", "confidence", "description",
                 "help_needed", "metric_id", "show_name"):
        setattr(warning, name, getattr(data, name))
    # as the period reads, whatever digits were typed; "" while a draft has none
    warning.period = rules.stored_period(data.period).label if data.period else ""
    if warning.id is None:
        db.session.add(warning)
    db.session.flush()
    if raise_now:
        _raise(warning, now)
    return warning


REQUIRED_TO_RAISE = {"impact_low": "the lowest impact", "impact_high": "the highest impact", "period": "the period"}


def missing_to_raise(data: WarningData) -> list[str]:
    """The fields a draft may leave empty but a raised warning needs, as the page names them."""
    given = {"impact_low": data.impact_low is not None, "impact_high": data.impact_high is not None,
             "period": bool(data.period)}
    return [label for name, label in REQUIRED_TO_RAISE.items() if not given[name]]


def _check(actor: User, data: WarningData, today: date, complete: bool) -> None:
    """Every field rule on the fields given; complete (raising) also needs every field a draft may leave empty.

    The first broken rule is raised against its field; missing fields are named together for the whole form.
    """
    target = db.session.get(Function, data.to_function_id)
    if target is None or not target.active:
        raise WarningError("Choose a function from the list.", "to_function_id")
    if target.id == actor.function_id:
        raise WarningError("Warn another function than your own.", "to_function_id")
    if data.kind not in {kind.value for kind in WarningKind}:
        raise WarningError("Choose a kind from the list.", "kind")
    if data.confidence not in {level.value for level in Confidence}:
        raise WarningError("Choose how confident you are.", "confidence")
    if data.currency not in CURRENCIES:
        raise WarningError("Choose a currency from the list.", "currency")
    low = _checked_amount(data.impact_low, "impact_low", "lowest impact")
    high = _checked_amount(data.impact_high, "impact_high", "highest impact")
    if low is not None and high is not None and low > high:
        raise WarningError("The lowest impact cannot be above the highest.", "impact_high")
    if data.period:
        _check_period(data.period, today)
    if data.metric_id is not None and metrics.get_outcome_metric(data.metric_id) is None:
        raise WarningError("Choose a metric from the list.", "metric_id")
    missing = missing_to_raise(data) if complete else []
    if missing:
        raise WarningError(f"Before it is raised, fill in {', '.join(missing)} (a draft can wait for them).")


def _check_period(label: str, today: date) -> None:
    period = rules.parse_period(label)
    if period is None:
        raise WarningError("Enter a month (2026-07) or a quarter (2026-Q3).", "period")
    if period.end <= today:
        raise WarningError("That period has already passed; warn about the present or the future.", "period")
    if period.start > today + timedelta(days=HORIZON_DAYS):
        raise WarningError("Warn about a period within the next two years.", "period")


def raise_draft(actor: User, warning: EarlyWarning, now: datetime) -> EarlyWarning:
    """Raise a saved draft as it stands (its fields are checked again: the period may have passed meanwhile)."""
    warning = _locked(warning.id)
    if warning.author_id != actor.id:
        raise NotAllowed("Only the warning's author can raise it.")
    if warning.status != WarningStatus.DRAFT.value:
        raise WarningError("This warning is already raised.")
    _check(actor, _data_of(warning), clock.local(now).date(), complete=True)
    _raise(warning, now)
    return warning


def _checked_amount(value: float | None, field: str, label: str) -> float | None:
    """The amount (None when not given), or a WarningError against its field when it is unacceptable."""
    if value is None:
        return None
    problem = rules.amount_problem(value, label)
    if problem is not None:
        raise WarningError(problem, field)
    return value


def _data_of(warning: EarlyWarning) -> WarningData:
    return WarningData(warning.to_function_id, warning.title, warning.kind, warning.impact_low, warning.impact_high,
                       warning.currency, warning.period, warning.confidence, warning.description,
                       warning.help_needed, warning.metric_id, warning.show_name)


def _raise(warning: EarlyWarning, now: datetime) -> None:
    """Raised: the response clock starts, the receiving function's responders hear of it, recognition pays."""
    period = rules.stored_period(warning.period)
    warning.status, warning.raised_at = WarningStatus.RAISED.value, now
    warning.lead_time_days = rules.lead_time_days(clock.local(now).date(), period)
    warning.respond_by = rules.add_working_days(now, get_policy().response_days)
    db.session.flush()
    sender = warning.from_function.name
    for person in responders_of(warning.to_function_id):
        notify(person, "warning", f"Early warning from {sender}: {warning.title}. Please acknowledge it by "
               f"{warning.respond_by:%-d %b %Y %H:%M} UTC.", link("early_warnings.detail", warning_id=warning.id))
    if warning.author is not None:
        signals.warning_raised.send("early_warnings", warning_id=warning.id, author=warning.author,
                                    from_function_id=warning.from_function_id, to_function_id=warning.to_function_id,
                                    lead_time_days=warning.lead_time_days, occurred_at=now)


def responders_of(function_id: int, *roles: Role) -> list[User]:
    """Active managers and leaders (or only `roles`) of a function, by id."""
    wanted = [role.value for role in (roles or RESPONDERS)]
    granted = select(RoleGrant.user_id).where(RoleGrant.role.in_(wanted))
    return list(db.session.scalars(select(User).where(
        User.function_id == function_id, User.active.is_(True), User.id.in_(granted)).order_by(User.id)))


# --- acknowledging, the thread, closing, reopening ------------------------------------------

def acknowledge(actor: User, warning: EarlyWarning, next_step: str, now: datetime) -> EarlyWarning:
    """A manager or leader of the receiving function acknowledges, naming the next step; exactly once."""
    warning = _locked(warning.id)
    if not is_responder(actor, warning.to_function_id):
        raise NotAllowed("Only a manager or leader of the receiving function can acknowledge this warning.")
    if warning.status != WarningStatus.RAISED.value:
        raise WarningError("This warning is already acknowledged." if warning.status != WarningStatus.DRAFT.value
                           else "This warning is still a draft.")
    if not next_step.strip():
        raise WarningError("Name the next step.", "next_step")
    claimed = rows_changed(db.session, (
        update(EarlyWarning).where(EarlyWarning.id == warning.id, EarlyWarning.status == WarningStatus.RAISED.value)
        .values(status=WarningStatus.ACKNOWLEDGED.value, acknowledged_by_id=actor.id, acknowledged_at=now,
                next_step=next_step.strip())))
    if claimed != 1:  # acknowledged by someone else at the same moment
        raise WarningError("This warning is already acknowledged.")
    db.session.refresh(warning)
    if warning.author is not None:
        notify(warning.author, "warning", f"{warning.to_function.name} acknowledged your warning \"{warning.title}\". "
               f"Next step: {warning.next_step}", link("early_warnings.detail", warning_id=warning.id))
    return warning


def add_comment(actor: User, warning: EarlyWarning, body: str, now: datetime, key: str | None) -> WarningComment:
    """Someone of either function writes in the thread of a raised warning."""
    warning = _locked(warning.id)
    if not can_see(actor, warning) or warning.status == WarningStatus.DRAFT.value:
        raise NotAllowed("Only people of the two functions can discuss a raised warning.")
    if key and db.session.scalar(select(WarningComment.id).where(WarningComment.idempotency_key == key)) is not None:
        raise AlreadyRecorded()
    if not body.strip():
        raise WarningError("Write something first.", "body")
    comment = WarningComment(warning_id=warning.id, author_id=actor.id, body=body.strip(), created_at=now,
                             idempotency_key=key)
    db.session.add(comment)
    db.session.flush()
    return comment


def close_warning(actor: User, warning: EarlyWarning, outcome: str, actual_impact: float | None, note: str,
                  now: datetime) -> EarlyWarning:
    """Once its period has passed, record what actually happened and the actual impact (zero when avoided)."""
    warning = _locked(warning.id)
    if not can_close(actor, warning):
        raise NotAllowed("Only the author or a manager or leader of the two functions can close this warning.")
    if warning.status not in (WarningStatus.RAISED.value, WarningStatus.ACKNOWLEDGED.value):
        raise WarningError("Only a raised warning can be closed." if warning.status == WarningStatus.DRAFT.value
                           else "This warning is already closed; reopen it to change it.")
    if rules.stored_period(warning.period).end > clock.local(now).date():
        raise WarningError("Close it once its period has passed.")
    if outcome not in {o.value for o in Outcome}:
        raise WarningError("Choose what happened.", "outcome")
    if outcome == Outcome.AVOIDED.value:
        actual_impact = actual_impact or 0.0
        if actual_impact != 0.0:
            raise WarningError("An avoided problem had no impact: leave the actual impact at 0.", "actual_impact")
    else:
        problem = rules.amount_problem(actual_impact, "actual impact")
        if problem:
            raise WarningError(problem, "actual_impact")
    claimed = rows_changed(db.session, (
        update(EarlyWarning).where(EarlyWarning.id == warning.id, EarlyWarning.status.in_(OPEN_STATUSES))
        .values(status=WarningStatus.CLOSED.value, outcome=outcome, actual_impact=actual_impact,
                closing_note=note.strip(), closed_by_id=actor.id, closed_at=now)))
    if claimed != 1:  # closed by someone else at the same moment
        raise WarningError("This warning is already closed; reopen it to change it.")
    db.session.refresh(warning)
    return warning


def reopen_warning(actor: User, warning: EarlyWarning, reason: str, now: datetime) -> EarlyWarning:
    """A closed warning changes only through this audited reopen (with a reason), by someone who may close it."""
    warning = _locked(warning.id)
    if not can_close(actor, warning):
        raise NotAllowed("Only the author or a manager or leader of the two functions can reopen this warning.")
    if warning.status != WarningStatus.CLOSED.value:
        raise WarningError("Only a closed warning can be reopened.")
    if not reason.strip():
        raise WarningError("Say why it is reopened.", "reason")
    before = _closing_snapshot(warning)
    status = WarningStatus.ACKNOWLEDGED.value if warning.acknowledged_at else WarningStatus.RAISED.value
    claimed = rows_changed(db.session, (
        update(EarlyWarning).where(EarlyWarning.id == warning.id, EarlyWarning.status == WarningStatus.CLOSED.value)
        .values(status=status, outcome=None, actual_impact=None, closed_by_id=None, closed_at=None)))
    if claimed != 1:  # reopened by someone else at the same moment
        raise WarningError("Only a closed warning can be reopened.")
    db.session.refresh(warning)
    record_audit(actor, "warning.reopen", warning, before, {**_closing_snapshot(warning), "reason": reason.strip()})
    return warning


def _closing_snapshot(warning: EarlyWarning) -> dict:
    return {"status": warning.status, "outcome": warning.outcome, "actual_impact": warning.actual_impact,
            "closing_note": warning.closing_note}


# --- reminders and escalation (the daily command) -------------------------------------------

def remind_and_escalate(now: datetime) -> tuple[int, int]:
    """Warnings waiting for acknowledgement: a reminder to the responders a day before the response time ends,
    then an escalation to the receiving function's leaders once it has passed;
    each once. Returns (reminded, escalated)."""
    waiting = select(EarlyWarning.id).where(
        EarlyWarning.status == WarningStatus.RAISED.value,
        EarlyWarning.respond_by <= now + REMIND_BEFORE,
        or_(EarlyWarning.reminded_at.is_(None), EarlyWarning.escalated_at.is_(None)),
    )
    reminded = escalated = 0
    for warning_id in db.session.scalars(waiting).all():
        warning = _locked(warning_id)
        respond_by = warning.respond_by
        if warning.status != WarningStatus.RAISED.value or respond_by is None:
            continue
        url = link("early_warnings.detail", warning_id=warning.id)
        if respond_by <= now and warning.escalated_at is None:
            for leader in responders_of(warning.to_function_id, Role.LEADER):
                notify(leader, "warning", f"Overdue: the early warning \"{warning.title}\" from "
                       f"{warning.from_function.name} was due for acknowledgement by "
                       f"{warning.respond_by:%-d %b %Y %H:%M} UTC.", url)
            warning.reminded_at, warning.escalated_at = warning.reminded_at or now, now
            escalated += 1
        elif respond_by > now and warning.reminded_at is None:
            for person in responders_of(warning.to_function_id):
                notify(person, "warning", f"Reminder: please acknowledge the early warning \"{warning.title}\" by "
                       f"{warning.respond_by:%-d %b %Y %H:%M} UTC.", url)
            warning.reminded_at = now
            reminded += 1
    db.session.flush()
    return reminded, escalated


# --- the product's own warnings: a mid-period amber crossing --------------------------------

def on_threshold_crossed(sender, metric_id: int, metric_name: str, period: str, value: float, threshold: float,
                         status: str, owner_function_id: int, partner_function_id: int, mid_period: bool,
                         occurred_at: datetime, **_) -> EarlyWarning | None:
    """A mid-period amber crossing opens a warning from the metric's owner function to the partner, once."""
    if status != "amber" or not mid_period or owner_function_id == partner_function_id:
        return None
    key = f"threshold-{metric_id}-{period}-{owner_function_id}-{partner_function_id}"[:64]
    if rules.parse_period(period) is None or db.session.scalar(
            select(EarlyWarning.id).where(EarlyWarning.idempotency_key == key)) is not None:
        return None
    owner, partner = db.session.get(Function, owner_function_id), db.session.get(Function, partner_function_id)
    if owner is None or partner is None:
        return None
    warning = EarlyWarning(
        author_id=None, from_function_id=owner_function_id, to_function_id=partner_function_id,
        title=f"{metric_name} crossed its amber threshold"[:200], kind=WarningKind.OTHER.value, period=period,
        description=f"{metric_name} is at {value:,.2f} for {period}, past the amber threshold of {threshold:,.2f}. "
                    f"Raised by Common Ground on behalf of {owner.name}.",
        confidence=Confidence.HIGH.value, metric_id=metric_id, created_at=occurred_at, idempotency_key=key)
    db.session.add(warning)
    db.session.flush()
    _raise(warning, occurred_at)
    return warning


# --- reconciliation at period close ---------------------------------------------------------

def reconcile_period(label: str, now: datetime) -> list[Variance]:
    """Every outcome metric's values of a closed period against the expected value (the target, else the previous
    period's value); each material variance is matched to the earlier warnings about it, or stands as a surprise.
    Running it again replaces the period's results."""
    period = rules.parse_period(label)
    if period is None:
        raise WarningError("Enter a month (2026-07) or a quarter (2026-Q3).", "period")
    if period.end > clock.local(now).date():
        raise WarningError("Reconcile a period once it has closed.", "period")
    policy = get_policy()
    results = []
    for metric in metrics.outcome_metrics():
        points = metrics.metric_points(metric.id)
        previous = rules.previous_period(period).label
        earlier = {p.function_id: p.value for p in points if p.period == previous}
        for point in (p for p in points if p.period == period.label):
            target = metrics.metric_target(metric.id, period.label)
            expected, source = (
                (target, "target") if target is not None else (earlier.get(point.function_id), "previous")
            )
            if expected is None:
                continue
            results.append(_record_variance(metric, period, point, expected, source, policy, now))
    db.session.flush()
    return results


def _record_variance(metric, period: rules.Period, point, expected: float, source: str, policy: WarningPolicy,
                     now: datetime) -> Variance:
    key = point.function_id or 0
    variance = db.session.scalar(select(Variance).where(Variance.metric_id == metric.id,
                                                        Variance.period == period.label, Variance.function_key == key))
    if variance is None:
        variance = Variance(metric_id=metric.id, period=period.label, function_id=point.function_id, function_key=key)
        db.session.add(variance)
    variance.metric_name, variance.expected, variance.expected_from, variance.actual = (
        metric.name, expected, source, point.value)
    variance.material = rules.is_material(point.value, expected, policy.material_percent, policy.material_amount)
    variance.reconciled_at = now
    db.session.flush()
    db.session.execute(delete(variance_warning).where(variance_warning.c.variance_id == variance.id))
    matched = _warnings_about(metric.id, period, point.function_id) if variance.material else []
    if matched:
        db.session.execute(insert(variance_warning), [{"variance_id": variance.id, "warning_id": w} for w in matched])
    db.session.expire(variance, ["warnings"])
    return variance


def _warnings_about(metric_id: int, period: rules.Period, function_id: int | None) -> list[int]:
    """Raised warnings about the metric, raised before the period closed, for an overlapping period (and, for a
    per-function value, sent from or to that function)."""
    query = select(EarlyWarning).where(EarlyWarning.metric_id == metric_id, EarlyWarning.raised_at.is_not(None),
                                       EarlyWarning.status != WarningStatus.DRAFT.value)
    if function_id is not None:
        query = query.where(
            or_(EarlyWarning.from_function_id == function_id, EarlyWarning.to_function_id == function_id)
        )
    return [w.id for w in db.session.scalars(query)
            if w.raised_at is not None and w.raised_at.date() < period.end
            and rules.periods_overlap_by_containment(rules.stored_period(w.period), period)]

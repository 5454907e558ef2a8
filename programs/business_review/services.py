"""Writes of the monthly business review: set-up, targets, reviews, notes, decisions, sign-offs, reopen, alerts.

Services flush and never commit (the views' commit_or_show / commit_or_flash do); every state change locks the
review row and re-reads it. Refusals are RuleError subclasses naming the form field.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from programs.business_review import queries
from programs.business_review.models import (
    ACTION,
    DECISION,
    DRAFT,
    EXPLANATION,
    NEED,
    PERSPECTIVES,
    SIGNED,
    TEXT_MAX,
    AgendaAlert,
    MetricNote,
    MetricTarget,
    MonthlyReview,
    ReviewItem,
    ReviewSignoff,
    ScorecardMetric,
    StatusSettings,
)
from programs.business_review.status import AMBER, crossing, rules_error, thresholds_error, trend
from webapp import clock, signals
from webapp.auth.services import record_audit
from webapp.db import rows_changed
from webapp.errors import AlreadyRecorded, Refused, RuleError
from webapp.extensions import db
from webapp.metrics import get_outcome_metric
from webapp.notifications.services import link, notify
from webapp.people.models import Function, User
from webapp.roles import Role
from webapp.validators import finite_number

MEETING_DAYS_AFTER_MONTH = 62  # a review is held at the latest two months after its month


class ReviewError(RuleError):
    """A rule of the monthly business review was broken."""


# --- settings and set-up ------------------------------------------------------------------------------

def save_status_rules(actor: User, on_track_percent: float, at_risk_percent: float) -> StatusSettings:
    if (error := rules_error(on_track_percent, at_risk_percent)) is not None:
        raise ReviewError(error, "at_risk_percent")
    row = db.session.get(StatusSettings, 1, with_for_update=True) or StatusSettings(id=1)
    before = {"on_track_percent": row.on_track_percent, "at_risk_percent": row.at_risk_percent}
    row.on_track_percent, row.at_risk_percent = on_track_percent, at_risk_percent
    db.session.add(row)
    db.session.flush()
    record_audit(actor, "business_review.settings", row, before,
                 {"on_track_percent": on_track_percent, "at_risk_percent": at_risk_percent})
    return row


def _number(value: float | None, field: str) -> float:
    if value is None or finite_number(value) is None:
        raise ReviewError("Enter a finite number of a believable size.", field)
    return float(value)


def _function(function_id: int | None, field: str) -> Function:
    function = db.session.get(Function, function_id or 0)
    if function is None or not function.active:
        raise ReviewError("Choose an active function.", field)
    return function


def set_up_metric(actor: User, metric_id: int, perspective: str, owner_function_id: int, partner_function_id: int,
                  amber: float | None, red: float | None) -> ScorecardMetric:
    """Create or change a metric's place on the scorecard; thresholds must fit its direction (red beyond amber)."""
    metric = get_outcome_metric(metric_id)
    if metric is None:
        raise ReviewError("That metric does not exist.", "metric_id")
    if perspective not in PERSPECTIVES:
        raise ReviewError("Choose a perspective of the balanced scorecard.", "perspective")
    owner, partner = _function(owner_function_id, "owner_function_id"), _function(partner_function_id,
                                                                                   "partner_function_id")
    if owner.id == partner.id:
        raise ReviewError("The partner must be another function than the owner.", "partner_function_id")
    amber, red = _number(amber, "amber_threshold"), _number(red, "red_threshold")
    if (error := thresholds_error(metric.higher_is_better, amber, red)) is not None:
        raise ReviewError(error, "red_threshold")
    setup = db.session.scalar(select(ScorecardMetric).where(ScorecardMetric.metric_id == metric_id)
                              .with_for_update()) or ScorecardMetric(metric_id=metric_id)
    setup.perspective, setup.owner_function_id, setup.partner_function_id = perspective, owner.id, partner.id
    setup.amber_threshold, setup.red_threshold = amber, red
    db.session.add(setup)
    db.session.flush()
    record_audit(actor, "business_review.metric", setup, None, {
        "metric_id": metric_id, "perspective": perspective, "owner": owner.code, "partner": partner.code,
        "amber": amber, "red": red})
    return setup


def set_target(actor: User, metric_id: int, period: str, value: float | None) -> MetricTarget:
    """Set (or replace) the planned value of a period of the metric's frequency."""
    metric = get_outcome_metric(metric_id)
    if metric is None or queries.setup_of(metric_id) is None:
        raise ReviewError("Set the metric up on the scorecard first.", "period")
    if not queries.is_valid_period(period, metric.frequency):
        raise ReviewError("Enter a quarter such as 2026-Q4." if metric.frequency == "quarterly"
                          else "Enter a month such as 2026-11.", "period")
    value = _number(value, "value")
    target = db.session.scalar(select(MetricTarget).where(MetricTarget.metric_id == metric_id,
                                                          MetricTarget.period == period).with_for_update())
    before = None if target is None else {"value": target.value}
    target = target or MetricTarget(metric_id=metric_id, period=period)
    target.value = value
    db.session.add(target)
    db.session.flush()
    record_audit(actor, "business_review.target", target, before, {"metric_id": metric_id, "period": period,
                                                                    "value": value})
    return target


# --- reviews ------------------------------------------------------------------------------------------------

def open_review(actor: User, pair: tuple[int, int], month: str, meeting_on: date | None, key: str) -> MonthlyReview:
    """A draft review of a month for a pair, opened by a leader of the pair (or an admin)."""
    first, second = _function(pair[0], "first_function_id"), _function(pair[1], "second_function_id")
    if first.id == second.id:
        raise ReviewError("A review is held by two different functions.", "second_function_id")
    if not (queries.is_leader_of(actor, (first.id, second.id)) or actor.has_role(Role.ADMIN)):
        raise Refused("Only a leader of one of the two functions opens their monthly review.")
    first_day = queries.parse_month(month)
    today = clock.today()
    if first_day is None or first_day > today:
        raise ReviewError("Choose a month that has begun, such as " + today.strftime("%Y-%m") + ".", "month")
    latest_meeting = queries.month_after(first_day) + timedelta(days=MEETING_DAYS_AFTER_MONTH)
    if meeting_on is None or not first_day <= meeting_on <= latest_meeting:
        raise ReviewError(f"The meeting falls between {first_day:%d %b %Y} and {latest_meeting:%d %b %Y}.",
                          "meeting_on")
    if queries.review_of((first.id, second.id), month) is not None:
        raise AlreadyRecorded("This pair already has a review of that month.", "month")
    low, high = queries.ordered((first.id, second.id))
    review = MonthlyReview(idempotency_key=key, first_function_id=low, second_function_id=high, month=month,
                           meeting_on=meeting_on, state=DRAFT, created_by_id=actor.id)
    db.session.add(review)
    db.session.flush()
    return review


def _lock_draft(review: MonthlyReview) -> MonthlyReview:
    """Lock the review row, re-read it, and refuse a signed one (it changes only through a reopen)."""
    db.session.refresh(review, with_for_update=True)
    if review.state != DRAFT:
        raise ReviewError("This review is signed; a leader must reopen it before it changes.")
    return review


def _line(review: MonthlyReview, metric_id: int) -> queries.MetricLine:
    line = next((line for line in queries.metric_lines(review.pair, review.month) if line.metric_id == metric_id),
                None)
    if line is None:
        raise ReviewError("That metric is not on this review.", "metric_id")
    return line


def _text(text: str | None, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ReviewError("Write a few words.", field)
    if len(text) > TEXT_MAX:
        raise ReviewError(f"Keep it under {TEXT_MAX:,} characters.", field)
    return text


def save_note(actor: User, review: MonthlyReview, metric_id: int, kind: str, text: str,
              agrees: bool | None = None) -> MetricNote:
    """The owner function's explanation, or the partner function's "what we need from you" (with whether the
    explanation holds for them), on an amber or red metric; a second save replaces the text."""
    if not queries.may_take_part(actor, review):
        raise Refused("Only the people of the two functions write on their review.")
    _lock_draft(review)
    line = _line(review, metric_id)
    if not line.needs_notes:
        raise ReviewError("Notes are kept for amber and red metrics.", "text")
    writer = {EXPLANATION: line.owner_function_id, NEED: line.partner_function_id}.get(kind)
    if writer is None:
        raise ReviewError("Choose the explanation or the request.", "kind")
    if actor.function_id != writer and not actor.has_role(Role.ADMIN):
        owner = line.owner_function if kind == EXPLANATION else line.partner_function
        raise ReviewError(f"This note is written by {owner}.")
    text = _text(text, "text")
    note = db.session.scalar(select(MetricNote).where(MetricNote.review_id == review.id,
                                                      MetricNote.metric_id == metric_id, MetricNote.kind == kind))
    note = note or MetricNote(review_id=review.id, metric_id=metric_id, kind=kind)
    note.text, note.author_id = text, actor.id
    note.agrees = agrees if kind == NEED else None
    db.session.add(note)
    db.session.flush()
    return note


def add_item(actor: User, review: MonthlyReview, kind: str, text: str, owner_id: int | None, due_on: date | None,
             key: str) -> ReviewItem:
    """A decision or an action of the meeting, each with one owner from the pair's functions."""
    if not queries.may_take_part(actor, review):
        raise Refused("Only the people of the two functions write on their review.")
    _lock_draft(review)
    if kind not in (DECISION, ACTION):
        raise ReviewError("Choose a decision or an action.", "kind")
    text = _text(text, "text")
    owner = db.session.get(User, owner_id or 0)
    if owner is None or not owner.active or owner.function_id not in review.pair:
        raise ReviewError("The owner is someone of one of the two functions.", "owner_id")
    if kind == ACTION:
        earliest, latest = review.meeting_on, review.meeting_on + timedelta(days=366)
        if due_on is None or not earliest <= due_on <= latest:
            raise ReviewError(f"An action is due between {earliest:%d %b %Y} and {latest:%d %b %Y}.", "due_on")
    item = ReviewItem(idempotency_key=key, review_id=review.id, kind=kind, text=text, owner_id=owner.id,
                      due_on=due_on if kind == ACTION else None, created_by_id=actor.id)
    db.session.add(item)
    db.session.flush()
    return item


def sign_review(actor: User, review: MonthlyReview) -> MonthlyReview:
    """A leader of one of the pair signs for their function; the second function's signature freezes the review."""
    if not queries.is_leader_of(actor, review.pair):
        raise Refused("Only a leader of one of the two functions signs their review.")
    _lock_draft(review)
    if any(signoff.function_id == actor.function_id for signoff in review.signoffs):
        raise AlreadyRecorded("Your function has already signed this review.")
    missing = queries.missing_notes(queries.metric_lines(review.pair, review.month), queries.notes_by_metric(review))
    if missing:
        raise ReviewError("Amber and red metrics need both notes first: " + ", ".join(missing) + ".")
    db.session.add(ReviewSignoff(review_id=review.id, function_id=actor.function_id, user_id=actor.id,
                                 signed_at=clock.now()))
    db.session.flush()
    db.session.refresh(review)
    if {signoff.function_id for signoff in review.signoffs} == set(review.pair):
        freeze(review, clock.now())
    return review


def snapshot_hash(body: dict) -> str:
    """SHA-256 of the frozen pack, over its canonical JSON (sorted keys, no spaces)."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def freeze(review: MonthlyReview, signed_at: datetime) -> None:
    """Sign the review: freeze its pack (definitions, thresholds, values, notes, decisions) and the pack's hash."""
    body = queries.snapshot_body(review)
    review.snapshot, review.snapshot_sha256 = body, snapshot_hash(body)
    review.state, review.signed_at = SIGNED, signed_at
    db.session.flush()


def reopen_review(actor: User, review: MonthlyReview, reason: str) -> MonthlyReview:
    """A leader of the pair (or an admin) reopens a signed review, with a reason, in the audit log."""
    if not (queries.is_leader_of(actor, review.pair) or actor.has_role(Role.ADMIN)):
        raise Refused("Only a leader of one of the two functions reopens their review.")
    reason = _text(reason, "reason")
    db.session.refresh(review, with_for_update=True)
    if review.state != SIGNED:
        raise ReviewError("Only a signed review is reopened.")
    assert review.signed_at is not None  # set with the state, by the signature that froze the pack
    record_audit(
        actor,
        "business_review.reopen",
        review,
        {"state": SIGNED, "snapshot_sha256": review.snapshot_sha256, "signed_at": review.signed_at.isoformat()},
        {"state": DRAFT, "reason": reason},
    )
    for signoff in review.signoffs:
        db.session.delete(signoff)
    review.state, review.signed_at, review.snapshot, review.snapshot_sha256 = DRAFT, None, None, None
    db.session.flush()
    db.session.expire(review, ["signoffs"])
    return review


# --- notifications -----------------------------------------------------------------------------------------------

def send_pre_reads(today: date) -> int:
    """Send each draft whose meeting is tomorrow to the people of both functions, once (a conditional update)."""
    due = db.session.scalars(select(MonthlyReview).where(MonthlyReview.state == DRAFT,
                                                         MonthlyReview.meeting_on == today + timedelta(days=1),
                                                         MonthlyReview.pre_read_sent_at.is_(None))).all()
    sent = 0
    for review in due:
        claimed = rows_changed(
            db.session,
            update(MonthlyReview)
            .where(MonthlyReview.id == review.id, MonthlyReview.pre_read_sent_at.is_(None))
            .values(pre_read_sent_at=clock.now()),
        )
        if not claimed:
            continue
        url = link("business_review.review", review_id=review.id)
        message = (f"Pre-read: the {review.month} business review of {review.first_function.name} and "
                   f"{review.second_function.name} meets tomorrow.")
        for person in queries.members_of(review.pair):
            notify(person, "info", message, url)
        sent += 1
    return sent


def record_crossing(sender, metric_id: int, period: str, function_id: int | None, value: float,
                    previous: float | None, occurred_at: datetime, **_) -> AgendaAlert | None:
    """metric_value_recorded: when the pair's value crosses amber or red, tell both functions' owners (their
    leaders), put it on the pair's next review, and announce metric_threshold_crossed."""
    setup, metric = queries.setup_of(metric_id), get_outcome_metric(metric_id)
    if setup is None or metric is None or function_id != (setup.owner_function_id if metric.per_function else None):
        return None
    status = crossing(previous, value, metric.higher_is_better, setup.amber_threshold, setup.red_threshold)
    if status is None:
        return None
    threshold = setup.amber_threshold if status == AMBER else setup.red_threshold
    pair = queries.ordered((setup.owner_function_id, setup.partner_function_id))
    alert = _agenda_alert(setup, metric, pair, period, value, threshold, status, occurred_at)
    _notify_owners(setup, metric.name, alert)
    signals.metric_threshold_crossed.send(
        "business_review", metric_id=metric_id, metric_name=metric.name, period=period, value=value,
        threshold=threshold, status=status, owner_function_id=setup.owner_function_id,
        partner_function_id=setup.partner_function_id, mid_period=queries.period_end(period) > clock.today(),
        occurred_at=occurred_at)
    return alert


def _agenda_alert(setup: ScorecardMetric, metric, pair: tuple[int, int], period: str, value: float,
                  threshold: float, status: str, occurred_at: datetime) -> AgendaAlert:
    values = queries.pair_value_points(metric, setup.owner_function_id)
    values[period] = value
    series = [number for when, number in sorted(values.items()) if when <= period]
    alert = db.session.scalar(select(AgendaAlert).where(AgendaAlert.metric_id == metric.id,
                                                        AgendaAlert.period == period, AgendaAlert.status == status))
    alert = alert or AgendaAlert(metric_id=metric.id, period=period, status=status,
                                 first_function_id=pair[0], second_function_id=pair[1])
    alert.review_month = queries.next_review_month(pair, period)
    alert.value, alert.threshold, alert.recorded_at = value, threshold, occurred_at
    alert.trend = trend(series, metric.higher_is_better) or ""
    db.session.add(alert)
    db.session.flush()
    return alert


def _notify_owners(setup: ScorecardMetric, name: str, alert: AgendaAlert) -> None:
    message = (f"{name} is {alert.status} for {alert.period}: {alert.value:g} crossed the {alert.status} threshold "
               f"{alert.threshold:g}. It is on the {alert.review_month} business review.")
    url = link("business_review.reviews")
    for leader in queries.leaders_of((setup.owner_function_id, setup.partner_function_id)):
        notify(leader, "info", message, url)

"""Writes of the trust pulse. Each enforces its rules, flushes (never commits) and audits admin actions."""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from flask import current_app
from sqlalchemy import ColumnElement, delete, insert, select, update

from programs.trust import builtin, reporting
from programs.trust.anonymity import (
    DEFAULT_MIN_COMMENT_GROUP,
    DEFAULT_MIN_GROUP,
    check_threshold,
)
from programs.trust.importing import ValuePlan, period_error, plan_values_import
from programs.trust.models import (
    AGREE5,
    AUDIENCE,
    NPS11,
    PER_FUNCTION,
    SCALES,
    TARGET,
    TrustAnswer,
    TrustComment,
    TrustItem,
    TrustMetric,
    TrustMetricValue,
    TrustParticipation,
    TrustPendingSheet,
    TrustResponse,
    TrustTemplate,
    TrustWave,
    TrustWaveAudience,
    TrustWaveFunction,
    TrustWaveResult,
)
from programs.trust.queries import (
    answer_frames,
    function_lookup,
    has_answered,
    live_headcount,
    template_in_use,
    wave_frames,
    wave_has_responses,
)
from programs.trust.sealing import Sheet, derive_key, seal, sheet_size, unseal
from webapp import clock, signals
from webapp.auth.services import record_audit
from webapp.db import rows_changed
from webapp.errors import AlreadyRecorded, RuleError
from webapp.extensions import db
from webapp.forms import key_used
from webapp.notifications.services import link, notify
from webapp.people.models import Function, User
from webapp.periods import quarter_label

COMMENT_MAX = 2000
ANSWER_BATCH = 10_000  # answers written per statement when a wave closes
SHEET_BATCH = 500  # sealed sheets read per statement when a wave closes


class TrustError(RuleError):
    """A rule of this package was broken (see webapp.errors.RuleError)."""


# --- templates ------------------------------------------------------------------------------

def ensure_builtin_template() -> TrustTemplate:
    """The built-in cross-functional trust pulse (created once)."""
    template = db.session.scalar(select(TrustTemplate).where(TrustTemplate.builtin.is_(True)))
    if template is not None:
        return template
    template = TrustTemplate(name=builtin.BUILTIN_NAME, description=builtin.BUILTIN_DESCRIPTION, builtin=True)
    template.items = [
        TrustItem(position=i, dimension=dim, text=text, reverse=reverse, scale=AGREE5)
        for i, (dim, text, reverse) in enumerate(builtin.AGREEMENT_ITEMS)
    ]
    dimension, text = builtin.RECOMMEND_ITEM
    template.items.append(TrustItem(position=len(template.items), dimension=dimension, text=text, scale=NPS11))
    db.session.add(template)
    db.session.flush()
    return template


def _ensure_editable(template: TrustTemplate) -> None:
    if template.id is not None and template_in_use(template.id):
        raise TrustError("A wave of this template has responses: its questions are frozen. Copy it to change them.")


def save_template(actor: User, template: TrustTemplate | None, name: str, description: str) -> TrustTemplate:
    """Create or rename a template (names are unique)."""
    clash = select(TrustTemplate.id).where(TrustTemplate.name == name)
    if template is not None:
        clash = clash.where(TrustTemplate.id != template.id)
    if db.session.scalar(clash) is not None:
        raise TrustError("Another template already has this name.", "name")
    template = template or TrustTemplate()
    before = None if template.id is None else {"name": template.name, "description": template.description}
    template.name, template.description = name, description
    db.session.add(template)
    db.session.flush()
    record_audit(actor, "trust.template.save", template, before, {"name": name, "description": description})
    return template


def copy_template(actor: User, template: TrustTemplate) -> TrustTemplate:
    """A new, editable template with the same items."""
    name = f"Copy of {template.name}"[:120]
    copy = save_template(actor, None, name if not _name_taken(name) else f"{name[:100]} {secrets.token_hex(3)}",
                         template.description)
    copy.items = [TrustItem(position=i.position, text=i.text, dimension=i.dimension, reverse=i.reverse, scale=i.scale)
                  for i in template.items]
    db.session.flush()
    return copy


def _name_taken(name: str) -> bool:
    return db.session.scalar(select(TrustTemplate.id).where(TrustTemplate.name == name)) is not None


def save_item(actor: User, template: TrustTemplate, item: TrustItem | None, text: str, dimension: str,
              reverse: bool, scale: str) -> TrustItem:
    """Add or change a statement of a template that no answered wave uses."""
    _ensure_editable(template)
    if scale not in SCALES:
        raise TrustError("Choose a scale.", "scale")
    if item is not None and item.template_id != template.id:
        raise TrustError("That question belongs to another template.")
    item = item or TrustItem(template=template, position=len(template.items))
    before = None if item.id is None else {"text": item.text, "dimension": item.dimension, "reverse": item.reverse}
    item.text, item.dimension, item.reverse, item.scale = text, dimension.lower(), reverse and scale == AGREE5, scale
    db.session.add(item)
    db.session.flush()
    record_audit(actor, "trust.item.save", item, before,
                 {"template_id": template.id, "text": text, "dimension": item.dimension, "reverse": item.reverse})
    return item


def delete_item(actor: User, item: TrustItem) -> TrustTemplate:
    """Remove a statement of a template that no answered wave uses."""
    template = item.template
    _ensure_editable(template)
    template.items.remove(item)
    db.session.flush()
    record_audit(actor, "trust.item.delete", item, {"template_id": template.id, "text": item.text}, None)
    return template


# --- waves --------------------------------------------------------------------------------------

@dataclass
class WaveData:
    title: str
    template_id: int
    opens_on: date
    closes_on: date
    audience_ids: set[int]
    target_ids: set[int] = field(default_factory=set)  # empty: every active function
    allow_overlap: bool = False  # HR knowingly runs a second wave for the same audience and quarter
    idempotency_key: str | None = None  # of the create form (a replay with it records nothing)


def create_wave(actor: User, data: WaveData) -> TrustWave:
    """A new wave; its targets default to every active function; thresholds start at the defaults."""
    if key_used(TrustWave, data.idempotency_key) is not None:
        raise AlreadyRecorded()
    template = db.session.get(TrustTemplate, data.template_id)
    if template is None or not any(item.scale == AGREE5 for item in template.items):
        raise TrustError("Choose a template with at least one agreement question.", "template_id")
    if data.closes_on < data.opens_on:
        raise TrustError("The wave must close on or after the day it opens.", "closes_on")
    active = set(db.session.scalars(select(Function.id).where(Function.active.is_(True))))
    if not data.audience_ids or not data.audience_ids <= active:
        raise TrustError("Choose at least one active function to answer.", "audience_ids")
    targets = data.target_ids or active
    if not targets <= active:
        raise TrustError("Choose active functions to rate.", "target_ids")
    if all(targets <= {fid} for fid in data.audience_ids):
        raise TrustError("Each answering function needs at least one other function to rate.", "target_ids")
    overlapping = _overlapping_waves(data.audience_ids, quarter_label(data.closes_on))
    if overlapping and not data.allow_overlap:
        raise TrustError(
            f"“{overlapping[0].title}” already asks some of these functions in "
            f"{overlapping[0].period}: they would see two pulses. Tick “Run it anyway” to create it knowingly.",
            "allow_overlap",
        )
    wave = TrustWave(title=data.title, template=template, opens_on=data.opens_on, closes_on=data.closes_on,
                     period=quarter_label(data.closes_on), min_group=DEFAULT_MIN_GROUP,
                     min_comment_group=DEFAULT_MIN_COMMENT_GROUP, idempotency_key=data.idempotency_key)
    wave.scopes = [TrustWaveFunction(function_id=f, role=AUDIENCE) for f in sorted(data.audience_ids)]
    wave.scopes += [TrustWaveFunction(function_id=f, role=TARGET) for f in sorted(targets)]
    db.session.add(wave)
    db.session.flush()
    record_audit(actor, "trust.wave.create", wave, None, {
        "title": wave.title, "opens_on": data.opens_on.isoformat(), "closes_on": data.closes_on.isoformat(),
        "audience": sorted(data.audience_ids), "targets": sorted(targets),
        "overlaps": [w.id for w in overlapping]})
    return wave


def _overlapping_waves(audience_ids: set[int], period: str) -> list[TrustWave]:
    """Waves of the same quarter that any of these functions already answer."""
    return list(db.session.scalars(
        select(TrustWave).join(TrustWaveFunction, TrustWaveFunction.wave_id == TrustWave.id)
        .where(TrustWave.period == period, TrustWaveFunction.role == AUDIENCE,
               TrustWaveFunction.function_id.in_(audience_ids))
        .distinct().order_by(TrustWave.id)))


def _audience(wave: TrustWave):
    return select(User).where(User.function_id.in_(wave.function_ids(AUDIENCE)), User.active.is_(True))


def _claim(wave: TrustWave, claimed: ColumnElement[bool], **values) -> bool:
    """A conditional UPDATE of the wave row: True for the one caller whose condition still held."""
    return rows_changed(db.session, update(TrustWave).where(TrustWave.id == wave.id, claimed).values(**values)
                        .execution_options(synchronize_session="fetch")) == 1


def announce_wave(wave: TrustWave, today: date) -> TrustWave:
    """The invitation, once, on the day the wave is open: every active person of the audience is notified."""
    if wave.is_open_on(today) and _claim(wave, TrustWave.announced_at.is_(None), announced_at=clock.now()):
        for person in db.session.scalars(_audience(wave)):
            minutes = builtin.time_estimate(wave.template.items, len(targets_of(wave, person.function_id)))
            notify(person, "pulse", f"The trust pulse “{wave.title}” is open until {wave.closes_on.isoformat()}; "
                   f"it takes {minutes} and is anonymous.", link("trust.pulse", wave_id=wave.id))
    return wave


def announce_due_waves(today: date) -> list[TrustWave]:
    """Send the invitation of every wave that has opened by today and has not been announced (the daily job)."""
    due = db.session.scalars(select(TrustWave).where(
        TrustWave.announced_at.is_(None), TrustWave.closed_at.is_(None), TrustWave.opens_on <= today,
        TrustWave.closes_on >= today).order_by(TrustWave.opens_on, TrustWave.id)).all()
    return [wave for wave in due if announce_wave(wave, today).announced_at is not None]


def remind_wave(actor: User, wave: TrustWave, today: date) -> TrustWave:
    """Remind everyone of the audience who has not answered (the product knows who took part, never what they said).

    One reminder a day at most: a conditional update claims the day.
    """
    if not wave.is_open_on(today) or wave.announced_at is None:
        raise TrustError("Only an open wave whose invitation has gone out can send a reminder.")
    if not _claim(wave, (TrustWave.reminded_on.is_(None)) | (TrustWave.reminded_on < today), reminded_on=today):
        raise TrustError("A reminder for this wave already went out today.")
    answered = select(TrustParticipation.user_id).where(TrustParticipation.wave_id == wave.id)
    for person in db.session.scalars(_audience(wave).where(User.id.not_in(answered))):
        notify(person, "pulse", f"A reminder: the trust pulse “{wave.title}” closes on {wave.closes_on.isoformat()}. "
               "If you have answered already, thank you.", link("trust.pulse", wave_id=wave.id))
    record_audit(actor, "trust.wave.remind", wave, None, {"on": today.isoformat()})
    return wave


def set_thresholds(actor: User, wave: TrustWave, min_group: int, min_comment_group: int, today: date) -> TrustWave:
    """Change k and the comment threshold before the wave opens (frozen from then on); never below the floor."""
    if wave.closed_at is not None or wave.opens_on <= today:
        raise TrustError("This wave has opened: its anonymity thresholds are frozen.")
    answered = wave_has_responses(wave.id)
    for value, current, label, name in ((min_group, wave.min_group, "minimum group size", "min_group"),
                                        (min_comment_group, wave.min_comment_group, "minimum group for comments",
                                         "min_comment_group")):
        if (error := check_threshold(value, current, answered, label)) is not None:
            raise TrustError(error, name)
    if min_comment_group < min_group:
        raise TrustError("Comments need at least as many respondents as figures.", "min_comment_group")
    before = {"min_group": wave.min_group, "min_comment_group": wave.min_comment_group}
    wave.min_group, wave.min_comment_group = min_group, min_comment_group
    db.session.flush()
    record_audit(
        actor, "trust.wave.thresholds", wave, before, {"min_group": min_group, "min_comment_group": min_comment_group}
    )
    return wave


def close_wave(actor: User | None, wave: TrustWave, today: date) -> TrustWave:
    """Close a wave now (or on its date): answers stop, the sealed sheets become responses, results are
    computed once, wave_closed is sent. The wave is locked and re-read first (pending changes flushed, not lost)."""
    db.session.flush()
    db.session.refresh(wave, with_for_update=True)
    if wave.closed_at is not None:
        raise TrustError("This wave is already closed.")
    wave.closed_at = clock.now()
    wave.closes_on = min(wave.closes_on, max(today, wave.opens_on))
    wave.period = quarter_label(wave.closes_on)
    db.session.flush()
    store_results(wave, answer_frames(write_responses(wave)))
    record_audit(actor, "trust.wave.close", wave, None, {"closes_on": wave.closes_on.isoformat()})
    signals.wave_closed.send("trust", wave_id=wave.id, closes_on=wave.closes_on)
    return wave


def close_due_waves(today: date) -> list[TrustWave]:
    """Close every open wave whose closing date has passed (the daily job)."""
    due = db.session.scalars(select(TrustWave).where(TrustWave.closed_at.is_(None), TrustWave.closes_on < today)
                             .order_by(TrustWave.closes_on, TrustWave.id)).all()
    for wave in due:
        close_wave(None, wave, today)
    return list(due)


def store_results(wave: TrustWave, frames: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> TrustWaveResult:
    """Compute the wave's reports (everyone and every filter) with its thresholds, and keep them.

    frames: the wave's answers (queries.answer_frames) when the caller has them, else they are read.
    The first time (at close) the audience's headcount is recorded too (record_audience).
    """
    record_audience(wave)
    answers, recommend = frames or wave_frames(wave.id)
    reports = reporting.wave_reports(answers, recommend, wave.min_group)
    result = db.session.get(TrustWaveResult, wave.id) or TrustWaveResult(wave_id=wave.id)
    result.min_group, result.computed_at, result.reports = wave.min_group, clock.now(), reports
    db.session.add(result)
    db.session.flush()
    return result


def record_audience(wave: TrustWave) -> None:
    """Keep each audience function's active headcount as it is now, once per wave (at close)."""
    if db.session.scalar(select(TrustWaveAudience.wave_id).where(TrustWaveAudience.wave_id == wave.id).limit(1)):
        return
    headcount = live_headcount(wave.function_ids(AUDIENCE))
    db.session.add_all(TrustWaveAudience(wave_id=wave.id, function_id=fid, people=headcount.get(fid, 0))
                       for fid in sorted(wave.function_ids(AUDIENCE)))
    db.session.flush()


# --- answering -----------------------------------------------------------------------------------

@dataclass
class Answers:
    scores: dict[tuple[int, int], int]  # (target function id, item id) -> 1..5, or 0..10 for the NPS item
    comments: dict[int, str] = field(default_factory=dict)  # target function id -> text
    skipped: set[int] = field(default_factory=set)  # "I don't work with them": no answer about these targets


def targets_for(wave: TrustWave, user: User) -> list[Function]:
    """The functions this person rates in the wave (never their own)."""
    return targets_of(wave, user.function_id)


def targets_of(wave: TrustWave, function_id: int | None) -> list[Function]:
    """The functions someone of function_id rates in the wave."""
    functions = [s.function for s in wave.scopes if s.role == TARGET and s.function_id != function_id]
    return sorted(functions, key=lambda f: f.name)


def tenure_band(hired_on: date | None, on: date) -> str:
    years = (on - hired_on).days / 365.25 if hired_on else 0
    return "<1y" if years < 1 else "1-3y" if years < 3 else "3y+"


def submit_response(user: User, wave: TrustWave, answers: Answers, today: date) -> None:
    """Record one anonymous response: a participation row and the answers sealed until the wave closes.

    The wave is locked for share, so a close cannot slip between the check and the write.
    """
    db.session.refresh(wave, with_for_update={"read": True})
    if not wave.is_open_on(today):
        raise TrustError("This pulse is not open.")
    if user.function_id not in wave.function_ids(AUDIENCE):
        raise TrustError("This pulse is not for your function.")
    if has_answered(wave.id, user.id):
        raise TrustError("You have already answered this pulse. Thank you!")
    targets = {f.id for f in targets_for(wave, user)}
    _check_answers(wave, targets, answers)
    sheet = Sheet(rater_function_id=user.function_id, tenure=tenure_band(user.hired_on, wave.opens_on),
                  scores=answers.scores, comments={t: text for t, text in answers.comments.items() if text})
    db.session.add(TrustParticipation(wave_id=wave.id, user_id=user.id, function_id=user.function_id))
    db.session.add(TrustPendingSheet(id=secrets.token_hex(16), wave_id=wave.id,
                                     sealed=seal(sheet, _sealing_key(), wave.id, _sheet_size(wave))))
    db.session.flush()


def _sealing_key() -> bytes:
    config = current_app.config
    return derive_key(config.get("TRUST_SEALING_KEY") or config["SECRET_KEY"])


def _sheet_size(wave: TrustWave) -> int:
    return sheet_size(len(wave.function_ids(TARGET)), len(wave.template.items), COMMENT_MAX)


def write_responses(wave: TrustWave) -> list[tuple]:
    """Unseal the wave's pending sheets and write them as responses in one shuffled batch (at close).

    Fresh random ids, a random insertion order for responses, answers and comments alike, and the
    pending rows deleted in the same transaction. Returns the answers written, as queries.ANSWER_ROW tuples.
    """
    connection = db.session.connection()  # plain rows: 150,000 answers for 5,000 people, no ORM objects
    pending = connection.execute(select(TrustPendingSheet.id).where(TrustPendingSheet.wave_id == wave.id)
                                 .with_for_update()).scalars().all()
    key = _sealing_key()
    sheets = []
    for start in range(0, len(pending), SHEET_BATCH):  # a padded sheet is tens of kB: a batch in memory at a time
        batch = select(TrustPendingSheet.sealed).where(TrustPendingSheet.id.in_(pending[start:start + SHEET_BATCH]))
        sheets += [unseal(sealed, key, wave.id) for sealed in connection.execute(batch).scalars()]
    shuffler = random.SystemRandom()
    shuffler.shuffle(sheets)
    responses, answers, comments = [], [], []
    for sheet in sheets:
        response_id = secrets.token_hex(16)
        responses.append({"id": response_id, "wave_id": wave.id, "rater_function_id": sheet.rater_function_id,
                          "tenure": sheet.tenure})
        answers += [(response_id, sheet.rater_function_id, t, i, score, sheet.tenure)
                    for (t, i), score in sheet.scores.items()]
        comments += [{"id": secrets.token_hex(16), "wave_id": wave.id, "rater_function_id": sheet.rater_function_id,
                      "target_function_id": t, "body": body} for t, body in sheet.comments.items()]
    shuffler.shuffle(comments)
    for model, rows in ((TrustResponse, responses), (TrustComment, comments)):
        if rows:
            connection.execute(insert(model), rows)
    for start in range(0, len(answers), ANSWER_BATCH):  # as dicts a batch at a time, so memory stays flat
        connection.execute(insert(TrustAnswer), [{"response_id": r, "target_function_id": t, "item_id": i,
                                                  "score": score}
                                                 for r, _, t, i, score, _ in answers[start:start + ANSWER_BATCH]])
    if pending:
        connection.execute(delete(TrustPendingSheet).where(TrustPendingSheet.wave_id == wave.id))
    return answers


def _check_answers(wave: TrustWave, targets: set[int], answers: Answers) -> None:
    items = {item.id: item for item in wave.template.items}
    for (target, item_id), score in answers.scores.items():
        item = items.get(item_id)
        if target not in targets or item is None:
            raise TrustError("An answer names a function or question that is not in this pulse.")
        if not (0 if item.scale == NPS11 else 1) <= score <= (10 if item.scale == NPS11 else 5):
            raise TrustError("An answer is outside its scale.")
    rated = targets - answers.skipped
    if not rated:
        raise TrustError("Tell us about at least one function you work with.")
    if any(target in answers.skipped for target, _ in answers.scores) or answers.comments.keys() & answers.skipped:
        raise TrustError("An answer is about a function you said you do not work with.")
    required = {(t, i) for t in rated for i, item in items.items() if item.scale == AGREE5}
    if missing := required - answers.scores.keys():
        names = sorted({s.function.name for s in wave.scopes if s.function_id in {t for t, _ in missing}})
        raise TrustError(f"Please answer every statement about {', '.join(names)} ({len(missing)} left), "
                         "or tick “I don't work with them”.")
    for target, text in answers.comments.items():
        if target not in targets:
            raise TrustError("A comment names a function that is not in this pulse.")
        if len(text) > COMMENT_MAX:
            raise TrustError(f"A comment may have at most {COMMENT_MAX} characters.", f"comment-{target}")


# --- business outcomes ------------------------------------------------------------------------

def save_metric(actor: User, metric: TrustMetric | None, name: str, unit: str, higher_is_better: bool,
                frequency: str, scope: str) -> TrustMetric:
    """Create or update a metric; frequency and scope cannot change once it has values."""
    clash = select(TrustMetric.id).where(TrustMetric.name == name)
    if metric is not None:
        clash = clash.where(TrustMetric.id != metric.id)
    if db.session.scalar(clash) is not None:
        raise TrustError("Another metric already has this name.", "name")
    if metric is not None and (metric.frequency, metric.scope) != (frequency, scope) and _has_values(metric):
        raise TrustError("This metric has values: its frequency and scope cannot change.", "frequency")
    metric = metric or TrustMetric()
    before = None if metric.id is None else {"name": metric.name, "unit": metric.unit}
    metric.name, metric.unit, metric.higher_is_better = name, unit, higher_is_better
    metric.frequency, metric.scope = frequency, scope
    db.session.add(metric)
    db.session.flush()
    record_audit(actor, "trust.metric.save", metric, before, {"name": name, "unit": unit, "frequency": frequency,
                                                              "scope": scope, "higher_is_better": higher_is_better})
    return metric


def _has_values(metric: TrustMetric) -> bool:
    return (
        db.session.scalar(select(TrustMetricValue.id).where(TrustMetricValue.metric_id == metric.id).limit(1))
        is not None
    )


def save_metric_value(
    actor: User, metric: TrustMetric, period: str, function_id: int | None, value: float
) -> TrustMetric:
    """Set the value of a period (and function, for per-function metrics); a second save replaces it."""
    if (error := period_error(period, metric.frequency)) is not None:
        raise TrustError(error.capitalize() + ".", "period")
    if metric.scope == PER_FUNCTION and db.session.get(Function, function_id or 0) is None:
        raise TrustError("Choose the function this value is for.", "function_id")
    function_id = function_id if metric.scope == PER_FUNCTION else None
    _upsert_values(actor, metric, [(period, function_id, value)])
    record_audit(
        actor, "trust.metric.value", metric, None, {"period": period, "function_id": function_id, "value": value}
    )
    return metric


def _upsert_values(actor: User, metric: TrustMetric, values: list[tuple[str, int | None, float]]) -> None:
    """Insert or replace values, then announce each one (webapp.signals.metric_value_recorded)."""
    keys = {(period, function_id or 0) for period, function_id, _ in values}
    existing = db.session.scalars(select(TrustMetricValue).where(TrustMetricValue.metric_id == metric.id))
    by_key = {(v.period, v.function_key): v for v in existing if (v.period, v.function_key) in keys}
    recorded: list[tuple[str, int | None, float, float | None]] = []
    for period, function_id, value in values:
        row = by_key.get((period, function_id or 0))
        previous = None if row is None else row.value
        if row is None:
            db.session.add(TrustMetricValue(metric_id=metric.id, period=period, function_id=function_id,
                                            function_key=function_id or 0, value=value))
        else:
            row.value = value
        recorded.append((period, function_id, value, previous))
    db.session.flush()
    now = clock.now()
    for period, function_id, value, previous in recorded:
        signals.metric_value_recorded.send("trust", metric_id=metric.id, period=period, function_id=function_id,
                                           value=value, previous=previous, recorded_by=actor, occurred_at=now)


def import_metric_values(actor: User, metric: TrustMetric, filename: str, content: str) -> ValuePlan:
    """All rows or none: returns the plan; applies it only when every row is valid."""
    plan = plan_values_import(content, metric.frequency, metric.scope == PER_FUNCTION, function_lookup())
    if plan.is_valid:
        _upsert_values(actor, metric, [(row.period, row.function_id, row.value) for row in plan.rows
                                        if row.value is not None])
        record_audit(actor, "trust.metric.import", metric, None, {"file": filename[:255], "rows": len(plan.rows)})
    return plan

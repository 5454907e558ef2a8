"""Reads: the scorecard set-up, targets, reviews, and the review of a month computed from webapp.metrics."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import Select, or_, select

from programs.business_review.models import (
    ACTION,
    EXPLANATION,
    NEED,
    PERSPECTIVES,
    SIGNED,
    AgendaAlert,
    MetricTarget,
    MonthlyReview,
    ScorecardMetric,
    StatusSettings,
)
from programs.business_review.status import AMBER, LABELS, RED, StatusRules, metric_status, percent_of_target, trend
from webapp import clock
from webapp.extensions import db
from webapp.main.pair_records import pair_records
from webapp.main.scorecard import build_scorecard
from webapp.metrics import QUARTERLY, OutcomeMetric, get_outcome_metric, metric_points, outcome_metrics
from webapp.people.models import Function, User
from webapp.periods import Quarter
from webapp.roles import Role

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
FIRST_YEAR, LAST_YEAR = 2000, 2100
TREND_PERIODS = 6
FIGURE_ROWS = ("Trust", "Collaboration")


# --- periods ----------------------------------------------------------------------------------

def parse_month(text: str | None) -> date | None:
    """'2026-11' -> date(2026, 11, 1); None when malformed or outside FIRST_YEAR..LAST_YEAR."""
    match = MONTH_PATTERN.match(text or "")
    if not match or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        return None
    return date(int(match[1]), int(match[2]), 1)


def month_after(first_day: date) -> date:
    """The first day of the next month."""
    return date(first_day.year + first_day.month // 12, first_day.month % 12 + 1, 1)


def period_of(frequency: str, month: str) -> str:
    """The period a monthly review shows for a metric: the month, or the latest quarter ended by the month's end."""
    first_day = parse_month(month)
    if frequency != QUARTERLY or first_day is None:
        return month
    quarter = Quarter.containing(first_day)
    return str(quarter if first_day.month % 3 == 0 else quarter.previous())


def period_end(period: str) -> date:
    """The first day after a period ("2026-11" or "2026-Q4")."""
    quarter = Quarter.parse(period)
    return quarter.end if quarter else month_after(parse_month(period))  # type: ignore[arg-type]


def is_valid_period(period: str, frequency: str) -> bool:
    quarter = Quarter.parse(period)
    if frequency == QUARTERLY:
        return quarter is not None and FIRST_YEAR <= quarter.year <= LAST_YEAR
    return parse_month(period) is not None


def ordered(pair: tuple[int, int]) -> tuple[int, int]:
    return (min(pair), max(pair))


# --- set-up -------------------------------------------------------------------------------------

def status_rules() -> StatusRules:
    row = db.session.get(StatusSettings, 1)
    return StatusRules() if row is None else StatusRules(row.on_track_percent, row.at_risk_percent)


def setups() -> dict[int, ScorecardMetric]:
    """Every metric's scorecard set-up, by metric id."""
    return {setup.metric_id: setup for setup in db.session.scalars(select(ScorecardMetric))}


def setup_of(metric_id: int) -> ScorecardMetric | None:
    return db.session.scalar(select(ScorecardMetric).where(ScorecardMetric.metric_id == metric_id))


def target_for(metric_id: int, period: str) -> float | None:
    """The target source registered with webapp.metrics."""
    return db.session.scalar(select(MetricTarget.value).where(MetricTarget.metric_id == metric_id,
                                                              MetricTarget.period == period))


def targets_of(metric_id: int) -> list[MetricTarget]:
    return list(db.session.scalars(select(MetricTarget).where(MetricTarget.metric_id == metric_id)
                                   .order_by(MetricTarget.period.desc())))


# --- people ----------------------------------------------------------------------------------------

def is_leader_of(user: User, function_ids: tuple[int, ...]) -> bool:
    return user.has_role(Role.LEADER) and user.function_id in function_ids


def leaders_of(function_ids: tuple[int, ...]) -> list[User]:
    people = db.session.scalars(select(User).where(User.active.is_(True), User.function_id.in_(function_ids))
                                .order_by(User.name))
    return [person for person in people if person.has_role(Role.LEADER)]


def members_of(function_ids: tuple[int, ...]) -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True), User.function_id.in_(function_ids))
                                   .order_by(User.name)))


def may_take_part(user: User, review: MonthlyReview) -> bool:
    """Participants: the people of the pair's two functions (and admins)."""
    return user.function_id in review.pair or user.has_role(Role.ADMIN)


def may_read(user: User, review: MonthlyReview) -> bool:
    """A signed review is for every employee; a draft for its participants, leaders and HR."""
    return review.is_signed or may_take_part(user, review) or user.has_role(Role.LEADER, Role.HR)


# --- reviews ---------------------------------------------------------------------------------------------

def list_reviews(user: User, pair: tuple[int, int] | None = None) -> Select:
    """The reviews this person may read, newest month first."""
    query = select(MonthlyReview).order_by(MonthlyReview.month.desc(), MonthlyReview.id.desc())
    if pair is not None:
        low, high = ordered(pair)
        query = query.where(MonthlyReview.first_function_id == low, MonthlyReview.second_function_id == high)
    if not user.has_role(Role.ADMIN, Role.LEADER, Role.HR):
        query = query.where(or_(MonthlyReview.state == SIGNED, MonthlyReview.first_function_id == user.function_id,
                                MonthlyReview.second_function_id == user.function_id))
    return query


def review_of(pair: tuple[int, int], month: str) -> MonthlyReview | None:
    low, high = ordered(pair)
    return db.session.scalar(select(MonthlyReview).where(
        MonthlyReview.first_function_id == low, MonthlyReview.second_function_id == high, MonthlyReview.month == month))


def next_review_month(pair: tuple[int, int], period: str) -> str:
    """The month whose review takes up a value of period: the period's last month, or the first unsigned one after."""
    month = (period_end(period) - timedelta(days=1)).strftime("%Y-%m")
    low, high = ordered(pair)
    signed = set(db.session.scalars(select(MonthlyReview.month).where(
        MonthlyReview.first_function_id == low, MonthlyReview.second_function_id == high,
        MonthlyReview.state == SIGNED, MonthlyReview.month >= month)))
    while month in signed:
        month = month_after(parse_month(month)).strftime("%Y-%m")  # type: ignore[arg-type]
    return month


def agenda_alerts(review: MonthlyReview) -> list[AgendaAlert]:
    return list(db.session.scalars(select(AgendaAlert).where(
        AgendaAlert.first_function_id == review.first_function_id,
        AgendaAlert.second_function_id == review.second_function_id,
        AgendaAlert.review_month == review.month).order_by(AgendaAlert.recorded_at)))


@dataclass(frozen=True)
class MetricLine:
    """One metric on the review: its definition, thresholds, target, value, status and trend."""

    metric_id: int
    name: str
    unit: str
    perspective: str
    higher_is_better: bool
    frequency: str
    owner_function_id: int
    partner_function_id: int
    owner_function: str
    partner_function: str
    amber_threshold: float
    red_threshold: float
    period: str
    target: float | None
    value: float | None
    percent_of_target: float | None
    status: str
    trend: str | None
    series: list[tuple[str, float]]

    @property
    def needs_notes(self) -> bool:
        return self.status in (AMBER, RED)

    @property
    def status_label(self) -> str:
        return LABELS[self.status]

    @property
    def perspective_label(self) -> str:
        return PERSPECTIVES.get(self.perspective, self.perspective)


def pair_value_points(metric: OutcomeMetric, owner_function_id: int) -> dict[str, float]:
    """The pair's values by period: the owner function's for a per-function metric, else the organisation's."""
    wanted = owner_function_id if metric.per_function else None
    return {point.period: point.value for point in metric_points(metric.id) if point.function_id == wanted}


def metric_line(metric: OutcomeMetric, setup: ScorecardMetric, month: str, rules: StatusRules) -> MetricLine:
    period = period_of(metric.frequency, month)
    values = pair_value_points(metric, setup.owner_function_id)
    value, target = values.get(period), target_for(metric.id, period)
    series = sorted((p, v) for p, v in values.items() if p <= period)[-TREND_PERIODS:]
    return MetricLine(
        metric_id=metric.id, name=metric.name, unit=metric.unit, perspective=setup.perspective,
        higher_is_better=metric.higher_is_better, frequency=metric.frequency,
        owner_function_id=setup.owner_function_id, partner_function_id=setup.partner_function_id,
        owner_function=setup.owner_function.name, partner_function=setup.partner_function.name,
        amber_threshold=setup.amber_threshold, red_threshold=setup.red_threshold, period=period, target=target,
        value=value,
        percent_of_target=None if value is None or target is None else percent_of_target(value, target,
                                                                                          metric.higher_is_better),
        status=metric_status(value, target, metric.higher_is_better, setup.amber_threshold, setup.red_threshold, rules),
        trend=trend([v for _, v in series], metric.higher_is_better) if value is not None else None,
        series=series)


def metric_lines(pair: tuple[int, int], month: str) -> list[MetricLine]:
    """Every set-up metric owned within the pair, by perspective and name, computed now."""
    known, rules = setups(), status_rules()
    lines = [metric_line(metric, known[metric.id], month, rules) for metric in outcome_metrics()
             if metric.id in known and {known[metric.id].owner_function_id, known[metric.id].partner_function_id}
             == set(pair)]
    order = list(PERSPECTIVES)
    return sorted(
        lines, key=lambda line: (order.index(line.perspective) if line.perspective in order else 9, line.name)
    )


def notes_by_metric(review: MonthlyReview) -> dict[int, dict[str, dict]]:
    """{metric id: {"explanation": note, "need": note}} as plain data."""
    notes: dict[int, dict[str, dict]] = {}
    for note in review.notes:
        notes.setdefault(note.metric_id, {})[note.kind] = {
            "text": note.text, "agrees": note.agrees, "author": note.author.name}
    return notes


def items_of(review: MonthlyReview) -> list[dict]:
    return [{"kind": item.kind, "text": item.text, "owner": item.owner.name,
             "due_on": item.due_on.isoformat() if item.due_on else None} for item in review.items]


def missing_notes(lines: list[MetricLine], notes: dict[int, dict[str, dict]]) -> list[str]:
    """The names of amber or red metrics still without both notes."""
    return [line.name for line in lines if line.needs_notes
            and not {EXPLANATION, NEED} <= set(notes.get(line.metric_id, {}))]


def disagreements(notes: dict[int, dict[str, dict]]) -> set[int]:
    """Metrics whose partner function does not accept the owner's explanation."""
    return {metric_id for metric_id, kinds in notes.items() if kinds.get(NEED, {}).get("agrees") is False}


def scorecard_figures(pair: tuple[int, int], month: str) -> dict[str, list[dict]]:
    """The trust and collaboration figures of the quarter holding the month, as plain data."""
    quarter = Quarter.containing(parse_month(month))  # type: ignore[arg-type]
    card = build_scorecard(quarter, ordered(pair))
    return {row: [{"label": f.label, "value": f.value, "unit": f.unit_label, "digits": f.digits, "note": f.note}
                  for f in card.get(row, [])] for row in FIGURE_ROWS}


def records_of(pair: tuple[int, int], month: str) -> dict[str, list]:
    """The pair's warnings, requests, reviews ... (whatever programmes registered) open or dated in the month."""
    first = parse_month(month)
    return pair_records(ordered(pair), first, month_after(first) - timedelta(days=1))  # type: ignore[arg-type]


def snapshot_body(review: MonthlyReview) -> dict:
    """What signing freezes: definitions, thresholds, targets, values, statuses, notes, decisions and actions."""
    lines = metric_lines(review.pair, review.month)
    rules = status_rules()
    return {
        "month": review.month,
        "pair": [review.first_function.name, review.second_function.name],
        "meeting_on": review.meeting_on.isoformat(),
        "status_rules": asdict(rules),
        "metrics": [{**asdict(line), "series": [list(point) for point in line.series]} for line in lines],
        "notes": {str(metric_id): kinds for metric_id, kinds in notes_by_metric(review).items()},
        "items": items_of(review),
        "signoffs": [{"function_id": s.function_id, "by": s.user.name, "at": s.signed_at.isoformat()}
                     for s in review.signoffs],
    }


@dataclass(frozen=True)
class Restatement:
    name: str
    period: str
    signed: float | None
    now: float | None


def restatements(review: MonthlyReview) -> list[Restatement]:
    """Values changed since the review was signed: a difference against the signed pack, never a silent change."""
    if not review.snapshot:
        return []
    changed = []
    for frozen in review.snapshot["metrics"]:
        metric = get_outcome_metric(frozen["metric_id"])
        now = None if metric is None else pair_value_points(metric, frozen["owner_function_id"]).get(frozen["period"])
        if now != frozen["value"]:
            changed.append(Restatement(frozen["name"], frozen["period"], frozen["value"], now))
    return changed


def review_page(review: MonthlyReview) -> dict:
    """Everything the review page shows: frozen lines for a signed review, live ones for a draft."""
    if review.is_signed and review.snapshot:
        lines = [MetricLine(**{**line, "series": [tuple(point) for point in line["series"]]})
                 for line in review.snapshot["metrics"]]
        notes = {int(metric_id): kinds for metric_id, kinds in review.snapshot["notes"].items()}
        items = review.snapshot["items"]
    else:
        lines, notes, items = metric_lines(review.pair, review.month), notes_by_metric(review), items_of(review)
    return {
        "review": review, "lines": lines, "notes": notes, "items": items,
        "decisions": [item for item in items if item["kind"] != ACTION],
        "actions": [item for item in items if item["kind"] == ACTION],
        "missing_notes": missing_notes(lines, notes), "disagreements": disagreements(notes),
        "figures": scorecard_figures(review.pair, review.month), "records": records_of(review.pair, review.month),
        "alerts": agenda_alerts(review), "restated": restatements(review), "today": clock.today(),
    }


def function_names() -> dict[int, str]:
    return dict(db.session.execute(select(Function.id, Function.name)).all())

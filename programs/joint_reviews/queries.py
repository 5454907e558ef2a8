"""Reads about joint reviews for the views, tiles, scorecard and pair records: selects and plain data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from programs.joint_reviews import blameless
from programs.joint_reviews.models import (
    Action,
    ActionStatus,
    Finding,
    FindingKind,
    Participant,
    Review,
    ReviewStatus,
    SignOff,
)
from webapp.extensions import db
from webapp.people.models import Function, User
from webapp.periods import quarter_label

SIGNED_STATUSES = (ReviewStatus.SIGNED.value, ReviewStatus.RESOLVED.value)
STATUS_LABELS = {ReviewStatus.OPEN.value: "being written", ReviewStatus.SIGNED.value: "signed, actions open",
                 ReviewStatus.RESOLVED.value: "resolved"}


def get_review(review_id: int) -> Review | None:
    return db.session.scalar(select(Review).where(Review.id == review_id).options(
        selectinload(Review.participants), selectinload(Review.entries), selectinload(Review.findings),
        selectinload(Review.actions).joinedload(Action.owner), selectinload(Review.sign_offs)))


def function_names() -> dict[int, str]:
    return dict(db.session.execute(select(Function.id, Function.name)).all())


def _with_function(function_id: int):
    return Review.id.in_(select(Participant.review_id).where(Participant.function_id == function_id))


def _involving(pair: tuple[int, int]):
    return and_(_with_function(pair[0]), _with_function(pair[1]))


def list_open_reviews(viewer: User) -> Select:
    """Reviews still open (being written or with actions open), the viewer's own first, newest first."""
    mine = Review.id.in_(select(Participant.review_id).where(Participant.user_id == viewer.id))
    return (select(Review).where(Review.status != ReviewStatus.RESOLVED.value)
            .options(selectinload(Review.participants))
            .order_by(mine.desc(), Review.happened_on.desc(), Review.id.desc()))


@dataclass(frozen=True)
class LibraryFilter:
    pair: tuple[int, int] | None = None
    tag: str = ""
    quarter: str = ""
    text: str = ""


def library(criteria: LibraryFilter, before_id: int | None = None) -> Select:
    """Signed reviews (the library of learnings), newest first, by pair, factor tag, quarter and words; keyset."""
    query = select(Review).where(Review.status.in_(SIGNED_STATUSES))
    if criteria.pair:
        query = query.where(_involving(criteria.pair))
    if criteria.tag:
        query = query.where(Review.id.in_(select(Finding.review_id).where(
            Finding.kind == FindingKind.FACTOR.value, Finding.tag == criteria.tag)))
    if criteria.quarter:
        query = query.where(Review.quarter == criteria.quarter)
    if criteria.text:
        words = f"%{criteria.text.lower()}%"
        query = query.where(or_(func.lower(Review.title).like(words), func.lower(Review.summary).like(words),
                                Review.id.in_(select(Finding.review_id).where(func.lower(Finding.text).like(words)))))
    if before_id is not None:
        query = query.where(Review.id < before_id)
    return query.options(selectinload(Review.participants), selectinload(Review.findings)).order_by(Review.id.desc())


def library_quarters() -> list[str]:
    return list(db.session.scalars(select(Review.quarter).where(Review.status.in_(SIGNED_STATUSES))
                                   .distinct().order_by(Review.quarter.desc())))


@dataclass(frozen=True)
class Completion:
    review: Review | None  # None on the totals row
    total: int
    done: int
    on_time: int
    overdue: int

    @property
    def rate(self) -> float | None:
        return 100.0 * self.done / self.total if self.total else None


def action_completion(today: date) -> tuple[list[Completion], Completion | None]:
    """For each signed review: its actions, how many are done, done on time, and overdue; with the totals."""
    reviews = db.session.scalars(select(Review).where(Review.status.in_(SIGNED_STATUSES))
                                 .options(selectinload(Review.actions)).order_by(Review.signed_at.desc())).all()
    rows = [_completion(review, review.actions, today) for review in reviews]
    if not rows:
        return [], None
    total = Completion(None, *(sum(getattr(r, name) for r in rows) for name in ("total", "done", "on_time", "overdue")))
    return rows, total


def _completion(review: Review | None, actions: list[Action], today: date) -> Completion:
    done = [a for a in actions if a.is_done]
    return Completion(review, len(actions), len(done),
                      sum(1 for a in done if a.done_at and a.done_at.date() <= a.due_on),
                      sum(1 for a in actions if not a.is_done and a.due_on < today))


def my_open_actions(user: User, limit: int) -> list[Action]:
    return list(db.session.scalars(select(Action).where(Action.owner_id == user.id,
                                                        Action.status == ActionStatus.OPEN.value)
                                   .options(selectinload(Action.review)).order_by(Action.due_on).limit(limit)))


def awaiting_my_sign_off(user: User, limit: int) -> list[Review]:
    """Open reviews the user takes part in whose function has not signed off yet."""
    signed = select(SignOff.review_id).where(SignOff.function_id == Participant.function_id,
                                             SignOff.review_id == Participant.review_id)
    return list(db.session.scalars(
        select(Review).join(Participant, Participant.review_id == Review.id)
        .where(Participant.user_id == user.id, Review.status == ReviewStatus.OPEN.value, ~signed.exists())
        .order_by(Review.happened_on.desc()).limit(limit)))


@dataclass(frozen=True)
class NudgeCounts:
    texts_nudged: int  # saved texts of the review where the editor pointed out blaming language
    dismissed: int


def nudge_counts(review: Review, names: list[str]) -> NudgeCounts:
    """How often the review's saved texts drew a nudge, and how many were dismissed: per review, never per person."""
    texts = [f"{e.topic} {e.text}" for e in review.entries] + [f.text for f in review.findings]
    return NudgeCounts(sum(1 for text in texts if blameless.nudges(text, names)), review.nudges_dismissed)


def reviews_of_pair(pair: tuple[int, int], first: date, last: date) -> list[Review]:
    """The pair's reviews open during or dated within [first, last]."""
    return list(db.session.scalars(select(Review).where(
        _involving(pair), Review.happened_on <= last,
        or_(Review.happened_on >= first, Review.status != ReviewStatus.RESOLVED.value,
            func.coalesce(Review.resolved_at, Review.signed_at) >= _start_of(first))).order_by(Review.happened_on)))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def pair_action_figures(pair: tuple[int, int], quarters: list[str]) -> dict[str, tuple[int, int]]:
    """(actions due in the quarter, of them done by their due date) for the pair's reviews, by quarter label."""
    rows = db.session.execute(select(Action.due_on, Action.status, Action.done_at).join(Review)
                              .where(_involving(pair))).all()
    counts: dict[str, list[int]] = {q: [0, 0] for q in quarters}
    for due_on, status, done_at in rows:
        label = quarter_label(due_on)
        if label in counts:
            counts[label][0] += 1
            counts[label][1] += status == ActionStatus.DONE.value and done_at is not None and done_at.date() <= due_on
    return {q: (total, done) for q, (total, done) in counts.items()}

"""Writes about joint reviews. Each enforces its rules, locks what it changes and flushes (never commits)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update

from programs.joint_reviews.models import (
    Action,
    ActionStatus,
    FactorTag,
    Finding,
    FindingKind,
    Participant,
    Review,
    ReviewKind,
    ReviewStatus,
    SignOff,
    TimelineEntry,
)
from webapp import clock
from webapp.db import locked
from webapp.errors import Refused, RuleError
from webapp.extensions import db
from webapp.forms import refuse_replay
from webapp.main.pair_records import pair_record_kinds, pair_records
from webapp.notifications.queries import notified_since
from webapp.notifications.services import link, notify
from webapp.people.models import User
from webapp.periods import quarter_label

LOOK_BACK_DAYS = 730  # how long ago the thing reviewed may have happened
TIMELINE_LEAD_DAYS = 90  # how far before that day a timeline may start
ACTION_HORIZON_DAYS = 365  # the latest due date of an action, from today
WARNING_LOOK_BACK_DAYS = 180  # warnings of the pair this long before the day are offered as a link
LINKABLE_KIND = "warning"


class ReviewError(RuleError):
    """A rule of joint reviews was broken (see webapp.errors.RuleError)."""


class NotParticipant(ReviewError, Refused):
    """Only the review's participants may do this (a 403)."""


def _require_participant(actor: User, review: Review, doing: str) -> Participant:
    participant = review.participant(actor)
    if participant is None:
        raise NotParticipant(f"Only the review's participants can {doing}.")
    return participant


def _require_unsigned(review: Review) -> None:
    if review.status != ReviewStatus.OPEN.value:
        raise ReviewError("The review is signed off; its account no longer changes.")


def _account_changed(review: Review) -> int:
    """An edit after some functions signed: their sign-offs no longer stand (they were of another account)."""
    withdrawn = len(review.sign_offs)
    review.sign_offs.clear()
    return withdrawn


# --- opening ----------------------------------------------------------------------------------

@dataclass
class ReviewData:
    title: str
    kind: str
    happened_on: date
    summary: str
    participant_ids: list[int]
    idempotency_key: str | None = None


def open_review(actor: User, data: ReviewData, today: date) -> Review:
    """Anyone opens a review, taking part in it, with participants from at least two functions."""
    refuse_replay(Review, data.idempotency_key)
    if data.kind not in {k.value for k in ReviewKind}:
        raise ReviewError("Choose what kind of thing went wrong.", "kind")
    if data.happened_on > today:
        raise ReviewError("A review looks back: the day cannot be in the future.", "happened_on")
    if data.happened_on < today - timedelta(days=LOOK_BACK_DAYS):
        raise ReviewError(f"Choose a day within the last {LOOK_BACK_DAYS} days.", "happened_on")
    people = _active_people({*data.participant_ids, actor.id})
    if len({p.function_id for p in people}) < 2:
        raise ReviewError("Add participants from at least two functions: both perspectives belong on the record.",
                          "participant_ids")
    review = Review(title=data.title, kind=data.kind, happened_on=data.happened_on, summary=data.summary,
                    quarter=quarter_label(data.happened_on), opened_by_id=actor.id,
                    idempotency_key=data.idempotency_key,
                    participants=[Participant(user_id=p.id, function_id=p.function_id) for p in people])
    db.session.add(review)
    db.session.flush()
    for person in people:
        if person.id != actor.id:
            notify(person, "info", f"{actor.name} opened a joint review, \"{review.title}\": please add your "
                   "function's timeline.", link("joint_reviews.review", review_id=review.id))
    return review


def _active_people(user_ids: set[int]) -> list[User]:
    """The active people with these ids, each with a function; anything else is an error on the field."""
    people = list(db.session.scalars(select(User).where(User.id.in_(user_ids), User.active.is_(True))
                                     .order_by(User.id)))
    if len(people) != len(user_ids) or any(p.function_id is None for p in people):
        raise ReviewError("Pick participants from the active people in the list (each with a function).",
                          "participant_ids")
    return people


# --- the account: timelines and findings ------------------------------------------------------

def add_entry(actor: User, review: Review, at: datetime, topic: str, text: str, key: str | None = None
              ) -> TimelineEntry:
    """A moment in the actor's own function's timeline (nobody writes another function's account)."""
    review = locked(Review, review.id)
    refuse_replay(TimelineEntry, key)
    participant = _require_participant(actor, review, "write its timelines")
    _require_unsigned(review)
    earliest = datetime.combine(review.happened_on - timedelta(days=TIMELINE_LEAD_DAYS), time.min, tzinfo=UTC)
    if at > clock.now():
        raise ReviewError("A timeline records what happened: the time cannot be in the future.", "at")
    if at < earliest:
        raise ReviewError(f"Start the timeline at most {TIMELINE_LEAD_DAYS} days before the day reviewed.", "at")
    entry = TimelineEntry(review_id=review.id, function_id=participant.function_id, at=at, topic=topic, text=text,
                          idempotency_key=key)
    review.entries.append(entry)
    _account_changed(review)
    db.session.flush()
    return entry


def delete_entry(actor: User, entry: TimelineEntry) -> Review:
    """Remove a moment from the actor's own function's timeline."""
    review = locked(Review, entry.review_id)
    participant = _require_participant(actor, review, "change its timelines")
    _require_unsigned(review)
    if entry.function_id != participant.function_id:
        raise NotParticipant("Each function keeps its own timeline: you can remove only your function's entries.")
    db.session.delete(entry)
    _account_changed(review)
    db.session.flush()
    return review


def add_finding(actor: User, review: Review, kind: str, tag: str | None, text: str, key: str | None = None
                ) -> Finding:
    """A contributing factor (tagged process, data, communication, incentives or capacity) or what went well."""
    review = locked(Review, review.id)
    refuse_replay(Finding, key)
    _require_participant(actor, review, "add findings")
    _require_unsigned(review)
    if kind not in {k.value for k in FindingKind}:
        raise ReviewError("Choose a contributing factor or something that went well.", "kind")
    if kind == FindingKind.FACTOR.value and tag not in {t.value for t in FactorTag}:
        raise ReviewError("Tag the factor: process, data, communication, incentives or capacity.", "tag")
    finding = Finding(review_id=review.id, kind=kind, tag=tag if kind == FindingKind.FACTOR.value else None,
                      text=text, idempotency_key=key)
    review.findings.append(finding)
    _account_changed(review)
    db.session.flush()
    return finding


def dismiss_saved_nudge(actor: User, item: TimelineEntry | Finding) -> Review:
    """A participant hides the language nudge of a saved text; the review counts one more dismissal."""
    review = locked(Review, item.review_id)
    _require_participant(actor, review, "dismiss its nudges")
    if not item.nudge_dismissed:
        item.nudge_dismissed = True
        review.nudges_dismissed += 1
    db.session.flush()
    return review


def count_live_dismissal(actor: User, review: Review) -> Review:
    """A participant dismissed a nudge while typing: one more for the review (an atomic increment)."""
    _require_participant(actor, review, "dismiss its nudges")
    db.session.execute(update(Review).where(Review.id == review.id)
                       .values(nudges_dismissed=Review.nudges_dismissed + 1))
    return review


# --- actions ----------------------------------------------------------------------------------

def add_action(actor: User, review: Review, description: str, owner_id: int, due_on: date, today: date,
               key: str | None = None) -> Action:
    """An action with one owner (a participant) and a due date from today up to a year ahead."""
    review = locked(Review, review.id)
    refuse_replay(Action, key)
    _require_participant(actor, review, "add actions")
    _require_unsigned(review)
    owner = next((p.user for p in review.participants if p.user_id == owner_id), None)
    if owner is None or not owner.active:
        raise ReviewError("Choose the owner among the review's participants.", "owner_id")
    if not today <= due_on <= today + timedelta(days=ACTION_HORIZON_DAYS):
        raise ReviewError(f"Choose a due date from today to {ACTION_HORIZON_DAYS} days ahead.", "due_on")
    action = Action(review_id=review.id, description=description, owner_id=owner_id, due_on=due_on,
                    idempotency_key=key)
    review.actions.append(action)
    _account_changed(review)
    db.session.flush()
    if owner.id != actor.id:
        notify(owner, "follow-up", f"You own an action of the review \"{review.title}\": {description} "
               f"(due {due_on.isoformat()}).", link("joint_reviews.review", review_id=review.id))
    return action


def set_action_done(actor: User, action: Action, done: bool, now: datetime) -> Action:
    """The owner marks the action done (or not yet); the last done action of a signed review resolves it."""
    review = locked(Review, action.review_id)
    action = locked(Action, action.id)
    if actor.id != action.owner_id:
        raise Refused("Only the action's owner can mark it done.")
    if review.status == ReviewStatus.RESOLVED.value and not done:
        raise ReviewError("The review is resolved; its actions are all done.")
    action.status = ActionStatus.DONE.value if done else ActionStatus.OPEN.value
    action.done_at = (action.done_at or now) if done else None
    db.session.flush()
    _resolve_when_done(review, now)
    return action


def _resolve_when_done(review: Review, now: datetime) -> None:
    """A signed review whose actions are all done is resolved (the review row is locked by the caller)."""
    if review.status == ReviewStatus.SIGNED.value and all(a.is_done for a in review.actions):
        review.status, review.resolved_at = ReviewStatus.RESOLVED.value, now
        db.session.flush()
        for participant in review.participants:
            notify(participant.user, "info", f"Every action of the review \"{review.title}\" is done: it is "
                   "resolved.", link("joint_reviews.review", review_id=review.id))


def remind_due_actions(today: date) -> int:
    """Notify owners of open actions due by tomorrow (overdue ones too), once a day each; returns how many."""
    due = db.session.scalars(select(Action).where(
        Action.status == ActionStatus.OPEN.value, Action.due_on <= today + timedelta(days=1)).order_by(Action.id)).all()
    already = notified_since("follow-up", datetime.combine(today, time.min, tzinfo=UTC))
    sent = 0
    for action in due:
        url = f"{link('joint_reviews.review', review_id=action.review_id)}#action-{action.id}"
        if (action.owner_id, url) in already or not action.owner.active:
            continue
        state = "overdue since" if action.due_on < today else "due"
        notify(action.owner, "follow-up", f"Review action {state} {action.due_on.isoformat()}: {action.description} "
               f"(\"{action.review.title}\").", url)
        sent += 1
    return sent


# --- sign-off and links -----------------------------------------------------------------------

def sign_off_refusal(review: Review, participant: Participant | None) -> str | None:
    """Why this participant cannot sign the review off now (None: they can)."""
    if participant is None:
        return "Only the review's participants sign it off."
    if review.status != ReviewStatus.OPEN.value:
        return "The review is already signed off."
    if participant.function_id in review.signed_function_ids:
        return "Someone of your function has already signed it off."
    drafted = {entry.function_id for entry in review.entries}
    if not set(review.function_ids) <= drafted:
        return "Each function drafts its own timeline first."
    if not any(f.kind == FindingKind.FACTOR.value for f in review.findings):
        return "Add at least one contributing factor first."
    if not review.actions:
        return "Add at least one action, with its owner and due date, first."
    return None


def sign_off(actor: User, review: Review, fair: bool, comment: str, now: datetime) -> SignOff | None:
    """Answer "Is this account fair to my team?": yes signs for the function (one per function); not yet says why.

    The review row is locked, so two functions signing at once see each other and the review is signed once.
    """
    review = locked(Review, review.id)
    participant = _require_participant(actor, review, "sign it off")
    if not fair:
        _not_yet_fair(actor, review, comment)
        return None
    refusal = sign_off_refusal(review, participant)
    if refusal:
        raise ReviewError(refusal, "fair")
    signed = SignOff(review_id=review.id, function_id=participant.function_id, user_id=actor.id, comment=comment,
                     signed_at=now)
    review.sign_offs.append(signed)
    db.session.flush()
    if set(review.function_ids) <= review.signed_function_ids:
        review.status, review.signed_at = ReviewStatus.SIGNED.value, now
        db.session.flush()
        for other in review.participants:
            notify(other.user, "info", f"Every function signed off the review \"{review.title}\": it is in the "
                   "library of learnings and stays open until its actions are done.",
                   link("joint_reviews.review", review_id=review.id))
        _resolve_when_done(review, now)
    return signed


def _not_yet_fair(actor: User, review: Review, comment: str) -> None:
    """Not fair yet: nothing is signed; the other participants hear what is missing."""
    if not comment:
        raise ReviewError("Say what the account misses, so the others can fix it.", "comment")
    for participant in review.participants:
        if participant.user_id != actor.id:
            notify(participant.user, "info", f"{actor.name} does not find the review \"{review.title}\" fair to "
                   f"their team yet: {comment}", link("joint_reviews.review", review_id=review.id))


def linkable_records(review: Review) -> list | None:
    """The warnings of the review's pairs raised before its day (None when no programme registers warnings)."""
    if LINKABLE_KIND not in dict(pair_record_kinds()):
        return None
    first = review.happened_on - timedelta(days=WARNING_LOOK_BACK_DAYS)
    functions = review.function_ids
    found = {}
    for i, one in enumerate(functions):
        for other in functions[i + 1:]:
            for record in pair_records((one, other), first, review.happened_on, LINKABLE_KIND)[LINKABLE_KIND]:
                if record.dated <= review.happened_on:
                    found[record.id] = record
    return sorted(found.values(), key=lambda r: (r.dated, r.id), reverse=True)


def link_record(actor: User, review: Review, record_id: int | None) -> Review:
    """Link the review to an earlier warning of its pair (or remove the link with None)."""
    review = locked(Review, review.id)
    _require_participant(actor, review, "link it")
    if record_id is None:
        review.linked_kind = review.linked_id = review.linked_title = review.linked_url = None
    else:
        record = next((r for r in linkable_records(review) or [] if r.id == record_id), None)
        if record is None:
            raise ReviewError("Choose one of the pair's earlier warnings in the list.", "record_id")
        review.linked_kind, review.linked_id = record.kind, record.id
        review.linked_title, review.linked_url = record.title[:200], record.url[:300]
    db.session.flush()
    return review

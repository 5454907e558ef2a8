"""Writes of recognition. Each enforces its rules and flushes; views commit.

Points: every movement is an append-only LedgerEntry with an idempotency key. Spending locks the
giver's Allowance row for the month (SELECT ... FOR UPDATE), then checks what is left, so parallel
gifts on PostgreSQL queue on that row and never overspend.
"""
from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from recognition import rules
from recognition.markup import plain_html, story_html
from recognition.models import (
    Allowance,
    BadgeAward,
    BadgeDefinition,
    Comment,
    CosignStatus,
    FeedItem,
    FeedItemFunction,
    FeedItemState,
    Kudos,
    KudosAddon,
    KudosRecipient,
    LeaderboardOptOut,
    LedgerEntry,
    Milestone,
    Reaction,
    RecognitionPolicy,
    Win,
    WinCredit,
    WinFunction,
    WinStatus,
)
from recognition.queries import allowance_left, count_direct_reports, invalidate_leaderboards, spent_in
from webapp import clock, signals
from webapp.auth.services import record_audit
from webapp.errors import Refused, RuleError
from webapp.extensions import db
from webapp.forms import refuse_replay
from webapp.notifications.queries import notified_since
from webapp.notifications.services import link, notify
from webapp.people.models import RoleGrant, User
from webapp.periods import month_label, quarter_label
from webapp.roles import Role

log = logging.getLogger(__name__)
MAX_RECIPIENTS = 10
MESSAGE_MAX = 1000
COMMENT_MAX = 1000
ROTATION_POINTS = 50
VISIT_POINTS = 20
COSIGNER_ROLES = (Role.MANAGER, Role.LEADER)
STORY_MIN = 20
PAIR_CAP_WINDOW = timedelta(hours=24)

DEFAULT_BADGES = [
    ("bridge-builder", "Bridge Builder", "Gave five kudos across a function boundary.", "cross_kudos_given", 5),
    ("joint-win", "Joint Win", "Credited on a first co-signed joint win.", "joint_win", 1),
    ("rotation-graduate", "Rotation Graduate", "Completed a cross-functional rotation.", "rotation_completed", 1),
    ("field-partner", "Field Partner", "Joined a joint customer visit.", "visit_confirmed", 1),
    ("early-bird", "Early Bird", "Raised three early warnings to another function.", "warning_raised", 3),
]
BADGE_EVENTS = ("cross_kudos_given", "kudos_received", "joint_win", "rotation_completed", "visit_confirmed",
                "warning_raised")


class RecognitionError(RuleError):
    """A rule of this package was broken (see webapp.errors.RuleError)."""


# --- policy and allowances ----------------------------------------------------------------

def get_policy() -> RecognitionPolicy:
    """The policy row (created with the column defaults on first use, safely under concurrency)."""
    policy = db.session.get(RecognitionPolicy, 1)
    if policy is None:
        _insert_ignoring_duplicates(RecognitionPolicy, {"id": 1})
        policy = db.session.get_one(RecognitionPolicy, 1)
    return policy


POLICY_FIELDS = ("monthly_allowance", "per_report_extra", "message_min", "pair_daily_cap",
                 "bridge_multiplier_pct", "win_points_per_function", "reciprocity_window_days",
                 "allowance_reminder_days")


def company_values() -> dict[str, str]:
    """The company values, code -> name, in the admin's order (the defaults until an admin names them)."""
    names = get_policy().company_values or rules.DEFAULT_COMPANY_VALUES
    return {rules.value_code(name): name for name in names}


def save_policy(actor: User, values: dict) -> RecognitionPolicy:
    """Change the recognition numbers and, when given (value_names: one per line), the company values.

    For admins; audited."""
    policy = get_policy()
    before = _policy_snapshot(policy)
    for name in POLICY_FIELDS:
        setattr(policy, name, int(values[name]))
    if "value_names" in values:
        try:
            policy.company_values = rules.parse_company_values(values["value_names"])
        except ValueError as error:
            raise RecognitionError(str(error), "value_names") from None
    db.session.flush()
    record_audit(actor, "recognition.policy", policy, before, _policy_snapshot(policy))
    return policy


def _policy_snapshot(policy: RecognitionPolicy) -> dict:
    return {
        **{name: getattr(policy, name) for name in POLICY_FIELDS},
        "company_values": list(company_values().values()),
    }


def _insert_ignoring_duplicates(model, values: dict) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing())


def lock_allowance(user: User, period: str) -> Allowance:
    """The giver's allowance row for the month, created if needed, locked until commit."""
    policy = get_policy()
    granted = rules.allowance_for(policy.monthly_allowance, policy.per_report_extra, count_direct_reports(user.id))
    _insert_ignoring_duplicates(Allowance, {"user_id": user.id, "period": period, "granted": granted})
    query = select(Allowance).where(Allowance.user_id == user.id, Allowance.period == period)
    return db.session.scalars(query.with_for_update().execution_options(populate_existing=True)).one()


def _spend(giver: User, amount: int, period: str, kind: str, source: tuple[str, int], key: str, now: datetime) -> None:
    """Debit the giver's allowance under the row lock, or refuse with what is left."""
    allowance = lock_allowance(giver, period)
    left = allowance.granted - spent_in(giver.id, period)
    if amount > left:
        raise RecognitionError(
            f"That needs {amount} points but you have {left} left to give this month.", "points"
        )
    _entry(giver.id, "allowance", -amount, kind, source, period, f"{source[0]}:{key}:spend", now)


def _entry(user_id: int, account: str, amount: int, kind: str, source: tuple[str, int], period: str, key: str,
           now: datetime) -> None:
    db.session.add(LedgerEntry(user_id=user_id, account=account, amount=amount, kind=kind, source_type=source[0],
                               source_id=source[1], period=period, idempotency_key=key[:160], created_at=now))


# --- kudos --------------------------------------------------------------------------------

def give_kudos(giver: User, recipient_ids: list[int], message: str, value_tag: str, points_each: int, key: str,
               now: datetime | None = None) -> Kudos:
    """Kudos to colleagues from the giver's allowance.

    The giver's allowance row is locked first; the replay check, the pair caps and the spending all
    read state after that lock, so parallel requests from one giver queue and see each other's gifts.
    A replayed key raises AlreadyRecorded.
    """
    now = now or clock.now()
    policy = get_policy()
    period = month_label(now)
    lock_allowance(giver, period)
    refuse_replay(Kudos, key, "idempotency_key")
    recipients = _check_kudos(giver, recipient_ids, message, value_tag, points_each, policy)
    _check_pair_caps(giver, recipients, points_each, now, policy)
    kudos = Kudos(giver=giver, message=message.strip(), value_tag=value_tag, points_each=points_each, period=period,
                  quarter=quarter_label(now), idempotency_key=key, created_at=now)
    kudos.recipients = [KudosRecipient(user=r, giver_function_id=giver.function_id,
                                       receiver_function_id=r.function_id) for r in recipients]
    db.session.add(kudos)
    db.session.flush()
    source = ("kudos", kudos.id)
    _spend(giver, points_each * len(recipients), period, "kudos_given", source, key, now)
    received = _credit_receivers(giver, recipients, points_each, source, key, now, policy, kudos.id)
    item = _kudos_feed_item(kudos, recipients, received, now)
    _count_kudos_milestones(giver, recipients, kudos.id, now)
    for receiver in recipients:
        notify(receiver, "info", f"{giver.name} gave you kudos: “{kudos.message[:120]}”",
               f"{link('recognition.feed')}#feed-item-{item.id if item else ''}", at=now)
    db.session.flush()
    invalidate_leaderboards()
    log.info("kudos %s from %s to %s", kudos.id, giver.id, [r.id for r in recipients])
    return kudos


def _check_kudos(giver: User, recipient_ids: list[int], message: str, value_tag: str, points_each: int,
                 policy: RecognitionPolicy) -> list[User]:
    ids = list(dict.fromkeys(recipient_ids))
    if not ids:
        raise RecognitionError("Choose at least one colleague.", "recipients")
    if len(ids) > MAX_RECIPIENTS:
        raise RecognitionError(f"Choose at most {MAX_RECIPIENTS} colleagues.", "recipients")
    if giver.id in ids:
        raise RecognitionError("You cannot give kudos to yourself.", "recipients")
    recipients = db.session.scalars(select(User).where(User.id.in_(ids), User.active.is_(True))).all()
    if len(recipients) != len(ids):
        raise RecognitionError("Choose active colleagues from the list.", "recipients")
    if len(message) > MESSAGE_MAX:
        raise RecognitionError(f"Keep it under {MESSAGE_MAX} characters.", "message")
    if rules.meaningful_length(message) < policy.message_min:
        raise RecognitionError(f"Say a little more: at least {policy.message_min} letters or digits "
                               "(spaces, punctuation and repeated characters do not count).", "message")
    if value_tag not in company_values():
        raise RecognitionError("Choose one of the company values.", "value_tag")
    if points_each < 1:
        raise RecognitionError("Give at least 1 point.", "points")
    return sorted(recipients, key=lambda r: r.id)


def _paid_recently(giver_id: int, receiver_id: int, now: datetime) -> int:
    """Points the giver paid this receiver in the 24 hours before now (kudos and add-ons).

    No upper bound on the time: a gift committed by a parallel request a moment "later" still counts.
    """
    since = now - PAIR_CAP_WINDOW
    kudos = select(func.coalesce(func.sum(Kudos.points_each), 0)).join(KudosRecipient).where(
        Kudos.giver_id == giver_id, KudosRecipient.user_id == receiver_id, Kudos.created_at > since)
    addons = select(func.coalesce(func.sum(KudosAddon.points_each), 0)).join(
        KudosRecipient, KudosRecipient.kudos_id == KudosAddon.kudos_id
    ).where(KudosAddon.giver_id == giver_id, KudosRecipient.user_id == receiver_id, KudosAddon.created_at > since)
    return int(db.session.scalar(kudos) or 0) + int(db.session.scalar(addons) or 0)


def _check_pair_caps(giver: User, recipients: list[User], points_each: int, now: datetime,
                     policy: RecognitionPolicy) -> None:
    """Refuse a gift over the pair's cap for any 24 hours. Call with the giver's allowance locked."""
    for receiver in recipients:
        already = _paid_recently(giver.id, receiver.id, now)
        if already + points_each > policy.pair_daily_cap:
            room = max(0, policy.pair_daily_cap - already)
            raise RecognitionError(
                f"You can give {receiver.name} at most {policy.pair_daily_cap} points in any 24 hours; "
                f"{room} left now.", "points",
            )


def _kudos_count(giver_id: int, receiver_id: int, since: datetime, until: datetime, exclude_kudos: int) -> int:
    """Kudos from giver to receiver between since and until (not counting exclude_kudos)."""
    return db.session.scalar(
        select(func.count()).select_from(KudosRecipient).join(Kudos).where(
            Kudos.giver_id == giver_id, KudosRecipient.user_id == receiver_id, Kudos.created_at >= since,
            Kudos.created_at <= until, Kudos.id != exclude_kudos)
    ) or 0


def _trading_exchanges(giver_id: int, receiver_id: int, now: datetime, window_days: int, exclude_kudos: int) -> int:
    """Earlier kudos that damp this gift: only when the two trade (see rules.trading_exchanges)."""
    since = now - timedelta(days=window_days)
    return rules.trading_exchanges(_kudos_count(giver_id, receiver_id, since, now, exclude_kudos),
                                   _kudos_count(receiver_id, giver_id, since, now, exclude_kudos))


def _credit_receivers(giver: User, recipients: list[User], points_each: int, source: tuple[str, int], key: str,
                      now: datetime, policy: RecognitionPolicy, kudos_id: int) -> int:
    """Ledger entries for each receiver (base after reciprocity, bridge bonus); returns the total received."""
    period, total = month_label(now), 0
    for receiver in recipients:
        crosses = receiver.function_id != giver.function_id
        exchanges = _trading_exchanges(giver.id, receiver.id, now, policy.reciprocity_window_days, kudos_id)
        got = rules.receipt(points_each, exchanges, crosses, policy.bridge_multiplier_pct)
        _entry(receiver.id, "points", got.base, source[0], source, period, f"{source[0]}:{key}:recv:{receiver.id}",
               now)
        if got.bridge_bonus:
            _entry(receiver.id, "points", got.bridge_bonus, "bridge_bonus", source, period,
                   f"{source[0]}:{key}:bridge:{receiver.id}", now)
        total += got.total
    return total


def _ids(*ids: int | None) -> set[int]:
    """The ids given, without the missing ones."""
    return {i for i in ids if i is not None}


def _kudos_feed_item(kudos: Kudos, recipients: list[User], received: int, now: datetime) -> FeedItem | None:
    names = ", ".join(r.name for r in recipients)
    functions = _ids(kudos.giver.function_id, *(r.function_id for r in recipients))
    return add_feed_item(
        "kudos", f"kudos:{kudos.id}", f"{kudos.giver.name} gave kudos to {names}", plain_html(kudos.message),
        now, author_id=kudos.giver_id, value_tag=kudos.value_tag, function_ids=functions,
        cross_functional=len(functions) > 1, points=received, kudos_id=kudos.id,
    )


def _count_kudos_milestones(giver: User, recipients: list[User], kudos_id: int, now: datetime) -> None:
    if any(r.function_id != giver.function_id for r in recipients):
        record_milestone(giver, "cross_kudos_given", f"kudos:{kudos_id}", now)
    for receiver in recipients:
        record_milestone(receiver, "kudos_received", f"kudos:{kudos_id}", now)


def add_to_kudos(giver: User, kudos: Kudos, points_each: int, key: str, now: datetime | None = None) -> KudosAddon:
    """+points on someone else's kudos, to each of its receivers, from the giver's allowance (locked first)."""
    now = now or clock.now()
    policy = get_policy()
    period = month_label(now)
    lock_allowance(giver, period)
    refuse_replay(KudosAddon, key, "idempotency_key")
    recipients = [r.user for r in kudos.recipients]
    if giver.id == kudos.giver_id or giver.id in {r.id for r in recipients}:
        raise RecognitionError("Add-ons are for kudos between other people.", "points")
    if points_each < 1:
        raise RecognitionError("Add at least 1 point.", "points")
    item = _lock_item_of(kudos)
    _require_visible(item)
    _check_pair_caps(giver, recipients, points_each, now, policy)
    addon = KudosAddon(kudos_id=kudos.id, giver_id=giver.id, points_each=points_each, idempotency_key=key,
                       created_at=now)
    db.session.add(addon)
    db.session.flush()
    source = ("kudos_addon", addon.id)
    _spend(giver, points_each * len(recipients), period, "addon_given", source, key, now)
    item.points += _credit_receivers(giver, recipients, points_each, source, key, now, policy, kudos.id)
    db.session.flush()
    invalidate_leaderboards()
    return addon


# --- joint wins ---------------------------------------------------------------------------

def log_win(author: User, title: str, story: str, credited_ids: list[int], value_tags: list[str],
            impact: tuple[Decimal | None, str, str], key: str, now: datetime | None = None) -> Win:
    """Log a joint win; it waits for a co-sign from every credited function other than the author's."""
    refuse_replay(Win, key, "idempotency_key")
    if not author.has_role(*COSIGNER_ROLES):
        raise RecognitionError("Only managers and leaders log wins.")
    credited = _check_win(author, title, story, credited_ids, value_tags)
    function_ids = sorted({p.function_id for p in credited if p.function_id is not None})
    win = Win(logged_by=author, title=title.strip(), story=story.strip(), value_tags=",".join(value_tags),
              impact_amount=impact[0], impact_unit=impact[1].strip(), impact_outcome=impact[2].strip(),
              status=WinStatus.PENDING.value, is_joint=True, idempotency_key=key, created_at=now or clock.now())
    win.credits = [WinCredit(user=p) for p in credited]
    win.functions = [
        WinFunction(function_id=f, cosign=(CosignStatus.NOT_NEEDED.value if f == author.function_id
                                           else CosignStatus.PENDING.value))
        for f in function_ids
    ]
    db.session.add(win)
    db.session.flush()
    _ask_for_cosigns(win)
    return win


def _ask_for_cosigns(win: Win) -> None:
    """Notify the managers and leaders of every function whose co-sign the win waits for (not the credited)."""
    waiting = [f.function_id for f in win.functions if f.cosign == CosignStatus.PENDING.value]
    credited = [c.user_id for c in win.credits]
    signers = db.session.scalars(
        select(User).join(RoleGrant).where(User.function_id.in_(waiting), User.active.is_(True),
                                           User.id.not_in(credited),
                                           RoleGrant.role.in_([r.value for r in COSIGNER_ROLES])).distinct()
    ).all()
    for signer in signers:
        notify(signer, "cosign", f"{win.logged_by.name} logged the joint win “{win.title}”; "
               "your function's co-sign is needed.", link("recognition.win_detail", win_id=win.id))


def _check_win(author: User, title: str, story: str, credited_ids: list[int], value_tags: list[str]) -> list[User]:
    if not title.strip():
        raise RecognitionError("Give the win a title.", "title")
    if rules.meaningful_length(story) < STORY_MIN:
        raise RecognitionError(f"Tell the story in at least {STORY_MIN} letters or digits.", "story")
    ids = list(dict.fromkeys(credited_ids))
    if author.id in ids:
        raise RecognitionError("Credit the people who did it, not yourself.", "credited")
    credited = db.session.scalars(select(User).where(User.id.in_(ids), User.active.is_(True))).all()
    if not ids or len(credited) != len(ids) or any(p.function_id is None for p in credited):
        raise RecognitionError("Credit active people who belong to a function.", "credited")
    if len({p.function_id for p in credited}) < 2:
        raise RecognitionError("A joint win credits people from at least two functions.", "credited")
    if not value_tags or any(t not in company_values() for t in value_tags):
        raise RecognitionError("Choose one or more company values.", "value_tags")
    return sorted(credited, key=lambda p: p.id)


def may_cosign(user: User, win: Win) -> list[WinFunction]:
    """The pending co-signs of win that user may give (a manager or leader of that function, not credited on it)."""
    if win.status != WinStatus.PENDING.value or not user.has_role(*COSIGNER_ROLES) or is_credited(user, win):
        return []
    return [f for f in win.functions if f.cosign == CosignStatus.PENDING.value and f.function_id == user.function_id]


def is_credited(user: User, win: Win) -> bool:
    return any(c.user_id == user.id for c in win.credits)


def _lock_win(win: Win) -> Win:
    """The win locked until commit (SELECT ... FOR UPDATE), its status and co-signs re-read after the lock."""
    query = (select(Win).where(Win.id == win.id).with_for_update().options(selectinload(Win.functions))
             .execution_options(populate_existing=True))
    return db.session.scalars(query).one()


def _pending_for(signer: User, win: Win) -> list[WinFunction]:
    """Lock the win and return the co-signs the signer may give, or refuse saying what happened to it."""
    win = _lock_win(win)
    pending = may_cosign(signer, win)
    if pending:
        return pending
    if is_credited(signer, win):
        raise RecognitionError("You are credited on this win, so another manager or leader of your function "
                               "co-signs it.")
    if win.status == WinStatus.PUBLISHED.value:
        raise RecognitionError("This win is already published; nothing changed.")
    if win.status == WinStatus.DECLINED.value:
        raise RecognitionError("This win was already declined; nothing changed.")
    raise RecognitionError("This win is not waiting for your function's co-sign.")


def cosign_win(signer: User, win: Win, now: datetime | None = None) -> Win:
    """Co-sign for the signer's function; the last co-sign publishes the win (exactly once: the win is locked)."""
    pending = _pending_for(signer, win)
    now = now or clock.now()
    for wf in pending:
        wf.cosign, wf.signer_id, wf.decided_at = CosignStatus.APPROVED.value, signer.id, now
    if all(f.cosign in (CosignStatus.APPROVED.value, CosignStatus.NOT_NEEDED.value) for f in win.functions):
        _publish(win, now)
    db.session.flush()
    return win


def decline_win(signer: User, win: Win, reason: str, now: datetime | None = None) -> Win:
    """Decline a pending win for the signer's function, with a reason; it will not be published."""
    if not reason.strip():
        raise RecognitionError("Say why you decline.", "reason")
    pending = _pending_for(signer, win)
    for wf in pending:
        wf.cosign, wf.signer_id, wf.decided_at, wf.reason = (
            CosignStatus.DECLINED.value,
            signer.id,
            now or clock.now(),
            reason.strip()[:500],
        )
    win.status = WinStatus.DECLINED.value
    db.session.flush()
    return win


def _publish(win: Win, now: datetime) -> None:
    """Publish: points to every credited person, badges, a feed item and the win_published event."""
    policy = get_policy()
    win.status, win.published_at, win.quarter = WinStatus.PUBLISHED.value, now, quarter_label(now)
    credited = [c.user for c in win.credits]
    share = rules.win_shares(policy.win_points_per_function, len(win.functions), len(credited))
    for person in credited:
        _entry(person.id, "points", share, "win", ("win", win.id), month_label(now), f"win:{win.id}:{person.id}",
               now)
        if win.is_joint:
            record_milestone(person, "joint_win", f"win:{win.id}", now)
    function_ids = {f.function_id for f in win.functions}
    add_feed_item(
        "win", f"win:{win.id}", f"Joint win: {win.title} — {', '.join(p.name for p in credited)}",
        story_html(win.story), now, author_id=win.logged_by_id, value_tag=win.tags[0] if win.tags else "",
        function_ids=function_ids, cross_functional=win.is_joint, points=share * len(credited), win_id=win.id,
    )
    for person in credited:
        notify(person, "info", f"The joint win “{win.title}” is published: {share} points for you.",
               link("recognition.win_detail", win_id=win.id), at=now)
    db.session.flush()
    invalidate_leaderboards()
    signals.win_published.send("recognition", win_id=win.id, title=win.title, credited=credited,
                               function_ids=function_ids, occurred_at=now)


# --- the feed -----------------------------------------------------------------------------

def add_feed_item(kind: str, source_key: str, headline: str, body_html: str, now: datetime, *,
                  author_id: int | None = None, value_tag: str = "", function_ids: set[int] | None = None,
                  cross_functional: bool = False, points: int = 0, kudos_id: int | None = None,
                  win_id: int | None = None) -> FeedItem | None:
    """One feed item per source_key (a repeat returns None and adds nothing)."""
    if db.session.scalar(select(FeedItem.id).where(FeedItem.source_key == source_key)) is not None:
        return None
    item = FeedItem(kind=kind, source_key=source_key, headline=headline[:300], body_html=body_html,
                    author_id=author_id, value_tag=value_tag, cross_functional=cross_functional, points=points,
                    kudos_id=kudos_id, win_id=win_id, created_at=now)
    db.session.add(item)
    db.session.flush()
    db.session.add_all(FeedItemFunction(item_id=item.id, function_id=f) for f in sorted(function_ids or ()))
    return item


def toggle_reaction(user: User, item: FeedItem, emoji: str) -> bool:
    """Add the emoji, or take it back if already there; True when it is now on."""
    if emoji not in rules.REACTIONS:
        raise RecognitionError("Choose one of the offered reactions.")
    _require_visible(item)
    existing = db.session.get(Reaction, (item.id, user.id, emoji))
    if existing is not None:
        db.session.delete(existing)
    else:
        db.session.add(Reaction(item_id=item.id, user_id=user.id, emoji=emoji))
    db.session.flush()
    return existing is None


def add_comment(user: User, item: FeedItem, body: str, key: str) -> Comment:
    """A comment under a visible item (plain text); a replayed key raises AlreadyRecorded."""
    _require_visible(item)
    refuse_replay(Comment, key, "idempotency_key")
    text = body.strip()
    if not text:
        raise RecognitionError("Write a comment first.", "body")
    if len(text) > COMMENT_MAX:
        raise RecognitionError(f"Keep comments under {COMMENT_MAX} characters.", "body")
    comment = Comment(item_id=item.id, author_id=user.id, body=text, idempotency_key=key)
    db.session.add(comment)
    db.session.flush()
    return comment


def _require_visible(item: FeedItem) -> None:
    if item.state != FeedItemState.VISIBLE.value:
        raise RecognitionError("This post is no longer on the feed.")


def _lock_item(item: FeedItem) -> FeedItem:
    """The feed item locked until commit, its state re-read after the lock."""
    query = select(FeedItem).where(FeedItem.id == item.id).with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def _lock_item_of(kudos: Kudos) -> FeedItem:
    """The feed item of a kudos, locked (add-ons and removals of one post queue on it)."""
    query = select(FeedItem).where(FeedItem.kudos_id == kudos.id).with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def delete_own_item(user: User, item: FeedItem, now: datetime | None = None) -> FeedItem:
    """Authors take their own post off the feed; a kudos gives its points back."""
    if item.author_id != user.id:
        raise Refused("You can only delete your own posts.")
    return _remove(item, FeedItemState.DELETED.value, now or clock.now())


def hide_item(admin: User, item: FeedItem, reason: str, now: datetime | None = None) -> FeedItem:
    """An admin hides any post with a reason, audit-logged; a kudos gives its points back."""
    if not reason.strip():
        raise RecognitionError("Give a reason for hiding this post.", "reason")
    _remove(item, FeedItemState.HIDDEN.value, now or clock.now(), reason.strip()[:500])
    record_audit(
        admin, "recognition.hide", item,
        {"state": FeedItemState.VISIBLE.value}, {"state": FeedItemState.HIDDEN.value, "reason": item.hidden_reason},
    )
    return item


def _remove(item: FeedItem, state: str, now: datetime, reason: str = "") -> FeedItem:
    """Take a post off the feed (locked, still visible after the lock), reversing a kudos' points."""
    _require_visible(_lock_item(item))
    item.state, item.hidden_reason = state, reason
    if item.kudos_id is not None:
        _reverse_kudos(item.kudos_id, now)
    db.session.flush()
    invalidate_leaderboards()
    return item


def _reverse_kudos(kudos_id: int, now: datetime) -> None:
    """Reversal entries for every point a kudos and its add-ons paid (the ledger stays append-only); givers
    get their allowance back when it is still the same month (spent allowance of a past month has expired)."""
    addons = select(KudosAddon.id).where(KudosAddon.kudos_id == kudos_id)
    paid = db.session.scalars(select(LedgerEntry).where(
        ((LedgerEntry.source_type == "kudos") & (LedgerEntry.source_id == kudos_id))
        | ((LedgerEntry.source_type == "kudos_addon") & LedgerEntry.source_id.in_(addons)))
        .order_by(LedgerEntry.id)).all()
    this_month = month_label(now)
    for entry in paid:
        if entry.account == "points" or entry.period == this_month:
            kind = "reversal" if entry.account == "points" else "refund"
            _entry(entry.user_id, entry.account, -entry.amount, kind, (entry.source_type, entry.source_id),
                   entry.period, f"{kind}:{entry.idempotency_key}", now)


def record_anniversaries(today: date) -> int:
    """Feed items for work anniversaries in the week up to today (idempotent); returns how many were added."""
    people = db.session.execute(
        select(User.id, User.name, User.hired_on, User.function_id).where(User.active.is_(True),
                                                                         User.hired_on.is_not(None))
    ).all()
    added = 0
    for offset in reversed(range(7)):  # oldest first, so ids follow the dates
        day = today - timedelta(days=offset)
        for person_id, name, hired_on, function_id in people:
            years = rules.anniversary_years(hired_on, day) if hired_on else None
            if years:
                moment = datetime(day.year, day.month, day.day, 8, tzinfo=clock.now().tzinfo)
                noun = "year" if years == 1 else "years"
                added += _add_unless_there("anniversary", f"anniversary:{person_id}:{day.year}",
                                           f"{name} celebrates {years} {noun} with us", moment,
                                           function_ids={function_id} - {None})
    return added


def _add_unless_there(kind: str, source_key: str, headline: str, moment: datetime, **extra) -> bool:
    """add_feed_item in a savepoint: an item another worker is adding at the same moment is skipped, not an error."""
    try:
        with db.session.begin_nested():
            return add_feed_item(kind, source_key, headline, "", moment, **extra) is not None
    except IntegrityError:
        return False


# --- badges -------------------------------------------------------------------------------

def ensure_default_badges() -> None:
    """Create the standard badge definitions that do not exist yet."""
    have = set(db.session.scalars(select(BadgeDefinition.slug)))
    for slug, name, description, event, threshold in DEFAULT_BADGES:
        if slug not in have:
            db.session.add(BadgeDefinition(slug=slug, name=name, description=description, event=event,
                                           threshold=threshold))
    db.session.flush()


def save_badge(actor: User, badge: BadgeDefinition | None, name: str, description: str, event: str,
               threshold: int) -> tuple[BadgeDefinition, int]:
    """Create or change a badge definition (admin), audited; holders keep badges already earned, and everyone
    whose history already meets it gets it now. Returns the badge and how many were awarded from history."""
    if event not in BADGE_EVENTS:
        raise RecognitionError("Choose one of the counted events.", "event")
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
    clash = select(BadgeDefinition.id).where(BadgeDefinition.slug == slug)
    if not slug or db.session.scalar(clash.where(BadgeDefinition.id != (badge.id if badge else 0))) is not None:
        raise RecognitionError("Another badge already has this name.", "name")
    badge = badge or BadgeDefinition()
    before = None if badge.id is None else {"name": badge.name, "event": badge.event, "threshold": badge.threshold}
    badge.slug, badge.name, badge.description, badge.event, badge.threshold = slug, name, description, event, threshold
    db.session.add(badge)
    db.session.flush()
    awarded = award_badges_from_history(badge.id)
    record_audit(actor, "recognition.badge", badge, before, {"name": name, "event": event, "threshold": threshold,
                                                             "awarded_from_history": awarded})
    return badge, awarded


def award_all_badges_from_history(actor: User) -> int:
    """The admin action: award every badge to everyone whose history already meets it, audited."""
    awarded = award_badges_from_history()
    record_audit(actor, "recognition.badges_from_history", None, None, {"awarded": awarded})
    return awarded


def award_badges_from_history(badge_id: int | None = None) -> int:
    """Award a badge (or every badge) to everyone whose counted history already reaches it; returns how many.

    Quietly: no notification and no feed item for each, so a new definition does not flood anyone.
    """
    counts = (select(Milestone.user_id, Milestone.event, func.count().label("n"))
              .group_by(Milestone.user_id, Milestone.event).subquery())
    held = select(BadgeAward.user_id).where(
        BadgeAward.badge_id == BadgeDefinition.id, BadgeAward.user_id == counts.c.user_id
    )
    due = select(BadgeDefinition.id, counts.c.user_id).join(
        counts, and_(counts.c.event == BadgeDefinition.event, counts.c.n >= BadgeDefinition.threshold)
    ).where(~held.exists())
    if badge_id is not None:
        due = due.where(BadgeDefinition.id == badge_id)
    rows = db.session.execute(due).all()
    now = clock.now()
    for badge, person in rows:
        _insert_ignoring_duplicates(BadgeAward, {"badge_id": badge, "user_id": person, "created_at": now})
    return len(rows)


def record_milestone(person: User, event: str, source_key: str, now: datetime | None = None) -> list[BadgeDefinition]:
    """Count one occurrence of event for person (once per source_key) and award the badges it reaches."""
    if db.session.scalar(select(Milestone.id).where(Milestone.user_id == person.id, Milestone.event == event,
                                                    Milestone.source_key == source_key)) is not None:
        return []
    db.session.add(Milestone(user_id=person.id, event=event, source_key=source_key, created_at=now or clock.now()))
    db.session.flush()
    count = db.session.scalar(select(func.count()).select_from(Milestone).where(
        Milestone.user_id == person.id, Milestone.event == event))
    held = select(BadgeAward.badge_id).where(BadgeAward.user_id == person.id)
    due = db.session.scalars(select(BadgeDefinition).where(
        BadgeDefinition.event == event, BadgeDefinition.threshold <= count, BadgeDefinition.id.not_in(held))).all()
    for badge in due:
        db.session.add(BadgeAward(badge_id=badge.id, user_id=person.id, created_at=now or clock.now()))
        notify(person, "badge", f"You earned the {badge.name} badge.", link("people.profile", user_id=person.id))
        add_feed_item("badge", f"badge:{badge.id}:{person.id}", f"{person.name} earned the {badge.name} badge",
                      plain_html(badge.description), now or clock.now(), function_ids=_ids(person.function_id))
    return list(due)


def remind_unspent_allowances(now: datetime) -> int:
    """A few days before month end (policy.allowance_reminder_days), tell everyone with allowance left when it
    expires, once a month each; returns how many were reminded."""
    policy = get_policy()
    expires_on = rules.month_end(now)
    if (expires_on - now.date()).days > policy.allowance_reminder_days:
        return 0
    period, url = month_label(now), f"{link('recognition.give_kudos')}#allowance-{month_label(now)}"
    start = datetime(now.year, now.month, 1, tzinfo=now.tzinfo)
    already = {user_id for user_id, link_url in notified_since("info", start) if link_url == url}
    sent = 0
    for person in db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)):
        left = allowance_left(person, period, policy.monthly_allowance, policy.per_report_extra)
        if left > 0 and person.id not in already:
            notify(person, "info", f"You have {left} points left to give; they expire at the end of "
                   f"{expires_on:%-d %b %Y}.", url)
            sent += 1
    return sent


def set_leaderboard_opt_out(user: User, opt_out: bool) -> bool:
    """Leave (or rejoin) the leaderboards; returns whether the user is now out."""
    existing = db.session.get(LeaderboardOptOut, user.id)
    if opt_out and existing is None:
        db.session.add(LeaderboardOptOut(user_id=user.id))
    elif not opt_out and existing is not None:
        db.session.delete(existing)
    db.session.flush()
    invalidate_leaderboards()
    return opt_out


# --- events from the other pillars ------------------------------------------------------------

def on_rotation_completed(sender, placement_id: int, person: User, home_function_id: int, host_function_id: int,
                          occurred_at: datetime, **_) -> None:
    """A finished rotation: points, the Rotation Graduate count and a feed item (once per placement), dated
    by the completion (occurred_at)."""
    key = f"rotation:{placement_id}"
    if add_feed_item("rotation", key, f"{person.name} completed a cross-functional rotation", "", occurred_at,
                     author_id=None, function_ids={home_function_id, host_function_id},
                     cross_functional=home_function_id != host_function_id, points=ROTATION_POINTS) is None:
        return
    _entry(person.id, "points", ROTATION_POINTS, "rotation", ("rotation", placement_id),
           month_label(occurred_at), key, occurred_at)
    record_milestone(person, "rotation_completed", key, occurred_at)
    invalidate_leaderboards()


def on_visit_confirmed(sender, visit_id: int, attendees: list[User], function_ids: set[int], account_name: str,
                       internal_only: bool, occurred_at: datetime, **_) -> None:
    """A confirmed joint visit: points and the Field Partner count for attendees; a feed item unless internal.

    Dated by when the visit was held (occurred_at), not by when it was confirmed: a visit held last year pays
    into last year's period and sits at last year's place on the feed. Paid once per confirmation: a replay
    pays nothing, a confirmation after a withdrawal (on_visit_withdrawn) pays again.
    """
    key = f"visit:{visit_id}"
    moment = min(clock.now(), occurred_at)
    if not internal_only:
        add_feed_item("visit", key, f"Joint visit to {account_name}: {', '.join(a.name for a in attendees)}", "",
                      moment, function_ids=set(function_ids), cross_functional=len(function_ids) > 1,
                      points=VISIT_POINTS * len(attendees))
    for person in attendees:
        standing, entries = _visit_points(visit_id, person.id)
        if standing > 0:
            continue
        _entry(person.id, "points", VISIT_POINTS, "visit", ("visit", visit_id), month_label(moment),
               f"{key}:{person.id}" + (f":{entries}" if entries else ""), moment)
        record_milestone(person, "visit_confirmed", key, moment)
    invalidate_leaderboards()


def _visit_points(visit_id: int, user_id: int) -> tuple[int, int]:
    """(points standing, ledger entries) of one person from one visit."""
    return db.session.execute(select(func.coalesce(func.sum(LedgerEntry.amount), 0), func.count()).where(
        LedgerEntry.account == "points", LedgerEntry.source_type == "visit", LedgerEntry.source_id == visit_id,
        LedgerEntry.user_id == user_id)).one()


def on_visit_withdrawn(sender, visit_id: int, withdrawn_at: datetime, **_) -> None:
    """A visit's confirmation was withdrawn: reversal entries give its points back (in their period).

    Its feed item hides."""
    standing = db.session.execute(
        select(LedgerEntry.user_id, LedgerEntry.period, func.sum(LedgerEntry.amount), func.count()).where(
            LedgerEntry.account == "points", LedgerEntry.source_type == "visit", LedgerEntry.source_id == visit_id)
        .group_by(LedgerEntry.user_id, LedgerEntry.period)).all()
    for user_id, period, points, entries in standing:
        if points:
            _entry(user_id, "points", -points, "visit-reversal", ("visit", visit_id), period,
                   f"visit:{visit_id}:{user_id}:{period}:reversal:{entries}", withdrawn_at)
    db.session.execute(
        update(FeedItem)
        .where(FeedItem.source_key == f"visit:{visit_id}", FeedItem.state == FeedItemState.VISIBLE.value)
        .values(state=FeedItemState.HIDDEN.value, hidden_reason="The visit's confirmation was withdrawn.")
    )
    invalidate_leaderboards()


def on_warning_raised(sender, warning_id: int, author: User, from_function_id: int, to_function_id: int,
                      lead_time_days: int, occurred_at: datetime, **_) -> None:
    """An early warning raised: points for its author (more for a longer lead time) and the Early Bird count, once per
    warning. The feed item names the two functions only: neither the author nor what the warning says."""
    key = f"warning:{warning_id}"
    moment = min(clock.now(), occurred_at)
    if add_feed_item("warning", key, "An early warning reached another function: transparency rewarded", "",
                     moment, function_ids={from_function_id, to_function_id}, cross_functional=True) is None:
        return
    _entry(author.id, "points", rules.warning_points(lead_time_days), "warning", ("warning", warning_id),
           month_label(moment), key, moment)
    record_milestone(author, "warning_raised", key, moment)
    invalidate_leaderboards()


def connect_receivers() -> None:
    """Listen to the other pillars' events (weakly held functions are module-level, so they stay)."""
    signals.rotation_completed.connect(on_rotation_completed)
    signals.visit_confirmed.connect(on_visit_confirmed)
    signals.visit_withdrawn.connect(on_visit_withdrawn)
    signals.warning_raised.connect(on_warning_raised)

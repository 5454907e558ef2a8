"""Reads of recognition: the feed (keyset), the poll, balances, boards, the flow matrix, queues."""
from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased, joinedload

from recognition import rules
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
    KudosRecipient,
    LeaderboardOptOut,
    LedgerEntry,
    Reaction,
    Win,
    WinCredit,
    WinFunction,
    WinStatus,
)
from webapp.extensions import db
from webapp.people.models import Function, Team, User
from webapp.people.queries import list_functions
from webapp.periods import quarter_months

FILTERS = ("everyone", "my-function", "cross-functional")
BOARD_SIZE = 10
CACHE_SECONDS = 60


@dataclass(frozen=True)
class FeedFilter:
    """Which items a viewer asked for: scope is one of FILTERS; value_tag narrows further."""

    scope: str = "everyone"
    value_tag: str = ""
    function_id: int | None = None


def feed_items(flt: FeedFilter, before_id: int | None) -> Select:
    """Visible items, latest event first: ordered by (created_at, id), the time of what each item describes.

    Keyset: the page after the item before_id holds the items that sort after it on (created_at, id).
    """
    query = _filtered(select(FeedItem), flt).order_by(FeedItem.created_at.desc(), FeedItem.id.desc())
    if before_id is not None:
        cursor = select(FeedItem.created_at).where(FeedItem.id == before_id).scalar_subquery()
        query = query.where(or_(FeedItem.created_at < cursor,
                                and_(FeedItem.created_at == cursor, FeedItem.id < before_id)))
    return query


def _filtered(query: Select, flt: FeedFilter) -> Select:
    query = query.where(FeedItem.state == FeedItemState.VISIBLE.value)
    if flt.scope == "my-function" and flt.function_id is not None:
        query = query.where(exists().where(FeedItemFunction.item_id == FeedItem.id,
                                           FeedItemFunction.function_id == flt.function_id))
    elif flt.scope == "cross-functional":
        query = query.where(FeedItem.cross_functional.is_(True))
    if flt.value_tag:
        query = query.where(FeedItem.value_tag == flt.value_tag)
    return query


def count_new_items(flt: FeedFilter, after_id: int, viewer_id: int, cap: int = 99) -> int:
    """Items newer than after_id posted by someone else (one indexed query; capped)."""
    newer = _filtered(select(FeedItem.id), flt).where(
        FeedItem.id > after_id, or_(FeedItem.author_id.is_(None), FeedItem.author_id != viewer_id)
    ).limit(cap)
    return db.session.scalar(select(func.count()).select_from(newer.subquery())) or 0


def latest_item_id() -> int:
    return db.session.scalar(select(func.max(FeedItem.id)).where(FeedItem.state == FeedItemState.VISIBLE.value)) or 0


@dataclass
class ItemExtras:
    """Reactions and comments of the items on one page (two queries for the whole page)."""

    reactions: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    mine: set[tuple[int, str]] = field(default_factory=set)
    comments: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))


def item_extras(item_ids: list[int], viewer_id: int) -> ItemExtras:
    """Reaction counts (with the viewer's own) and comments (item_id, body, author name) for item_ids."""
    extras = ItemExtras()
    if not item_ids:
        return extras
    mine = func.sum(case((Reaction.user_id == viewer_id, 1), else_=0))
    rows = db.session.execute(
        select(Reaction.item_id, Reaction.emoji, func.count(), mine)
        .where(Reaction.item_id.in_(item_ids)).group_by(Reaction.item_id, Reaction.emoji)
    )
    for item_id, emoji, count, own in rows:
        extras.reactions[item_id][emoji] = count
        if own:
            extras.mine.add((item_id, emoji))
    comments = db.session.execute(
        select(Comment.item_id, Comment.body, User.name.label("author")).join(User, User.id == Comment.author_id)
        .where(Comment.item_id.in_(item_ids)).order_by(Comment.id)
    )
    for comment in comments:
        extras.comments[comment.item_id].append(comment)
    return extras


def kept_kudos():
    """A condition on Kudos: its post was not removed (removed kudos gave their points back and count nowhere)."""
    removed = select(FeedItem.kudos_id).where(FeedItem.kudos_id.is_not(None),
                                              FeedItem.state != FeedItemState.VISIBLE.value)
    return Kudos.id.not_in(removed)


# --- balances and profile ------------------------------------------------------------------

def points_balance(user_id: int) -> int:
    """Received points (never expire): the sum of the person's points entries."""
    return int(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.user_id == user_id, LedgerEntry.account == "points")) or 0)


def count_direct_reports(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.manager_id == user_id, User.active.is_(True))) or 0


def spent_in(user_id: int, period: str) -> int:
    """Allowance spent by a person in a month (a sum of ledger entries)."""
    total = db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.user_id == user_id, LedgerEntry.account == "allowance", LedgerEntry.period == period))
    return -int(total or 0)


def allowance_left(user: User, period: str, monthly: int, per_report: int) -> int:
    """Allowance left this month (the granted amount is fixed at the month's first gift)."""
    granted = db.session.scalar(select(Allowance.granted).where(Allowance.user_id == user.id,
                                                                 Allowance.period == period))
    if granted is None:
        granted = rules.allowance_for(monthly, per_report, count_direct_reports(user.id))
    return granted - spent_in(user.id, period)


@dataclass(frozen=True)
class Expiry:
    """When this month's allowance expires: the last day of the month and whole days left after today."""

    on: date
    days_left: int


def allowance_expiry(now: datetime) -> Expiry:
    end = rules.month_end(now)
    return Expiry(end, (end - now.date()).days)


def trading_partners(user: User, now: datetime, window_days: int) -> list[tuple[str, int]]:
    """(name, percent the next kudos to them pays) for everyone the user trades kudos with in the window:
    people who gave the user kudos (so a gift back is two-way), per rules.trading_exchanges."""
    since = now - timedelta(days=window_days)
    recent = Kudos.created_at >= since
    received = dict(db.session.execute(
        select(Kudos.giver_id, func.count()).join(KudosRecipient).where(KudosRecipient.user_id == user.id, recent)
        .group_by(Kudos.giver_id)).all())
    if not received:
        return []
    given = dict(db.session.execute(
        select(KudosRecipient.user_id, func.count()).join(Kudos).where(Kudos.giver_id == user.id, recent)
        .group_by(KudosRecipient.user_id)).all())
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(received))).all())
    partners = [(names[pid], rules.reciprocity_pct(rules.trading_exchanges(given.get(pid, 0), n)))
                for pid, n in received.items() if pid in names]
    return sorted(partners)


def recognition_counts(user_id: int) -> tuple[int, int]:
    """(kudos given, kudos received) by a person."""
    given = db.session.scalar(select(func.count()).select_from(Kudos).where(Kudos.giver_id == user_id,
                                                                            kept_kudos())) or 0
    received = db.session.scalar(select(func.count()).select_from(KudosRecipient).join(Kudos).where(
        KudosRecipient.user_id == user_id, kept_kudos())) or 0
    return given, received


@dataclass(frozen=True)
class ProfileFigures:
    """A person's recognition figures for the profile and home tile, from one query."""

    given: int
    received: int
    balance: int
    spent: int  # allowance spent in the month asked for
    granted: int | None  # the month's fixed allowance, None before the month's first gift
    direct_reports: int
    opted_out: bool


def profile_figures(user_id: int, period: str) -> ProfileFigures:
    """Kudos given and received, points balance, allowance spent and granted in period, direct reports and the
    leaderboard opt-out of one person: the figures of recognition_counts, points_balance, spent_in, allowance_left
    and is_opted_out, in one query."""
    def total(account: str, *where) -> Any:
        return select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.user_id == user_id, LedgerEntry.account == account, *where).scalar_subquery()

    row = db.session.execute(
        select(
            select(func.count()).select_from(Kudos).where(Kudos.giver_id == user_id, kept_kudos()).scalar_subquery(),
            select(func.count())
            .select_from(KudosRecipient)
            .join(Kudos)
            .where(KudosRecipient.user_id == user_id, kept_kudos())
            .scalar_subquery(),
            total("points"),
            total("allowance", LedgerEntry.period == period),
            select(Allowance.granted).where(Allowance.user_id == user_id, Allowance.period == period).scalar_subquery(),
            select(func.count())
            .select_from(User)
            .where(User.manager_id == user_id, User.active.is_(True))
            .scalar_subquery(),
            exists().where(LeaderboardOptOut.user_id == user_id),
        )
    ).one()
    given, received, balance, allowance, granted, reports, opted_out = row
    return ProfileFigures(int(given or 0), int(received or 0), int(balance or 0), -int(allowance or 0), granted,
                          int(reports or 0), bool(opted_out))


def badges_of(user_id: int) -> list[BadgeAward]:
    return list(db.session.scalars(select(BadgeAward).where(BadgeAward.user_id == user_id)
                                   .order_by(BadgeAward.created_at)))


def badge_catalogue() -> list[tuple[BadgeDefinition, int]]:
    """Every badge definition with how many people hold it (one grouped query)."""
    rows = db.session.execute(
        select(BadgeDefinition, func.count(BadgeAward.user_id)).outerjoin(BadgeAward)
        .group_by(BadgeDefinition.id).order_by(BadgeDefinition.event, BadgeDefinition.threshold, BadgeDefinition.name)
    )
    return [(badge, holders) for badge, holders in rows]


def is_opted_out(user_id: int) -> bool:
    return db.session.get(LeaderboardOptOut, user_id) is not None


# --- wins ------------------------------------------------------------------------------------

def may_see_win(user: User, win: Win) -> bool:
    """Published wins are public; a pending or declined one is for whoever logged it, credited people,
    managers and leaders of its functions, and admins."""
    if (win.status == WinStatus.PUBLISHED.value or user.id == win.logged_by_id
            or any(c.user_id == user.id for c in win.credits)):
        return True
    from webapp.roles import Role

    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.MANAGER, Role.LEADER) and user.function_id in {f.function_id for f in win.functions}


def approval_queue(user: User) -> list[Win]:
    """Pending wins waiting for a co-sign from the user's function (not those crediting the user)."""
    if user.function_id is None:
        return []
    credited = select(WinCredit.win_id).where(WinCredit.user_id == user.id)
    return list(db.session.scalars(
        select(Win).join(WinFunction).where(Win.status == WinStatus.PENDING.value,
                                            WinFunction.cosign == CosignStatus.PENDING.value,
                                            WinFunction.function_id == user.function_id, Win.id.not_in(credited))
        .options(joinedload(Win.logged_by)).order_by(Win.id)
    ).unique())


def my_pending_wins(user: User) -> list[Win]:
    """Wins not yet published that the user logged or is credited on."""
    credited = select(WinCredit.win_id).where(WinCredit.user_id == user.id)
    return list(db.session.scalars(
        select(Win)
        .where(Win.status != WinStatus.PUBLISHED.value, or_(Win.logged_by_id == user.id, Win.id.in_(credited)))
        .order_by(Win.id.desc()).limit(20)
    ))


# --- leaderboards (cached, explicitly invalidated) -------------------------------------------

# Per process: services clear it when points, wins or opt-outs change; other workers catch up within CACHE_SECONDS.
_cache: dict[tuple[str, str], tuple[float, list[dict[str, Any]]]] = {}


def invalidate_leaderboards() -> None:
    """Forget every cached board (called by the services that move points, wins or opt-outs)."""
    _cache.clear()


def _cached(board: str, quarter: str, compute) -> list[dict[str, Any]]:
    hit = _cache.get((board, quarter))
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    rows = compute(quarter)
    _cache[(board, quarter)] = (time.monotonic() + CACHE_SECONDS, rows)
    return rows


def _smaller(a, b):
    return case((a < b, a), else_=b)


def _larger(a, b):
    return case((a < b, b), else_=a)


def _pair_board(quarter: str) -> list[dict[str, Any]]:
    """Function pairs: joint wins (3 points each) and cross-functional kudos (1 each) this quarter.

    Tie-break: more joint wins first, then the pair's function names alphabetically."""
    wf1, wf2 = aliased(WinFunction), aliased(WinFunction)
    wins = select(wf1.function_id.label("a"), wf2.function_id.label("b"), literal(1).label("wins"),
                  literal(0).label("kudos")).join(wf2, and_(wf1.win_id == wf2.win_id,
                                                            wf1.function_id < wf2.function_id)).join(
        Win, Win.id == wf1.win_id).where(Win.status == WinStatus.PUBLISHED.value, Win.quarter == quarter)
    kudos = select(
        _smaller(KudosRecipient.giver_function_id, KudosRecipient.receiver_function_id).label("a"),
        _larger(KudosRecipient.giver_function_id, KudosRecipient.receiver_function_id).label("b"),
        literal(0).label("wins"), literal(1).label("kudos"),
    ).join(Kudos).where(Kudos.quarter == quarter, kept_kudos(),
                        KudosRecipient.giver_function_id != KudosRecipient.receiver_function_id)
    links = union_all(wins, kudos).subquery()
    fa, fb = aliased(Function), aliased(Function)
    score = func.sum(links.c.wins) * 3 + func.sum(links.c.kudos)
    rows = db.session.execute(
        select(fa.name, fb.name, func.sum(links.c.wins), func.sum(links.c.kudos), score)
        .join(fa, fa.id == links.c.a).join(fb, fb.id == links.c.b)
        .group_by(fa.name, fb.name).order_by(score.desc(), func.sum(links.c.wins).desc(), fa.name, fb.name)
        .limit(BOARD_SIZE)
    )
    return [{"name": f"{a} × {b}", "wins": w, "kudos": k, "score": s} for a, b, w, k, s in rows]


def _points_in(quarter: str):
    return and_(LedgerEntry.account == "points", LedgerEntry.period.in_(quarter_months(quarter)))


def _team_board(quarter: str) -> list[dict[str, Any]]:
    """Teams by points their members earned this quarter, opted-out members not counted. Tie-break: team name, id."""
    points = func.sum(LedgerEntry.amount)
    rows = db.session.execute(
        select(Team.name, Function.name, points).join(User, User.team_id == Team.id)
        .join(LedgerEntry, LedgerEntry.user_id == User.id).join(Function, Function.id == Team.function_id)
        .where(_points_in(quarter), User.id.not_in(select(LeaderboardOptOut.user_id)))
        .group_by(Team.id, Team.name, Function.name)
        .order_by(points.desc(), Team.name, Team.id).limit(BOARD_SIZE)
    )
    return [{"name": f"{team} ({function})", "score": score} for team, function, score in rows]


def _people_board(quarter: str) -> list[dict[str, Any]]:
    """People by points earned this quarter, opted-out people never shown. Tie-break: name, then id."""
    points = func.sum(LedgerEntry.amount)
    rows = db.session.execute(
        select(User.id, User.name, points).join(LedgerEntry, LedgerEntry.user_id == User.id)
        .where(_points_in(quarter), User.active.is_(True),
               User.id.not_in(select(LeaderboardOptOut.user_id)))
        .group_by(User.id, User.name).order_by(points.desc(), User.name, User.id).limit(BOARD_SIZE)
    )
    return [{"id": uid, "name": name, "score": score} for uid, name, score in rows]


BOARDS = {"pairs": _pair_board, "teams": _team_board, "people": _people_board}


def leaderboard(board: str, quarter: str) -> list[dict[str, Any]]:
    """One board for a quarter, from the cache or one aggregated query."""
    return _cached(board, quarter, BOARDS[board])


# --- the flow matrix ------------------------------------------------------------------------

def flow_matrix(periods: list[str]) -> tuple[list[Function], dict[tuple[int, int], int]]:
    """Kudos counts giver function -> receiver function over the periods (one grouped query)."""
    rows = db.session.execute(
        select(KudosRecipient.giver_function_id, KudosRecipient.receiver_function_id, func.count())
        .join(Kudos).where(Kudos.period.in_(periods), kept_kudos(), KudosRecipient.giver_function_id.is_not(None),
                           KudosRecipient.receiver_function_id.is_not(None))
        .group_by(KudosRecipient.giver_function_id, KudosRecipient.receiver_function_id)
    )
    flows = {(g, r): n for g, r, n in rows if g is not None and r is not None}
    functions = list(db.session.scalars(list_functions(active_only=True)))
    return functions, flows


def colleague_choices(viewer: User) -> list[tuple[int, str]]:
    """Active colleagues (not the viewer) as (id, "Name — Function") for pickers."""
    rows = db.session.execute(
        select(User.id, User.name, Function.name).outerjoin(Function, Function.id == User.function_id)
        .where(User.active.is_(True), User.id != viewer.id).order_by(User.name)
    )
    return [(uid, f"{name} — {fname or 'no function'}") for uid, name, fname in rows]

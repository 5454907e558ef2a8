"""Recognition figures for the leadership scorecard (Collaboration and Engagement rows)."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import and_, func, or_, select

from recognition.models import Kudos, KudosRecipient, Win, WinFunction, WinStatus
from recognition.queries import kept_kudos
from webapp.extensions import db
from webapp.main.scorecard import SPARK_QUARTERS, Figure, quarterly_series
from webapp.people.queries import stints_during
from webapp.periods import Quarter


def _by_quarter(rows) -> dict[str, float]:
    return {quarter: float(count) for quarter, count in rows}


def _series(quarter: Quarter, counts: dict[str, float], label: str, unit: str, drill: str, note: str = "") -> Figure:
    figure = quarterly_series(quarter, lambda q: counts.get(str(q), 0.0))
    figure.label, figure.unit, figure.drill_url, figure.note = label, unit, drill, note
    return figure


def joint_win_figure(quarter: Quarter, pair: tuple[int, int]) -> Figure:
    """Published wins that credit both functions of the pair, per quarter (one grouped query)."""
    crediting = [select(WinFunction.win_id).where(WinFunction.function_id == f) for f in pair]
    rows = db.session.execute(
        select(Win.quarter, func.count(Win.id))
        .where(Win.status == WinStatus.PUBLISHED.value, Win.id.in_(crediting[0]), Win.id.in_(crediting[1]))
        .group_by(Win.quarter)
    )
    return _series(quarter, _by_quarter(rows), "Joint wins crediting both functions", "wins",
                   url_for("recognition.feed"))


def kudos_flow_figure(quarter: Quarter, pair: tuple[int, int]) -> Figure:
    """Kudos crossing between the two functions (both directions), per quarter, with the split."""
    a, b = pair
    direction = or_(and_(KudosRecipient.giver_function_id == a, KudosRecipient.receiver_function_id == b),
                    and_(KudosRecipient.giver_function_id == b, KudosRecipient.receiver_function_id == a))
    rows = db.session.execute(
        select(Kudos.quarter, KudosRecipient.giver_function_id, func.count())
        .join(Kudos, KudosRecipient.kudos_id == Kudos.id).where(direction, kept_kudos())
        .group_by(Kudos.quarter, KudosRecipient.giver_function_id)
    ).all()
    totals: dict[str, float] = {}
    for q, _, count in rows:
        totals[q] = totals.get(q, 0.0) + count
    from_a = sum(count for q, giver, count in rows if q == str(quarter) and giver == a)
    from_b = sum(count for q, giver, count in rows if q == str(quarter) and giver == b)
    return _series(quarter, totals, "Kudos between the pair (both directions)", "kudos",
                   url_for("recognition.flow"), note=f"first to second: {from_a}; second to first: {from_b}")


def bridge_share_figure(quarter: Quarter, pair: tuple[int, int]) -> Figure:
    """Share of the pair's people who gave or received cross-functional kudos, per quarter.

    A quarter's people are those active in either function on at least one of its days (the membership
    history), so a past quarter's share never changes when people join, move or leave today.
    """
    window = quarter.trailing(SPARK_QUARTERS)
    stints = stints_during(set(pair), window[0].start, window[-1].end)
    members = {str(q): {person for person, start, end in stints if start < q.end and (end is None or end > q.start)}
               for q in window}
    rows = db.session.execute(
        select(Kudos.quarter, KudosRecipient.user_id, Kudos.giver_id)
        .join(Kudos, KudosRecipient.kudos_id == Kudos.id)
        .where(Kudos.quarter.in_(members), kept_kudos(),
               KudosRecipient.giver_function_id != KudosRecipient.receiver_function_id)
    )
    involved: dict[str, set[int]] = {}
    for q, receiver, giver in rows:
        involved.setdefault(q, set()).update({receiver, giver} & members[q])
    shares = {q: 100.0 * len(ids) / len(members[q]) for q, ids in involved.items() if members[q]}
    return _series(quarter, shares, "People of the pair who gave or received cross-functional kudos", "%",
                   url_for("recognition.flow"))

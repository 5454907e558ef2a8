"""Request figures for the leadership scorecard (Collaboration row): cycle time, options, escalations, look-backs."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from statistics import median

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from programs.resource_requests.models import LookbackResult, ResourceRequest
from webapp.extensions import db
from webapp.main.scorecard import Figure, quarterly_series
from webapp.periods import Quarter


def _pair_requests(pair: tuple[int, int]) -> list[ResourceRequest]:
    """Requests between the two functions, either way round."""
    return list(db.session.scalars(select(ResourceRequest).where(
        ResourceRequest.from_function_id.in_(pair), ResourceRequest.to_function_id.in_(pair),
        ResourceRequest.from_function_id != ResourceRequest.to_function_id)
        .options(selectinload(ResourceRequest.decisions), selectinload(ResourceRequest.lookbacks))))


def _share(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def cycle_days(requests: list[ResourceRequest], quarter: Quarter) -> float | None:
    """Median days from sending to the decision, of the requests decided in the quarter."""
    days = [(r.decided_at - r.created_at).total_seconds() / 86400 for r in requests
            if r.decided_at and Quarter.containing(r.decided_at) == quarter]
    return round(median(days), 1) if days else None


def answered_share(requests: list[ResourceRequest], quarter: Quarter) -> float | None:
    """Of the requests sent in the quarter, the share answered with options (not left without an answer)."""
    sent = [r for r in requests if Quarter.containing(r.created_at) == quarter]
    return _share(sum(1 for r in sent if r.answered_at or r.decisions), len(sent))


def escalated_share(requests: list[ResourceRequest], quarter: Quarter) -> float | None:
    """Of the requests whose deadline fell in the quarter, the share that went to the leaders."""
    due = [r for r in requests if Quarter.containing(r.deadline) == quarter]
    return _share(sum(1 for r in due if r.escalated_at), len(due))


def delivered_share(requests: list[ResourceRequest], quarter: Quarter) -> float | None:
    """Of the look-backs recorded in the quarter (one per side), the share that said the option delivered."""
    recorded = [lb for r in requests for lb in r.lookbacks if Quarter.containing(lb.created_at) == quarter]
    return _share(sum(1 for lb in recorded if lb.result == LookbackResult.GOOD), len(recorded))


FIGURES: list[tuple[str, str, Callable[[list[ResourceRequest], Quarter], float | None]]] = [
    ("Request cycle time from sending to decision (median)", "days", cycle_days),
    ("Requests answered with options", "% of requests", answered_share),
    ("Requests escalated to the leaders", "% of requests due", escalated_share),
    ("Look-backs: the funded option delivered", "% of look-backs", delivered_share),
]


def request_figures(quarter: Quarter, pair: tuple[int, int]) -> list[Figure]:
    """The four request figures for the pair, each with last quarter and a sparkline."""
    requests = _pair_requests(pair)
    figures = []
    for label, unit, compute in FIGURES:
        figure = quarterly_series(quarter, partial(compute, requests))
        figure.label, figure.unit = label, unit
        figure.drill_url = url_for("resource_requests.index", function=pair[0])
        figures.append(figure)
    return figures

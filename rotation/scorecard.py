"""Rotation figures for the leadership scorecard (the Collaboration row)."""
from __future__ import annotations

from datetime import date, datetime

from flask import url_for
from sqlalchemy import and_, or_, select

from rotation.models import TAKEN, Application, Cohort, Opening, Placement
from webapp.extensions import db
from webapp.main.scorecard import Figure, quarterly_series
from webapp.people.models import Membership
from webapp.periods import Quarter


def _pair_placements(pair: tuple[int, int]) -> list[tuple[date, date, datetime | None]]:
    """(cohort start, cohort end, completed at) of taken placements between the two functions, either way.

    The applicant's function is the one they belonged to when the cohort started (the membership history),
    so a rotation stays between the pair when its person moves function later.
    """
    a, b = pair
    home = Membership.function_id
    rows = db.session.execute(
        select(Cohort.starts_on, Cohort.ends_on, Placement.completed_at)
        .join(Application, Placement.application_id == Application.id)
        .join(Opening, Placement.opening_id == Opening.id)
        .join(Cohort, Opening.cohort_id == Cohort.id)
        .join(
            Membership,
            and_(
                Membership.user_id == Application.applicant_id,
                Membership.started_on <= Cohort.starts_on,
                or_(Membership.ended_on.is_(None), Membership.ended_on > Cohort.starts_on),
            ),
        )
        .where(Placement.status.in_(TAKEN))
        .where(or_(and_(home == a, Opening.function_id == b), and_(home == b, Opening.function_id == a)))
    )
    return [(starts, ends, completed) for starts, ends, completed in rows]


def rotation_figures(quarter: Quarter, pair: tuple[int, int]) -> list[Figure]:
    """Rotations running and rotations completed between the pair, per quarter (one query)."""
    placements = _pair_placements(pair)

    def running(q: Quarter) -> float:
        return float(sum(start < q.end and end >= q.start for start, end, _ in placements))

    def completed(q: Quarter) -> float:
        return float(sum(done is not None and q.start_utc <= done < q.end_utc for _, _, done in placements))

    figures = []
    for label, count in (("Rotations running between the pair", running),
                         ("Rotations completed between the pair", completed)):
        figure = quarterly_series(quarter, count)
        figure.label, figure.unit, figure.drill_url = label, "people", url_for("rotation.index")
        figures.append(figure)
    return figures

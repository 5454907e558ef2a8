"""The demo: a believable year of warnings between Finance and Operations, every record dated in the past,
and the closed months reconciled with the trust pulse's outcome metrics."""
from __future__ import annotations

import random

from sqlalchemy import select

from programs.early_warnings.demo import seed_warnings
from programs.early_warnings.models import EarlyWarning, Variance, WarningComment
from programs.trust.demo import _seed_outcomes
from webapp import clock
from webapp.people.demo import seed_people
from webapp.people.models import Function


def test_demo_seeds_a_year_of_warnings_in_the_past_and_reconciles_the_months(db):
    seed_people()
    _seed_outcomes(random.Random(1), list(db.session.scalars(select(Function).order_by(Function.name))))
    summary = seed_warnings()
    assert summary.startswith("40 warnings") and "12 months reconciled" in summary
    warnings = db.session.scalars(select(EarlyWarning)).all()
    codes = {w.from_function.code for w in warnings} | {w.to_function.code for w in warnings}
    assert codes == {"FIN", "OPS"}
    assert {w.status for w in warnings} == {"draft", "raised", "acknowledged", "closed"}
    assert {w.outcome for w in warnings if w.outcome} == {"materialised", "smaller", "larger", "avoided"}
    now = clock.now()
    for w in warnings:
        moments = [w.created_at, w.raised_at, w.acknowledged_at, w.closed_at]
        assert all(m is None or m < now for m in moments), w.title
        if w.closed_at:
            assert w.raised_at < w.acknowledged_at < w.closed_at
    raised = [w.raised_at for w in warnings if w.raised_at]
    assert (max(raised) - min(raised)).days > 300
    assert all(c.created_at < now for c in db.session.scalars(select(WarningComment)))
    variances = db.session.scalars(select(Variance)).all()
    material = [v for v in variances if v.material]
    assert material and any(v.warnings for v in material) and any(v.surprise for v in material)

"""The demo: two past cohorts with completed, reflected placements, and one cohort open for applications."""
from __future__ import annotations

from rotation.demo import seed_rotations
from rotation.models import Application, Cohort, Placement
from webapp.people.demo import DEMO_ANCHOR, seed_people


def test_demo_has_two_completed_cohorts_and_one_open(db):
    seed_people()
    assert seed_rotations() == "1 program, 3 cohorts, 7 completed rotations"
    cohorts = db.session.scalars(db.select(Cohort).order_by(Cohort.starts_on)).all()
    assert [c.window_is_open(DEMO_ANCHOR) for c in cohorts] == [False, False, True]
    assert all(c.ends_on < DEMO_ANCHOR for c in cohorts[:2])
    completed = db.session.scalars(db.select(Placement).where(Placement.status == "completed")).all()
    assert completed and all(p.reflection and 1 <= p.rating <= 5 and p.opening.cohort in cohorts[:2] for p in completed)
    waiting = db.session.scalars(db.select(Application).where(Application.cohort_id == cohorts[2].id,
                                                              Application.status == "submitted")).all()
    assert any(a.home_manager.email.startswith("manager@") for a in waiting)

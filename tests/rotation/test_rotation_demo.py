"""The demo: two past cohorts with completed, reflected placements, and one cohort open for applications."""
from __future__ import annotations

from recognition.models import LedgerEntry
from rotation.demo import seed_rotations
from rotation.models import Application, Cohort, Placement
from webapp import clock
from webapp.auth.models import AuditEntry
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


def test_demo_records_carry_the_time_of_the_event_they_describe(db):
    seed_people()
    seed_rotations()
    today = clock.today()
    applications = db.session.scalars(db.select(Application)).all()
    assert applications
    for a in applications:
        cohort = a.cohort
        assert cohort.applications_open_on <= a.created_at.date() <= cohort.applications_close_on
        assert a.created_at.date() != today
        if a.decided_at:
            assert a.created_at < a.decided_at and a.decided_at.date() <= cohort.applications_close_on
    placements = db.session.scalars(db.select(Placement)).all()
    assert placements
    for p in placements:
        cohort = p.opening.cohort
        assert p.created_at.date() == cohort.matching_on == p.responded_at.date()
        assert {c.created_at.date() for c in p.check_ins} == {cohort.midpoint}
        assert p.reflected_at.date() == p.home_confirmed_at.date() == cohort.ends_on
        if p.status == "completed":
            assert p.completed_at.date() == p.host_feedback_at.date() == cohort.ends_on
    points = db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.source_type == "rotation")).all()
    assert len(points) == 7
    completions = {p.id: p.completed_at for p in placements if p.status == "completed"}
    assert sorted(e.created_at for e in points) == sorted(completions.values())
    assert {p.state(today) for p in placements} <= {"completed", "ended"}  # long over: never "active"
    assert any(p.state(today) == "ended" for p in placements)  # one in five waits for the host's feedback
    audits = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action.like("rotation.%"))).all()
    assert audits and all(e.created_at.date() < today for e in audits)

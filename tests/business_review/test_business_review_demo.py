"""The demo: a year of monthly reviews between Finance and Operations, with targets, notes, decisions and alerts,
each signed review frozen with its hash and dated in the past; the daily command sends the draft's pre-read.

The demo is dated from the demo anchor, so it is the same year however far the clock has moved."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import time_machine
from sqlalchemy import func, select

from programs.business_review.models import AgendaAlert, MetricNote, MetricTarget, MonthlyReview
from programs.business_review.services import snapshot_hash
from webapp import clock
from webapp.cli import DEMO_SEEDERS
from webapp.notifications.models import Notification
from webapp.people.demo import DEMO_ANCHOR


def test_the_demo_has_a_year_of_reviews_with_targets_alerts_and_the_pre_read_goes_out(app, db):
    names = [name for _, name, _ in DEMO_SEEDERS]
    assert names.index("business reviews") > names.index("trust pulse")
    for _, _, seeder in DEMO_SEEDERS:
        seeder()
    db.session.commit()
    reviews = db.session.scalars(select(MonthlyReview).order_by(MonthlyReview.month)).all()
    assert (reviews[0].month, reviews[-1].month) == ("2025-11", "2026-10")  # the year before the anchor
    assert len(reviews) == 12 and {(r.first_function.code, r.second_function.code) for r in reviews} == {("FIN", "OPS")}
    signed, drafts = [r for r in reviews if r.is_signed], [r for r in reviews if not r.is_signed]
    assert len(signed) == 11 and drafts == [reviews[-1]]
    for review in signed:
        assert review.snapshot_sha256 == snapshot_hash(review.snapshot)
        assert review.meeting_on < clock.today() and review.signed_at < clock.now()
        assert len(review.snapshot["metrics"]) == 3
    assert any(not r.snapshot["items"] for r in signed), "some meetings record no decision"
    assert db.session.scalar(select(func.count()).select_from(MetricTarget)) == 36
    assert db.session.scalar(select(func.count()).select_from(AgendaAlert)) >= 1
    assert db.session.scalar(select(func.count()).select_from(MetricNote)) >= 2

    assert drafts[0].meeting_on == DEMO_ANCHOR + timedelta(days=7)
    with time_machine.travel(datetime.combine(drafts[0].meeting_on - timedelta(days=1), time(7), tzinfo=UTC)):
        result = app.test_cli_runner().invoke(args=["business_review", "send-pre-reads"])
        assert "Sent 1 pre-read(s)." in result.output
        assert db.session.scalar(select(func.count()).where(Notification.message.startswith("Pre-read"))) > 0
        assert "Sent 0 pre-read(s)." in app.test_cli_runner().invoke(args=["business_review", "send-pre-reads"]).output

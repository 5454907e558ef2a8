"""A warning from draft to close: who sees it, who acknowledges, the thread, closing after the period, reopening,
recognition (points, badge, a feed item that tells nothing), and the author's name shown only as chosen."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from programs.early_warnings import services
from programs.early_warnings.models import EarlyWarning, WarningComment
from programs.early_warnings.rules import parse_period
from recognition.models import FeedItem, LedgerEntry
from recognition.services import ensure_default_badges
from tests.conftest import sign_in
from tests.early_warnings.warnings_factories import raise_warning, warning_data, warning_form
from webapp import clock
from webapp.auth.models import AuditEntry
from webapp.errors import AlreadyRecorded, Refused, RuleError
from webapp.extensions import db
from webapp.notifications.models import Notification


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalars(select(func.count()).select_from(model)).one()


def _notified(user) -> list[str]:
    return list(db.session.scalars(select(Notification.message).where(Notification.user_id == user.id)))


def test_raising_tells_the_receiving_responders_and_starts_the_response_clock(org):
    warning = raise_warning(org.author, org.fin_function.id)
    assert warning.status == "raised"
    assert warning.respond_by > warning.raised_at + timedelta(days=1)  # two working days
    assert any("Steel prices" in m for m in _notified(org.fin_manager))
    assert any("Steel prices" in m for m in _notified(org.fin_leader))
    assert _notified(org.fin_employee) == []  # only managers and leaders are asked


def test_a_draft_is_the_authors_alone_until_raised(client, org):
    draft = services.save_warning(org.author, None, warning_data(org.fin_function.id), False, clock.now())
    db.session.commit()
    sign_in(client, org.fin_manager)
    assert client.get(f"/warnings/{draft.id}").status_code == 404
    assert _notified(org.fin_manager) == []
    sign_in(client, org.author)
    assert client.post(f"/warnings/{draft.id}/raise").status_code == 303
    sign_in(client, org.fin_manager)
    assert client.get(f"/warnings/{draft.id}").status_code == 200


def test_the_new_warning_form_raises_once_and_a_replay_records_nothing(client, org):
    sign_in(client, org.author)
    form = warning_form(org.fin_function.id)
    first = client.post("/warnings/new", data=form)
    assert first.status_code == 303
    again = client.post("/warnings/new", data=form)
    assert again.status_code == 400 and "already recorded" in again.get_data(as_text=True)
    assert _count(EarlyWarning) == 1


def test_the_authors_name_shows_only_to_the_receiving_function_and_only_when_chosen(client, org):
    hidden = raise_warning(org.author, org.fin_function.id, title="Hidden author")
    shown = raise_warning(org.author, org.fin_function.id, title="Named author", show_name=True)
    sign_in(client, org.fin_manager)
    assert org.author.name not in client.get(f"/warnings/{hidden.id}").get_data(as_text=True)
    assert "Someone in Operations" in client.get(f"/warnings/{hidden.id}").get_data(as_text=True)
    assert org.author.name in client.get(f"/warnings/{shown.id}").get_data(as_text=True)
    sign_in(client, org.ops_colleague)  # the author's own function: not the receiving one
    page = client.get(f"/warnings/{shown.id}").get_data(as_text=True)
    assert org.author.name not in page and "Someone in Operations" in page
    sign_in(client, org.sales_manager)  # a third function does not see the warning at all
    assert client.get(f"/warnings/{shown.id}").status_code == 404
    assert "Named author" not in client.get("/warnings/").get_data(as_text=True)


def test_raising_earns_points_more_for_a_longer_lead_and_a_feed_item_that_tells_nothing(org):
    ensure_default_badges()
    soon = raise_warning(org.author, org.fin_function.id, title="Soon", period=f"{clock.today():%Y-%m}")
    later_period = parse_period(f"{(clock.today() + timedelta(days=200)):%Y-%m}")
    later = raise_warning(org.author, org.fin_function.id, title="Later", period=later_period.label)
    points = dict(db.session.execute(select(LedgerEntry.source_id, LedgerEntry.amount).where(
        LedgerEntry.source_type == "warning", LedgerEntry.user_id == org.author.id)).all())
    assert points[soon.id] == 10
    assert points[later.id] > points[soon.id]
    items = db.session.scalars(select(FeedItem).where(FeedItem.kind == "warning")).all()
    assert len(items) == 2
    for item in items:
        assert item.author_id is None
        assert org.author.name not in item.headline and "Soon" not in item.headline and "Later" not in item.headline


def test_the_third_warning_earns_the_early_bird_badge(org):
    from recognition.models import BadgeAward, BadgeDefinition
    ensure_default_badges()
    for n in range(3):
        raise_warning(org.author, org.fin_function.id, title=f"Warning {n}")
    badge = db.session.scalar(select(BadgeDefinition).where(BadgeDefinition.slug == "early-bird"))
    assert db.session.get(BadgeAward, (badge.id, org.author.id)) is not None


@pytest.mark.parametrize("who", ["fin_employee", "ops_manager", "sales_manager", "author"])
def test_only_a_manager_or_leader_of_the_receiving_function_acknowledges(org, who):
    warning = raise_warning(org.author, org.fin_function.id)
    with pytest.raises(Refused):
        services.acknowledge(getattr(org, who), warning, "Look at it", clock.now())


def test_an_acknowledgement_names_a_next_step_and_happens_once(client, org):
    warning = raise_warning(org.author, org.fin_function.id)
    sign_in(client, org.fin_manager)
    empty = client.post(f"/warnings/{warning.id}/acknowledge", data={"ack-next_step": "  "})
    assert empty.status_code == 400 and "Name the next step." in empty.get_data(as_text=True)
    ok = client.post(f"/warnings/{warning.id}/acknowledge", data={"ack-next_step": "Review the forecast Monday"})
    assert ok.status_code == 303
    assert any("Review the forecast Monday" in m for m in _notified(org.author))
    sign_in(client, org.fin_leader)
    again = client.post(f"/warnings/{warning.id}/acknowledge", data={"ack-next_step": "Me too"})
    assert again.status_code == 400 and "already acknowledged" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(EarlyWarning, warning.id).acknowledged_by_id == org.fin_manager.id


def test_both_sides_discuss_in_the_thread_and_the_author_stays_unnamed(client, org):
    warning = raise_warning(org.author, org.fin_function.id)
    sign_in(client, org.author)
    posted = client.post(f"/warnings/{warning.id}/comments", data={"comment-body": "More detail: 3 suppliers",
                                                                    "comment-idempotency_key": "k" * 24},
                         headers={"HX-Request": "true"})
    assert posted.status_code == 200 and 'id="warning-thread"' in posted.get_data(as_text=True)
    assert "k" * 24 not in posted.get_data(as_text=True)  # the fresh form carries a new key for the next message
    sign_in(client, org.fin_employee)
    page = client.get(f"/warnings/{warning.id}").get_data(as_text=True)
    assert "More detail: 3 suppliers" in page and "The author (Operations)" in page and org.author.name not in page
    assert (
        client.post(
            f"/warnings/{warning.id}/comments", data={"comment-body": "Thanks", "comment-idempotency_key": "j" * 24}
        ).status_code
        == 303
    )
    sign_in(client, org.sales_manager)
    assert (
        client.post(
            f"/warnings/{warning.id}/comments", data={"comment-body": "Me", "comment-idempotency_key": "m" * 24}
        ).status_code
        == 404
    )
    assert _count(WarningComment) == 2


def test_a_warning_closes_only_after_its_period_and_a_reopen_is_audited(org):
    warning = raise_warning(org.author, org.fin_function.id)
    with pytest.raises(RuleError, match="once its period has passed"):
        services.close_warning(org.fin_manager, warning, "avoided", 0.0, "", clock.now())
    db.session.rollback()
    after = parse_period(warning.period).end + timedelta(days=3)
    with time_machine.travel(after, tick=False):
        with pytest.raises(Refused):
            services.close_warning(org.sales_manager, warning, "avoided", 0.0, "", clock.now())
        db.session.rollback()
        with pytest.raises(RuleError, match="more than zero"):
            services.close_warning(org.author, warning, "larger", -5.0, "", clock.now())
        db.session.rollback()
        services.close_warning(org.author, warning, "avoided", None, "Supplier backed down", clock.now())
        db.session.commit()
        assert warning.status == "closed" and warning.actual_impact == 0.0
        with pytest.raises(RuleError, match="reopen"):
            services.close_warning(org.author, warning, "larger", 90000.0, "", clock.now())
        db.session.rollback()
        services.reopen_warning(org.fin_manager, warning, "The surcharge came after all", clock.now())
        db.session.commit()
        assert warning.status == "raised"
        audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "warning.reopen"))
        assert audit is not None
        services.close_warning(org.fin_manager, warning, "larger", 90000.0, "", clock.now())
        db.session.commit()
    # the author's points stand whatever happened: nothing is ever taken back for a warning
    assert db.session.scalar(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.source_type == "warning")) >= 10


def test_a_replayed_comment_records_nothing(org):
    warning = raise_warning(org.author, org.fin_function.id)
    services.add_comment(org.fin_employee, warning, "First", clock.now(), "x" * 24)
    db.session.commit()
    with pytest.raises(AlreadyRecorded):
        services.add_comment(org.fin_employee, warning, "First", clock.now(), "x" * 24)


def test_a_repeated_warning_raised_event_pays_once(org):
    from webapp import signals
    for _ in range(2):
        signals.warning_raised.send("early_warnings", warning_id=99, author=org.author,
                                    from_function_id=org.ops_function.id, to_function_id=org.fin_function.id,
                                    lead_time_days=30, occurred_at=clock.now())
    entries = db.session.scalars(select(LedgerEntry.amount).where(LedgerEntry.source_type == "warning")).all()
    assert entries == [18]  # 10, and 2 for each of the 4 full weeks of lead time

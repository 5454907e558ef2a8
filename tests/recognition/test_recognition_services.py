"""The rules of kudos, add-ons, joint wins and co-signs, badges, the feed's moderation and other pillars' events."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from recognition import queries, rules, services
from recognition.models import BadgeAward, FeedItem, LedgerEntry, Milestone
from recognition.queries import allowance_left, points_balance, spent_in
from tests.factories import make_user
from tests.recognition.recognition_factories import MESSAGE, give, key, log_joint_win, make_org
from webapp import clock, signals
from webapp.auth.models import AuditEntry
from webapp.errors import AlreadyRecorded, Refused
from webapp.notifications.models import OFF, Notification
from webapp.notifications.services import save_settings
from webapp.periods import month_label
from webapp.roles import Role

NOW = datetime(2026, 6, 10, 12, tzinfo=UTC)


@pytest.fixture
def org(db):
    return make_org()


def _points(user, kind=None):
    query = select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(LedgerEntry.user_id == user.id,
                                                                           LedgerEntry.account == "points")
    return services.db.session.scalar(query.where(LedgerEntry.kind == kind) if kind else query)


def test_kudos_debits_the_giver_and_credits_the_receiver(org):
    give(org.fin[0], org.fin[1], points=15)
    assert spent_in(org.fin[0].id, month_label(clock.now())) == 15
    assert points_balance(org.fin[1].id) == 15


def test_kudos_across_functions_earn_a_free_bridge_bonus(org):
    give(org.fin[0], org.ops[0], points=20)
    assert _points(org.ops[0], "bridge_bonus") == 10 and points_balance(org.ops[0].id) == 30
    assert spent_in(org.fin[0].id, month_label(clock.now())) == 20


@pytest.mark.parametrize("case, field", [("self", "recipients"), ("short", "message"), ("tag", "value_tag"),
                                         ("nobody", "recipients"), ("zero", "points"), ("inactive", "recipients")])
def test_kudos_rules_refuse_with_a_field_message(org, db, case, field):
    giver, other = org.fin[0], org.fin[1]
    inactive = make_user(active=False, function=giver.function)
    args = {"self": ([giver.id], MESSAGE, "one-team", 5), "short": ([other.id], "thanks!", "one-team", 5),
            "tag": ([other.id], MESSAGE, "<b>x</b>", 5), "nobody": ([], MESSAGE, "one-team", 5),
            "zero": ([other.id], MESSAGE, "one-team", 0), "inactive": ([inactive.id], MESSAGE, "one-team", 5)}[case]
    with pytest.raises(services.RecognitionError) as error:
        services.give_kudos(giver, *args, key=key())
    assert error.value.field == field


def test_the_allowance_cannot_be_overspent(org, db):
    for receiver in (org.fin[1], org.ops[0], org.ops[1], org.fin_manager):
        give(org.fin[0], receiver, points=25)
    with pytest.raises(services.RecognitionError, match="0 left to give"):
        give(org.fin[0], org.ops_manager, points=1)


def test_managers_get_extra_allowance_per_direct_report(org, db):
    for _ in range(3):
        make_user(function=org.fin_manager.function, manager=org.fin_manager)
    policy = services.get_policy()
    left = allowance_left(org.fin_manager, month_label(clock.now()), policy.monthly_allowance,
                          policy.per_report_extra)
    assert left == 130


def test_unspent_allowance_expires_at_month_end(org, db):
    give(org.fin[0], org.fin[1], points=40, now=datetime(2026, 5, 31, 23, tzinfo=UTC))
    assert spent_in(org.fin[0].id, "2026-05") == 40 and spent_in(org.fin[0].id, "2026-06") == 0
    give(org.fin[0], org.fin_manager, points=50, now=NOW)  # a new month: the full 100 again
    assert spent_in(org.fin[0].id, "2026-06") == 50


def test_the_cap_per_pair_over_any_24_hours(org, db):
    give(org.fin[0], org.fin[1], points=30, now=NOW)
    with pytest.raises(services.RecognitionError, match="at most 50 points in any 24 hours; 20 left now"):
        give(org.fin[0], org.fin[1], points=25, now=NOW + timedelta(hours=1))
    give(org.fin[0], org.fin[1], points=25, now=NOW + timedelta(days=1))


def test_the_pair_cap_is_a_rolling_24_hours_not_a_calendar_day(org, db):
    late = datetime(2026, 6, 10, 23, 50, tzinfo=UTC)
    give(org.fin[0], org.fin[1], points=5, now=late)
    with pytest.raises(services.RecognitionError, match="45 left now"):
        give(org.fin[0], org.fin[1], points=50, now=late + timedelta(minutes=15))  # 00:05 the next day


def test_padding_is_not_substance(org, db):
    for padded in ("a" * 40, "Thanks" + " " * 33, "Thanks!!! " * 5):
        with pytest.raises(services.RecognitionError, match="at least 40 letters or digits") as error:
            give(org.fin[0], org.fin[1], message=padded)
        assert error.value.field == "message"


def test_the_trading_window_is_a_setting(org, db):
    services.get_policy().reciprocity_window_days = 1
    a, b = org.fin
    give(a, b, points=20, now=NOW)
    give(b, a, points=20, now=NOW + timedelta(days=2))  # outside the 1-day window: not trading
    assert points_balance(a.id) == 20


def test_one_way_thanks_pay_in_full(org, db):
    ada, kofi = org.fin
    give(ada, kofi, points=20, now=NOW)
    give(ada, kofi, points=20, now=NOW + timedelta(days=1))
    assert points_balance(kofi.id) == 40  # Kofi never gave anything back: no damper


def test_trading_back_and_forth_has_a_diminishing_return(org, db):
    a, b = org.fin
    give(a, b, points=20, now=NOW)
    give(b, a, points=20, now=NOW + timedelta(hours=1))
    give(a, b, points=20, now=NOW + timedelta(days=1))
    assert points_balance(a.id) == 10  # second exchange between them: 50%
    assert points_balance(b.id) == 20 + 5  # third: 25%


def test_a_replayed_key_changes_nothing(org, db):
    same = key()
    services.give_kudos(org.fin[0], [org.fin[1].id], MESSAGE, "one-team", 10, same)
    with pytest.raises(AlreadyRecorded):
        services.give_kudos(org.fin[0], [org.fin[1].id], MESSAGE, "one-team", 10, same)
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 2


def test_an_add_on_key_equal_to_a_kudos_key_does_not_collide_in_the_ledger(org, db):
    shared = key()
    kudos = services.give_kudos(org.fin[0], [org.fin[1].id], MESSAGE, "one-team", 10, shared)
    services.add_to_kudos(org.ops[0], kudos, 5, shared)
    keys = set(db.session.scalars(select(LedgerEntry.idempotency_key)))
    assert len(keys) == 5  # kudos: spend + receive; add-on: spend + receive + bridge bonus
    assert {k.split(":")[0] for k in keys} == {"kudos", "kudos_addon"}
    assert points_balance(org.fin[1].id) == 10 + 5 + 3


def test_add_on_pays_each_receiver_from_the_backers_allowance(org, db):
    kudos = give(org.fin[0], org.fin[1], points=10)
    services.add_to_kudos(org.ops[0], kudos, 5, key())
    assert points_balance(org.fin[1].id) == 10 + 5 + 3  # the add-on crosses functions: bridge bonus (rounded up)
    assert db.session.scalar(select(FeedItem.points).where(FeedItem.kudos_id == kudos.id)) == 18
    with pytest.raises(services.RecognitionError):
        services.add_to_kudos(org.fin[1], kudos, 5, key())


def test_a_joint_win_waits_for_the_other_function_then_publishes(org, db):
    received = []

    def receive(sender, **kw):
        received.append(kw)

    signals.win_published.connect(receive)
    try:
        win = log_joint_win(org)
        assert win.status == "pending" and received == []
        assert services.may_cosign(org.fin_manager, win) == []
        with pytest.raises(services.RecognitionError):
            services.cosign_win(org.ops[0], win)  # not a manager
        services.cosign_win(org.ops_manager, win)
    finally:
        signals.win_published.disconnect(receive)
    assert win.status == "published"
    assert received[0]["win_id"] == win.id and received[0]["function_ids"] == {org.fin[0].function_id,
                                                                               org.ops[0].function_id}
    assert points_balance(org.fin[0].id) == points_balance(org.ops[0].id) == 100  # 2 functions x 100 / 2 people
    joint = db.session.scalar(select(BadgeAward).where(BadgeAward.user_id == org.ops[0].id))
    assert joint.badge.slug == "joint-win"
    kinds = set(db.session.scalars(select(FeedItem.kind)))
    assert kinds == {"win", "badge"}


def test_kudos_and_a_published_win_reach_people_who_turned_notices_off(org, db):
    for person in (org.ops[0], org.fin[0]):
        save_settings(person, {"info": OFF}, weekly_digest=False)
    give(org.fin[1], org.ops[0], points=5, now=NOW)  # used to fail: the missing notice had no created_at
    services.cosign_win(org.ops_manager, log_joint_win(org))
    assert points_balance(org.ops[0].id) == 5 + 3 + 100  # the kudos, its bridge bonus (half, rounded up), the win
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id.in_([org.ops[0].id, org.fin[0].id]), Notification.kind == "info")) == 0


def test_a_declined_win_is_never_published(org, db):
    win = log_joint_win(org)
    with pytest.raises(services.RecognitionError, match="why"):
        services.decline_win(org.ops_manager, win, "  ")
    services.decline_win(org.ops_manager, win, "We were not involved.")
    assert win.status == "declined" and points_balance(org.fin[0].id) == 0
    with pytest.raises(services.RecognitionError):
        services.cosign_win(org.ops_manager, win)


@pytest.mark.parametrize("credit, message", [
    ("own function", "at least two functions"),
    ("logger", "not yourself"),
])
def test_a_win_must_be_joint_and_never_credit_its_logger(org, db, credit, message):
    credited = {"own function": [org.fin[0].id, org.fin[1].id], "logger": [org.fin_manager.id, org.ops[0].id]}[credit]
    with pytest.raises(services.RecognitionError, match=message) as error:
        services.log_win(org.fin_manager, "Audit closed", "No findings at all this year, thanks to all.",
                         credited, ["craft"], (None, "", ""), key())
    assert error.value.field == "credited"
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_a_credited_manager_never_cosigns_the_win_crediting_them(org, db):
    tariq = make_user(Role.MANAGER, name="Tariq", function=org.ops_manager.function)
    win = services.log_win(org.fin_manager, "Freight matched", "Carrier references now flow to Accounting.",
                           [org.fin[0].id, tariq.id], ["one-team"], (None, "", ""), key())
    assert services.may_cosign(tariq, win) == []
    with pytest.raises(services.RecognitionError, match="You are credited on this win"):
        services.cosign_win(tariq, win)
    assert win.status == "pending"
    notified = db.session.scalars(select(Notification.user_id).where(Notification.kind == "cosign")).all()
    assert notified == [org.ops_manager.id]  # the credited manager is not asked
    services.cosign_win(org.ops_manager, win)
    assert win.status == "published"


def test_employees_cannot_log_wins(org, db):
    with pytest.raises(services.RecognitionError, match="managers and leaders"):
        services.log_win(org.fin[0], "x", "y" * 30, [org.fin[1].id], ["craft"], (None, "", ""), key())


def test_bridge_builder_badge_after_five_cross_functional_kudos_once(org, db):
    for day in range(6):
        give(org.fin[0], org.ops[day % 2], points=5, now=NOW + timedelta(days=day))
    awards = db.session.scalars(select(BadgeAward).where(BadgeAward.user_id == org.fin[0].id)).all()
    assert [a.badge.slug for a in awards] == ["bridge-builder"]
    assert db.session.scalar(select(func.count()).select_from(FeedItem).where(FeedItem.kind == "badge")) == 1


def test_other_pillars_events_make_feed_items_points_and_badges_once(org, db):
    person = org.ops[0]
    for _ in range(2):
        signals.rotation_completed.send("rotation", placement_id=7, person=person, home_function_id=person.function_id,
                                        host_function_id=org.fin[0].function_id, completed_at=NOW, occurred_at=NOW)
        signals.visit_confirmed.send("visits", visit_id=3, attendees=[person, org.fin[0]],
                                     function_ids={person.function_id, org.fin[0].function_id}, account_name="Acme",
                                     internal_only=False, confirmed_by=org.fin[0], held_on=date(2026, 6, 1),
                                     occurred_at=datetime(2026, 6, 1, 12, tzinfo=UTC))
    kinds = sorted(db.session.scalars(select(FeedItem.kind).where(FeedItem.kind.in_(["rotation", "visit"]))))
    assert kinds == ["rotation", "visit"]
    assert points_balance(person.id) == services.ROTATION_POINTS + services.VISIT_POINTS
    slugs = {a.badge.slug for a in db.session.scalars(select(BadgeAward).where(BadgeAward.user_id == person.id))}
    assert slugs == {"rotation-graduate", "field-partner"}


def test_an_internal_visit_gives_no_feed_item(org, db):
    signals.visit_confirmed.send("visits", visit_id=4, attendees=[org.ops[0]], function_ids={org.ops[0].function_id},
                                 account_name="Internal", internal_only=True, confirmed_by=org.ops[0],
                                 held_on=date(2026, 6, 1), occurred_at=datetime(2026, 6, 1, 12, tzinfo=UTC))
    assert list(db.session.scalars(select(FeedItem.kind))) == ["badge"]  # Field Partner, but no visit post
    assert db.session.scalar(select(func.count()).select_from(Milestone)) == 1


def test_authors_delete_own_posts_and_admins_hide_with_an_audited_reason(org, db):
    kudos = give(org.fin[0], org.fin[1])
    item = db.session.scalar(select(FeedItem).where(FeedItem.kudos_id == kudos.id))
    with pytest.raises(Refused, match="only delete your own"):
        services.delete_own_item(org.fin[1], item)
    admin = make_user(Role.ADMIN)
    with pytest.raises(services.RecognitionError):
        services.hide_item(admin, item, "")
    services.hide_item(admin, item, "Names a customer")
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "recognition.hide"))
    assert audit.after == {"state": "hidden", "reason": "Names a customer"} and item.state == "hidden"
    other = db.session.scalar(select(FeedItem).where(FeedItem.kudos_id == give(org.ops[0], org.ops[1]).id))
    services.delete_own_item(org.ops[0], other)
    assert other.state == "deleted"


def test_reactions_toggle_and_only_offered_emoji(org, db):
    item = db.session.scalar(select(FeedItem).where(FeedItem.kudos_id == give(org.fin[0], org.fin[1]).id))
    assert services.toggle_reaction(org.ops[0], item, "clap") is True
    assert services.toggle_reaction(org.ops[0], item, "clap") is False
    with pytest.raises(services.RecognitionError):
        services.toggle_reaction(org.ops[0], item, "poop")


def test_work_anniversaries_appear_once(org, db):
    make_user(name="Hana Hire", function=org.fin[0].function, hired_on=date(2020, 6, 8))
    assert services.record_anniversaries(date(2026, 6, 10)) == 1
    assert services.record_anniversaries(date(2026, 6, 11)) == 0
    assert "Hana Hire celebrates 6 years" in db.session.scalar(select(FeedItem.headline))


def test_oversized_input_is_refused(org, db):
    crowd = [make_user(function=org.ops[0].function).id for _ in range(services.MAX_RECIPIENTS + 1)]
    with pytest.raises(services.RecognitionError, match="at most 10"):
        services.give_kudos(org.fin[0], crowd, MESSAGE, "one-team", 1, key())
    with pytest.raises(services.RecognitionError, match="under 1000"):
        services.give_kudos(org.fin[0], [org.fin[1].id], "x" * 1001, "one-team", 1, key())


def test_the_profile_figures_of_one_query_equal_the_single_queries(org, db):
    for _ in range(2):
        make_user(function=org.fin_manager.function, manager=org.fin_manager)
    give(org.fin[0], org.ops[0], points=20)
    give(org.fin_manager, org.fin[0], org.ops[1], points=15)
    give(org.ops[0], org.fin[0])
    services.set_leaderboard_opt_out(org.ops[0], True)
    db.session.commit()
    policy, period = services.get_policy(), month_label(clock.now())
    for person in (org.fin[0], org.fin_manager, org.ops[0], org.ops[1], org.ops_manager):
        figures = queries.profile_figures(person.id, period)
        granted = figures.granted if figures.granted is not None else rules.allowance_for(
            policy.monthly_allowance, policy.per_report_extra, figures.direct_reports)
        assert (figures.given, figures.received) == queries.recognition_counts(person.id)
        assert figures.balance == points_balance(person.id) and figures.spent == spent_in(person.id, period)
        assert granted - figures.spent == allowance_left(
            person, period, policy.monthly_allowance, policy.per_report_extra
        )
        assert figures.opted_out == queries.is_opted_out(person.id) == (person is org.ops[0])
    assert queries.profile_figures(org.fin_manager.id, period).direct_reports == 2

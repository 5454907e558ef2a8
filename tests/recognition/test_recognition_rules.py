"""The pure rules, and property tests of the ledger: allowances never negative, balances are sums."""
from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from recognition import rules, services
from recognition.models import LedgerEntry
from recognition.queries import points_balance, spent_in
from tests.conftest import wipe_database
from tests.recognition.recognition_factories import MESSAGE, key, make_org
from webapp import clock
from webapp.periods import month_label


def test_reciprocity_halves_to_a_floor_and_bridge_bonus_is_on_top():
    assert [rules.reciprocity_pct(n) for n in range(4)] == [100, 50, 25, 25]
    assert rules.receipt(20, 0, False, 150).total == 20
    assert rules.receipt(20, 1, True, 150) == rules.Receipt(20, 10, 5)
    assert rules.receipt(1, 3, False, 150).base == 1


def test_meaningful_length_counts_letters_and_digits_with_runs_collapsed():
    assert rules.meaningful_length("a" * 40) == 1
    assert rules.meaningful_length("Thanks" + " " * 33) == 6
    assert rules.meaningful_length("Thanks!!! Happy  to see   it, 100 times") == len("thankshapytoseit10times")
    assert rules.meaningful_length("Merci beaucoup à toi") == len("mercibeaucoupàtoi")


def test_the_bridge_bonus_rounds_up_so_a_1_point_kudos_gets_one():
    assert rules.receipt(1, 0, True, 150) == rules.Receipt(1, 1, 1)
    assert rules.receipt(5, 0, True, 150).bridge_bonus == 3
    assert rules.receipt(20, 0, True, 150).bridge_bonus == 10


def test_only_two_way_trading_is_damped():
    assert rules.trading_exchanges(given_before=3, received_before=0) == 0  # one-way thanks: full pay
    assert rules.trading_exchanges(given_before=1, received_before=1) == 2
    assert rules.trading_exchanges(given_before=0, received_before=1) == 1


def test_month_end():
    assert rules.month_end(date(2028, 2, 3)) == date(2028, 2, 29)
    assert rules.month_end(datetime(2026, 12, 31, 23, tzinfo=UTC)) == date(2026, 12, 31)


def test_win_shares_split_a_pool_per_function():
    assert rules.win_shares(100, 2, 4) == 50
    assert rules.win_shares(100, 1, 3) == 33
    assert rules.win_shares(100, 1, 0) == 0


def test_one_way_pairs_and_anniversaries():
    assert rules.one_way_pairs({(1, 2): 3, (2, 1): 1, (1, 3): 2, (3, 3): 4}) == {(1, 3)}
    assert rules.anniversary_years(date(2020, 3, 1), date(2026, 3, 1)) == 6
    assert rules.anniversary_years(date(2020, 2, 29), date(2025, 2, 28)) == 5
    assert rules.anniversary_years(date(2020, 3, 1), date(2026, 3, 2)) is None


gifts = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(1, 60)), min_size=1, max_size=12)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=gifts)
def test_any_sequence_of_gifts_keeps_allowances_non_negative_and_balances_sums(app, db, sequence):
    """Whatever is attempted, each allowance stays >= 0 and each balance equals the sum of its entries."""
    org = make_org()
    people = [*org.fin, *org.ops]
    accepted = 0
    for giver_index, receiver_index, points in sequence:
        giver, receiver = people[giver_index], people[receiver_index]
        savepoint = db.session.begin_nested()
        try:
            services.give_kudos(giver, [receiver.id], MESSAGE, "candour", points, key())
        except services.RecognitionError:
            savepoint.rollback()
        else:
            savepoint.commit()
            accepted += 1
    period = month_label(clock.now())
    for person in people:
        assert spent_in(person.id, period) <= 100
        entries = db.session.scalars(select(LedgerEntry.amount).where(
            LedgerEntry.user_id == person.id, LedgerEntry.account == "points")).all()
        assert points_balance(person.id) == sum(entries)
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.account == "allowance")) == accepted
    wipe_database()  # hypothesis runs many examples inside one test's database


@given(paid=st.integers(1, 1000), exchanges=st.integers(0, 50), crosses=st.booleans(), multiplier=st.integers(100, 500))
def test_a_receipt_is_positive_and_never_more_than_paid_times_the_bridge_multiplier(
    paid, exchanges, crosses, multiplier
):
    got = rules.receipt(paid, exchanges, crosses, multiplier)
    assert 1 <= got.base <= paid
    assert got.total <= -(-paid * (multiplier if crosses else 100) // 100)  # the bonus rounds up
    assert got.bridge_bonus == 0 or crosses
    assert rules.receipt(paid, exchanges + 1, crosses, multiplier).base <= got.base

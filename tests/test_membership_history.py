"""The membership history: who was active in which function on each day, so past figures never move."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import time_machine
from sqlalchemy import select

from recognition.models import Kudos
from rotation.services import Placement
from tests.factories import make_function, make_user
from tests.recognition.recognition_factories import give
from tests.rotation.rotation_factories import make_application, make_cohort, make_opening, make_org, make_program
from tests.timeline import TODAY
from webapp import clock
from webapp.people.models import Membership, User
from webapp.people.queries import headcount_on, members_during
from webapp.people.services import PersonData, apply_pending_import, save_person, set_active, stage_people_import
from webapp.periods import Quarter
from webapp.roles import Role


def _on(day: date):
    return time_machine.travel(datetime.combine(day, time(12), tzinfo=UTC))


def _move(person: User, function_id: int) -> User:
    return save_person(None, person, PersonData(email=person.email, name=person.name, function_id=function_id,
                                                hired_on=person.hired_on, roles=set(person.roles)))


def _headcounts(function_id: int, days: list[date]) -> list[int]:
    return [headcount_on({function_id}, day).get(function_id, 0) for day in days]


def test_headcount_on_a_day_follows_a_join_a_move_a_deactivation_and_a_return(db):
    finance, sales = make_function(), make_function()
    joined, moved, left, back = (TODAY - timedelta(days=n) for n in (40, 20, 5, 2))
    with _on(joined):
        person = save_person(None, None, PersonData(email="ana@example.com", name="Ana", function_id=finance.id))
    with _on(moved):
        _move(person, sales.id)
    with _on(left):
        set_active(None, person, False)
    with _on(back):
        set_active(None, person, True)
    day = timedelta(days=1)
    assert _headcounts(finance.id, [joined - day, joined, moved - day, moved, TODAY]) == [0, 1, 1, 0, 0]
    assert _headcounts(sales.id, [moved - day, moved, left - day, left, back - day, back, TODAY]) == [
        0,
        1,
        1,
        0,
        0,
        1,
        1,
    ]
    assert members_during({finance.id}, joined - 10 * day, joined) == set()  # the end day is not in the period
    assert members_during({finance.id}, moved - day, TODAY) == {person.id}
    assert members_during({sales.id}, left, back) == set()  # away the whole time
    assert members_during({sales.id}, left - day, back) == {person.id}


def test_members_of_a_quarter_are_everyone_active_in_it_for_at_least_a_day(db):
    finance, sales = make_function(), make_function()
    quarter = Quarter.containing(TODAY).previous()
    stayed, left_early, moved_in_after = (make_user(function=finance) for _ in range(3))
    with _on(quarter.start + timedelta(days=1)):
        set_active(None, left_early, False)
    with _on(quarter.end - timedelta(days=1)):
        joined_late = make_user(function=finance, member_since=clock.today())
    with _on(quarter.end):
        _move(moved_in_after, sales.id)
    outsider = make_user(function=sales)
    assert members_during({finance.id}, quarter.start, quarter.end) == {
        stayed.id, left_early.id, joined_late.id, moved_in_after.id}
    assert members_during({sales.id}, quarter.start, quarter.end) == {outsider.id}
    assert headcount_on({finance.id}, quarter.end - timedelta(days=1)) == {finance.id: 3}  # left_early is gone
    assert headcount_on({finance.id}, quarter.start) == {finance.id: 3}  # joined_late is not there yet


def test_changes_on_one_day_leave_one_stint_and_no_empty_ones(db):
    finance, sales, ops = make_function(), make_function(), make_function()
    person = make_user(function=finance)
    _move(person, sales.id)
    _move(person, ops.id)
    set_active(None, person, False)
    set_active(None, person, True)
    _move(person, ops.id)  # no change: no new stint
    stints = db.session.execute(select(Membership.function_id, Membership.started_on, Membership.ended_on)
                                .where(Membership.user_id == person.id).order_by(Membership.id)).all()
    assert stints == [(finance.id, TODAY - timedelta(days=3650), TODAY), (ops.id, TODAY, None)]


def test_an_import_records_who_joined_and_who_moved_from_the_day_it_is_applied(db):
    finance, ops = make_function("Finance", "FIN"), make_function("Operations", "OPS")
    staying = make_user(function=finance, email="stay@example.com")
    pending, plan = stage_people_import(None, "people.csv", "email,name,function\nstay@example.com,Stay,Operations\n"
                                                            "new@example.com,New,Finance\n")
    assert plan.is_valid
    apply_pending_import(None, pending)
    newcomer = db.session.scalar(select(User).where(User.email == "new@example.com"))
    yesterday = TODAY - timedelta(days=1)
    assert headcount_on({finance.id, ops.id}, yesterday) == {finance.id: 1}
    assert headcount_on({finance.id, ops.id}, TODAY) == {finance.id: 1, ops.id: 1}
    assert members_during({finance.id}, TODAY, TODAY + timedelta(days=1)) == {newcomer.id}
    assert members_during({ops.id}, TODAY, TODAY + timedelta(days=1)) == {staying.id}


def _scorecard_csv(client, quarter: Quarter, pair) -> bytes:
    response = client.get("/scorecard.csv", query_string={"quarter": str(quarter), "a": pair[0].id, "b": pair[1].id})
    assert response.status_code == 200
    return response.get_data()


def _line(csv: bytes, label: str) -> list[str]:
    return next(line for line in csv.decode().splitlines() if label in line).split(",")


def test_last_quarters_scorecard_csv_is_byte_identical_after_joins_a_move_and_a_deactivation_today(
    db, signed_in_client
):
    org = make_org()
    sales = make_function("Sales", "SAL")
    fin, ops = [org.finance_person() for _ in range(3)], [org.ops_person() for _ in range(3)]
    leader = make_user(Role.LEADER, function=org.finance)
    last_quarter = Quarter.containing(TODAY).previous()
    moment = datetime.combine(last_quarter.start + timedelta(days=20), time(12), tzinfo=UTC)
    give(fin[0], ops[0], now=moment)
    give(ops[1], fin[1], now=moment)
    cohort = make_cohort(make_program(org), opens_on=last_quarter.start - timedelta(days=30))
    seat = make_opening(cohort, org.ops_manager)
    application = make_application(fin[2], cohort, [seat], approve=True, today=cohort.applications_open_on)
    db.session.add(Placement(application_id=application.id, opening_id=seat.id, status="accepted",
                             respond_by=cohort.matching_on))
    client = signed_in_client(leader)
    pair = (org.finance, org.operations)
    before = _scorecard_csv(client, last_quarter, pair)
    assert db.session.scalar(select(Kudos.quarter).limit(1)) == str(last_quarter)
    assert _line(before, "gave or received cross-functional kudos")[3] == f"{100 * 4 / 9:.1f}"  # 4 of the pair's 9
    assert _line(before, "Rotations running between the pair")[3] == "1"

    content = "email,name,function\n" + "".join(f"new{n}@example.com,New {n},Operations\n" for n in range(5))
    pending, plan = stage_people_import(None, "people.csv", content)
    assert plan.is_valid
    apply_pending_import(None, pending)
    _move(fin[0], sales.id)  # a kudos giver leaves the pair
    _move(fin[2], org.operations.id)  # the rotation's person joins the function they rotated into
    set_active(None, ops[1], False)
    db.session.commit()

    assert _scorecard_csv(client, last_quarter, pair) == before

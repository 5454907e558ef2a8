"""Every rule of programs, cohorts, openings, applications, approvals and host ranking (service level)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from rotation import services
from rotation.queries import host_order, months_between
from rotation.services import RotationError
from tests.factories import make_team, make_user
from tests.rotation.rotation_factories import (
    LONG_AGO,
    TODAY,
    make_application,
    make_cohort,
    make_opening,
    make_program,
)
from webapp.roles import Role


@pytest.fixture
def openings(org, cohort):
    """Two Finance openings and two Operations openings."""
    return {
        "fin": [make_opening(cohort, org.finance_manager, title="Close"), make_opening(cohort, org.finance_manager)],
        "ops": [make_opening(cohort, org.ops_manager, title="Warehouse"), make_opening(cohort, org.ops_manager)],
    }


def test_program_names_are_unique_and_need_functions(org):
    make_program(org, name="Exchange")
    with pytest.raises(RotationError, match="already has this name"):
        make_program(org, name="Exchange")
    with pytest.raises(RotationError, match="at least one") as error:
        make_program(org, name="Other", host_function_ids=[])
    assert error.value.field == "host_function_ids"
    with pytest.raises(RotationError, match="at least one"):
        make_program(org, name="Third", eligible_function_ids=[999])


@pytest.mark.parametrize("field, value, message", [
    ("applications_close_on", date(2026, 11, 1), "close on or after it opens"),
    ("matching_on", date(2026, 11, 30), "on or after the window closes"),
    ("starts_on", date(2026, 12, 15), "starts after the matching date"),
    ("ends_on", date(2026, 12, 30), "ends after it starts"),
])
def test_cohort_dates_must_run_in_order(org, field, value, message):
    program = make_program(org)
    dates = {"applications_open_on": date(2026, 11, 2), "applications_close_on": date(2026, 12, 1),
             "matching_on": date(2026, 12, 15), "starts_on": date(2027, 1, 4), "ends_on": date(2027, 3, 29)}
    with pytest.raises(RotationError, match=message) as error:
        services.save_cohort(org.hr, program, None, services.CohortData(name="C", **{**dates, field: value}))
    assert error.value.field == field


def test_openings_are_posted_by_managers_of_host_functions_with_a_mentor_of_that_function(org):
    sales_manager = make_user(Role.MANAGER, team=make_team(), hired_on=LONG_AGO)
    cohort = make_cohort(make_program(org, host_function_ids=[org.finance.id]))
    with pytest.raises(RotationError, match="hosted by Finance"):
        make_opening(cohort, org.ops_manager)
    with pytest.raises(RotationError, match="hosted by Finance"):
        make_opening(cohort, sales_manager)
    with pytest.raises(RotationError, match="Only managers"):
        make_opening(cohort, org.finance_person())
    with pytest.raises(RotationError, match="mentor must be an active person of your function") as error:
        make_opening(cohort, org.finance_manager, mentor=org.ops_person())
    assert error.value.field == "mentor_email"
    mentor = org.finance_person()
    opening = make_opening(cohort, org.finance_manager, mentor=mentor, capacity=3)
    assert (opening.function_id, opening.mentor_id, opening.capacity) == (org.finance.id, mentor.id, 3)


def test_an_eligible_person_applies_with_ranked_openings(org, cohort, openings):
    person = org.finance_person()
    application = make_application(person, cohort, [openings["ops"][1], openings["ops"][0]])
    assert [(c.rank, c.opening_id) for c in application.choices] == [(1, openings["ops"][1].id),
                                                                     (2, openings["ops"][0].id)]
    assert application.home_manager_id == org.finance_manager.id
    assert application.status == "submitted"


def test_window_closed_is_refused_with_the_dates(org, cohort, openings):
    person = org.finance_person()
    for day in (cohort.applications_open_on - timedelta(days=1), cohort.applications_close_on + timedelta(days=1)):
        with pytest.raises(RotationError, match="the window is closed"):
            make_application(person, cohort, openings["ops"], today=day)
    make_application(person, cohort, openings["ops"], today=cohort.applications_close_on)


def test_people_of_a_function_the_program_does_not_take_are_refused(org):
    cohort = make_cohort(make_program(org, eligible_function_ids=[org.operations.id]))
    opening = make_opening(cohort, org.ops_manager)
    with pytest.raises(RotationError, match="open to people in Operations, not to your function"):
        make_application(org.finance_person(), cohort, [opening])


def test_an_opening_in_the_applicants_own_function_is_refused(org, cohort, openings):
    with pytest.raises(RotationError, match="Close is in your own function") as error:
        make_application(org.finance_person(), cohort, [openings["ops"][0], openings["fin"][0]])
    assert error.value.field == "openings"


@pytest.mark.parametrize("hired_on, message", [
    (TODAY - timedelta(days=90), "needs at least 6 months with us; you have 2"),
    (None, "your hire date is not on record"),
])
def test_short_tenure_is_refused_with_the_months(org, cohort, openings, hired_on, message):
    person = make_user(team=org.fpa, manager=org.finance_manager, hired_on=hired_on)
    with pytest.raises(RotationError, match=message):
        make_application(person, cohort, openings["ops"])


def test_months_between_counts_whole_months():
    assert months_between(date(2026, 5, 25), date(2026, 11, 25)) == 6
    assert months_between(date(2026, 5, 26), date(2026, 11, 25)) == 5


def test_one_application_per_cohort(org, cohort, openings):
    person = org.finance_person()
    make_application(person, cohort, openings["ops"][:1])
    with pytest.raises(RotationError, match="already applied"):
        make_application(person, cohort, openings["ops"][1:])


def test_choices_are_one_to_five_distinct_openings_of_this_cohort(org, cohort, openings):
    person = org.finance_person()
    other_cohort = make_cohort(cohort.program, name="Other")
    foreign = make_opening(other_cohort, org.ops_manager)
    many = [make_opening(cohort, org.ops_manager) for _ in range(4)] + openings["ops"]
    for ids, message in [([], "at least one"), ([o.id for o in many], "up to 5"),
                         ([many[0].id, many[0].id], "up to 5 different"), ([foreign.id], "of this cohort")]:
        with pytest.raises(RotationError, match=message):
            services.submit_application(person, cohort, ids, "s", "g", TODAY)
    make_application(person, cohort, many[:5])


def test_someone_without_a_manager_cannot_apply(org, cohort, openings):
    loner = make_user(function=org.finance, hired_on=LONG_AGO)
    with pytest.raises(RotationError, match="need a manager"):
        make_application(loner, cohort, openings["ops"])


def test_only_the_home_manager_decides_once_and_declining_needs_a_comment(org, cohort, openings):
    application = make_application(org.finance_person(), cohort, openings["ops"])
    with pytest.raises(RotationError, match="home manager"):
        services.decide_application(org.ops_manager, application, True, "", TODAY)
    with pytest.raises(RotationError, match="Say why") as error:
        services.decide_application(org.finance_manager, application, False, "  ", TODAY)
    assert error.value.field == "comment"
    services.decide_application(org.finance_manager, application, False, "Busy quarter.", TODAY)
    assert (application.status, application.decision_comment) == ("declined", "Busy quarter.")
    with pytest.raises(RotationError, match="already declined"):
        services.decide_application(org.finance_manager, application, True, "", TODAY)


def test_release_cap_allows_twenty_percent_of_a_team_by_default(org):
    cohort = make_cohort(make_program(org, release_cap_percent=services.ProgramData.release_cap_percent))
    openings = {"ops": [make_opening(cohort, org.ops_manager)]}
    people = [org.finance_person() for _ in range(9)]  # with the manager, ten people: two may go
    apps = [make_application(p, cohort, openings["ops"]) for p in people[:3]]
    for application in apps[:2]:
        services.decide_application(org.finance_manager, application, True, "", TODAY)
    with pytest.raises(RotationError, match=r"at most 2 of its 10 people at once \(20%, at least one\), "
                                            r"and 2 already are approved"):
        services.decide_application(org.finance_manager, apps[2], True, "", TODAY)
    assert apps[2].status == "submitted"


def test_release_cap_is_at_least_one_person_and_configurable(org):
    cohort = make_cohort(make_program(org, release_cap_percent=50))
    opening = make_opening(cohort, org.ops_manager, capacity=3)
    small = make_team(org.finance, "Treasury", manager=org.finance_manager)
    people = [make_user(team=small, manager=org.finance_manager, hired_on=LONG_AGO) for _ in range(3)]
    apps = [make_application(p, cohort, [opening]) for p in people]
    services.decide_application(org.finance_manager, apps[0], True, "", TODAY)  # 50% of 3 is 1
    with pytest.raises(RotationError, match="at most 1 of its 3 people"):
        services.decide_application(org.finance_manager, apps[1], True, "", TODAY)
    tiny_cohort = make_cohort(make_program(org, release_cap_percent=20), name="Tiny")
    solo_team = make_team(org.finance, "Solo", manager=org.finance_manager)
    solo = make_user(team=solo_team, manager=org.finance_manager, hired_on=LONG_AGO)
    solo_app = make_application(solo, tiny_cohort, [make_opening(tiny_cohort, org.ops_manager)])
    services.decide_application(org.finance_manager, solo_app, True, "", TODAY)  # 20% of 1 rounds up to one
    assert solo_app.status == "approved"


def test_host_order_defaults_to_application_time_and_follows_the_hosts_ranking(org, cohort, openings):
    opening = openings["ops"][0]
    apps = [make_application(org.finance_person(), cohort, [opening], approve=i < 2) for i in range(3)]
    assert [a.id for a in host_order(opening)] == [apps[0].id, apps[1].id]  # approved only, by time
    services.rank_applicants(org.ops_manager, opening, [apps[1].id, apps[0].id])
    assert [a.id for a in host_order(opening)] == [apps[1].id, apps[0].id]


def test_only_the_host_ranks_and_the_list_must_match(org, cohort, openings):
    opening = openings["ops"][0]
    application = make_application(org.finance_person(), cohort, [opening], approve=True)
    with pytest.raises(RotationError, match="host mentor or manager"):
        services.rank_applicants(org.finance_manager, opening, [application.id])
    with pytest.raises(RotationError, match="list of applicants changed"):
        services.rank_applicants(org.ops_manager, opening, [application.id, 999])


def test_release_cap_counts_only_cohorts_that_overlap_and_are_not_over(org):
    program = make_program(org, release_cap_percent=20)
    earlier = make_cohort(program, opens_on=TODAY - timedelta(days=200), name="Earlier")
    current = make_cohort(program, name="Current")
    people = [org.finance_person() for _ in range(3)]  # four in the team with the manager: one may go
    old_seat, seat = make_opening(earlier, org.ops_manager), make_opening(current, org.ops_manager)
    old = make_application(people[0], earlier, [old_seat], today=earlier.applications_open_on)
    services.decide_application(org.finance_manager, old, True, "", earlier.applications_open_on)
    now = make_application(people[1], current, [seat])
    services.decide_application(org.finance_manager, now, True, "", TODAY)  # the earlier rotation is over
    assert now.status == "approved"

"""Factories for rotation tests: a Finance/Operations organisation, programs, cohorts, openings, applications."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from rotation import services
from rotation.models import Application, Cohort, Opening, Program
from tests.factories import make_function, make_team, make_user
from tests.timeline import TODAY
from webapp.extensions import db
from webapp.people.models import Function, Team, User
from webapp.roles import Role

LONG_AGO = date(2020, 1, 6)
_programs = itertools.count(1)


@dataclass
class Org:
    finance: Function
    operations: Function
    fpa: Team
    logistics: Team
    finance_manager: User
    ops_manager: User
    hr: User

    def finance_person(self, **kwargs) -> User:
        return make_user(team=self.fpa, manager=self.finance_manager, hired_on=LONG_AGO, **kwargs)

    def ops_person(self, **kwargs) -> User:
        return make_user(team=self.logistics, manager=self.ops_manager, hired_on=LONG_AGO, **kwargs)


def make_org() -> Org:
    finance, operations = make_function("Finance", "FIN"), make_function("Operations", "OPS")
    fpa, logistics = make_team(finance, "FP&A"), make_team(operations, "Logistics")
    finance_manager = make_user(Role.MANAGER, name="Fiona Finance", team=fpa, hired_on=LONG_AGO)
    ops_manager = make_user(Role.MANAGER, name="Otto Operations", team=logistics, hired_on=LONG_AGO)
    fpa.manager, logistics.manager = finance_manager, ops_manager
    hr = make_user(Role.HR, name="Hana HR", hired_on=LONG_AGO)
    db.session.flush()
    return Org(finance, operations, fpa, logistics, finance_manager, ops_manager, hr)


def make_program(org: Org, **overrides) -> Program:
    data = services.ProgramData(**{
        "name": f"Exchange {next(_programs)}", "purpose": "See the other side.",
        "host_function_ids": [org.finance.id, org.operations.id],
        "eligible_function_ids": [org.finance.id, org.operations.id],
        "duration_weeks": 12, "time_share_percent": 100, "min_tenure_months": 6,
        "release_cap_percent": 100, **overrides,  # the cap has its own tests
    })
    return services.save_program(org.hr, None, data)


def make_cohort(program: Program, opens_on: date = TODAY - timedelta(days=5), name: str = "Spring") -> Cohort:
    return services.save_cohort(None, program, None, services.CohortData(name=name, applications_open_on=opens_on,
        applications_close_on=opens_on + timedelta(days=20), matching_on=opens_on + timedelta(days=25),
        starts_on=opens_on + timedelta(days=40), ends_on=opens_on + timedelta(days=124)))


def make_opening(cohort: Cohort, manager: User, capacity: int = 1, title: str | None = None,
                 mentor: User | None = None) -> Opening:
    return services.save_opening(manager, cohort, None, services.OpeningData(
        title=title or f"Opening {len(cohort.openings) + 1}", activities="Work alongside the team.",
        learning="How they decide.", skills="", capacity=capacity, mentor_id=(mentor or manager).id,
        time_share_percent=100))


def make_application(person: User, cohort: Cohort, openings: list[Opening], approve: bool = False,
                     today: date = TODAY) -> Application:
    application = services.submit_application(person, cohort, [o.id for o in openings], "Because.", "Learn.", today)
    if approve:
        services.decide_application(application.home_manager, application, True, "", today)
    return application


def run_match(org: Org, cohort: Cohort, today: date | None = None) -> dict[int, int]:
    """Run the match on the cohort's matching date (or the given day), after the application window."""
    return services.run_match(org.hr, cohort, today or cohort.matching_on)


def publish(org: Org, cohort: Cohort, today: date | None = None) -> list:
    """Publish the draft, confirmed, on the cohort's matching date (or the given day)."""
    return services.publish_match(org.hr, cohort, today or cohort.matching_on, confirmed=True)


def close_early(org: Org, cohort: Cohort, today: date = TODAY) -> Cohort:
    """HR closes the application window today, confirmed (so the match may run today)."""
    return services.close_applications(org.hr, cohort, today, confirmed=True)

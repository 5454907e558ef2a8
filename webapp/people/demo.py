"""The demo organisation: about 150 people in 6 functions, deterministic (seeded)."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from webapp.extensions import db
from webapp.people.models import Function, Team, User
from webapp.people.services import record_membership
from webapp.roles import Role

DEMO_PASSWORD = "demo-password"
DEMO_DOMAIN = "demo.commonground.example"
DEMO_ANCHOR = date(2026, 11, 1)  # hire dates count back from here, so the demo never changes
SEED = 20261125

FUNCTIONS = [
    ("Finance", "FIN", "#1f77b4", ["FP&A", "Accounting", "Treasury"]),
    ("Operations", "OPS", "#d95f02", ["Supply Chain", "Logistics", "Quality"]),
    ("Sales", "SAL", "#2ca02c", ["Enterprise", "Mid-Market"]),
    ("Customer Success", "CS", "#9467bd", ["Onboarding", "Support"]),
    ("Engineering", "ENG", "#8c564b", ["Platform", "Product"]),
    ("People", "HR", "#e377c2", ["People Partners"]),
]
HEADCOUNT = {"Finance": 28, "Operations": 36, "Sales": 24, "Customer Success": 22, "Engineering": 28, "People": 12}
FIRST = [
    "Ada", "Alan", "Amara", "Ben", "Chen", "Dana", "Eli", "Emma", "Farah", "Gus", "Hana", "Ivan", "Jada", "Jonas",
    "Kai", "Lena", "Leo", "Maya", "Mei", "Nia", "Noah", "Omar", "Priya", "Quinn", "Rafael", "Rosa", "Sam", "Sara",
    "Tariq", "Uma", "Vera", "Wei", "Xavier", "Yara", "Zane", "Ines", "Kofi", "Lars", "Nadia", "Pavel"
]
LAST = [
    "Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Keller", "Rossi", "Nguyen", "Kowalski",
    "Brennan", "Asante", "Dubois", "Fischer", "Gupta", "Ivanova", "Jensen", "Kim", "Larsen", "Mendes", "Nakamura",
    "Oduya", "Petrov", "Quispe", "Rahman", "Santos", "Torres", "Varga", "Walsh", "Yilmaz", "Zhang", "Abara", "Berg",
    "Costa"
]


def demo_login(local: str) -> User:
    """The demo login local@DEMO_DOMAIN (employee, manager ...)."""
    return db.session.scalars(select(User).where(User.email == f"{local}@{DEMO_DOMAIN}")).one()


def seed_people() -> str:
    """Create the functions, teams and people of the demo organisation, and one login per role."""
    rng = random.Random(SEED)
    names = [f"{first} {last}" for first in FIRST for last in LAST]
    rng.shuffle(names)
    people: list[User] = []
    for fname, code, colour, team_names in FUNCTIONS:
        function = Function(name=fname, code=code, colour=colour)
        teams = [Team(name=name, function=function) for name in team_names]
        db.session.add_all([function, *teams])
        people += _staff_function(rng, function, teams, [names.pop() for _ in range(HEADCOUNT[fname])])
    db.session.add_all(people)
    logins = _assign_demo_logins(people)
    db.session.flush()
    hire_days = sorted({person.hired_on for person in people if person.hired_on is not None})
    for hired_on in hire_days:  # the demo's history: in their function since hired
        record_membership([person for person in people if person.hired_on == hired_on], hired_on)
    return (
        f"{len(FUNCTIONS)} functions, {sum(len(f[3]) for f in FUNCTIONS)} teams, {len(people)} people; "
        f"logins {', '.join(logins)} with password {DEMO_PASSWORD!r}"
    )


def _person(rng: random.Random, name: str, function: Function, team: Team | None, title: str,
            manager: User | None) -> User:
    return User(
        name=name, email=name.lower().replace(" ", ".") + "@" + DEMO_DOMAIN, job_title=title,
        function=function, team=team, manager=manager,
        hired_on=DEMO_ANCHOR - timedelta(days=rng.randrange(30, 8 * 365)),
    )


def _staff_function(rng: random.Random, function: Function, teams: list[Team], names: list[str]) -> list[User]:
    """A head of function, one manager per team, and the rest spread across the teams."""
    head = _person(rng, names.pop(), function, None, f"Head of {function.name}", None)
    head.set_roles({Role.MANAGER})
    staff = [head]
    for team in teams:
        team.manager = _person(rng, names.pop(), function, team, f"{team.name} Lead", head)
        team.manager.set_roles({Role.MANAGER})
        staff.append(team.manager)
    for index, name in enumerate(names):
        team = teams[index % len(teams)]
        staff.append(_person(rng, name, function, team, rng.choice(["Analyst", "Specialist", "Coordinator"]),
                             team.manager))
    return staff


# local part of the email, function, team (None: head of function), is a manager, extra roles
DEMO_LOGINS = [
    ("leader", "Finance", None, True, {Role.LEADER}),
    ("manager", "Operations", "Logistics", True, set()),
    ("employee", "Finance", "FP&A", False, set()),
    ("hr", "People", "People Partners", False, {Role.HR}),
    ("admin", "People", "People Partners", False, {Role.ADMIN}),
]


def _assign_demo_logins(people: list[User]) -> list[str]:
    """Turn chosen people into the demo logins: one per role, each with the demo password."""
    taken: list[User] = []
    for local, function, team, is_manager, roles in DEMO_LOGINS:
        person = next(
            p for p in people
            if p not in taken and p.function and p.function.name == function
            and (p.team.name if p.team else None) == team and (Role.MANAGER in p.roles) == is_manager
        )
        person.email = f"{local}@{DEMO_DOMAIN}"
        person.set_roles(person.roles | roles)
        person.set_password(DEMO_PASSWORD)
        taken.append(person)
    return [p.email for p in taken]

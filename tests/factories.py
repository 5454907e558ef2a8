"""Plain factory functions for tests: each creates, adds and flushes one object."""
from __future__ import annotations

import itertools
from datetime import date, timedelta

from webapp import clock
from webapp.extensions import db
from webapp.people.models import Function, Team, User
from webapp.people.services import record_membership
from webapp.roles import Role

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


def make_function(name: str | None = None, code: str | None = None, colour: str = "#336699") -> Function:
    n = next(_counter)
    function = Function(name=name or f"Function {n}", code=code or f"F{n}", colour=colour)
    db.session.add(function)
    db.session.flush()
    return function


def make_team(function: Function | None = None, name: str | None = None, manager: User | None = None) -> Team:
    team = Team(name=name or f"Team {next(_counter)}", function=function or make_function(), manager=manager)
    db.session.add(team)
    db.session.flush()
    return team


def make_user(
    *roles: Role,
    name: str | None = None,
    email: str | None = None,
    function: Function | None = None,
    team: Team | None = None,
    manager: User | None = None,
    password: str | None = None,
    hired_on: date | None = None,
    active: bool = True,
    member_since: date | None = None,
) -> User:
    """A person; their membership history starts on member_since (default: about ten years ago, so every
    period a test looks at sees them in their function)."""
    n = next(_counter)
    function = function or (team.function if team else make_function())
    user = User(
        name=name or f"Person {n}", email=email or f"person{n}@example.com", function=function, team=team,
        manager=manager, hired_on=hired_on, active=active,
    )
    user.set_roles(set(roles))
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_membership([user], member_since or clock.today() - timedelta(days=3650))
    return user

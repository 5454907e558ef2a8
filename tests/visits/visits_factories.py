"""Factories for the visits tests (each creates, adds and flushes one object), and the org fixture."""
from __future__ import annotations

import itertools
import secrets
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from programs.visits.models import Account, FollowUp, Visit, VisitAttendee
from programs.visits.rules import is_joint
from tests.factories import make_function, make_team, make_user
from webapp import clock
from webapp.extensions import db
from webapp.people.models import User
from webapp.periods import quarter_label
from webapp.roles import Role

_counter = itertools.count(1)


def form_key() -> str:
    """A fresh idempotency key, as a create form carries it."""
    return secrets.token_urlsafe(24)


def make_account(name: str | None = None, owner: User | None = None, segment: str = "Enterprise",
                 region: str = "EMEA") -> Account:
    account = Account(name=name or f"Account {next(_counter)}", segment=segment, region=region, owner=owner)
    db.session.add(account)
    db.session.flush()
    return account


def make_visit(attendees: list[User], account: Account | None = None, status: str = "held",
               visit_on: date | None = None, author: User | None = None, purpose: str | None = None) -> Visit:
    """A visit of these attendees (the first is planner and, when held, author)."""
    visit_on = visit_on or clock.today() - timedelta(days=10)
    visit = Visit(
        account=account or make_account(), visit_on=visit_on, quarter=quarter_label(visit_on), mode="on_site",
        purpose=purpose or f"Review {next(_counter)}", status=status, planned_by_id=attendees[0].id,
        author_id=(author or attendees[0]).id if status == "held" else None,
        attendees=[VisitAttendee(user_id=u.id, function_id=u.function_id) for u in attendees],
        is_joint=is_joint(u.function_id for u in attendees),
    )
    db.session.add(visit)
    db.session.flush()
    return visit


def make_follow_up(visit: Visit, owner: User, due_on: date, status: str = "open",
                   partner: User | None = None, description: str | None = None) -> FollowUp:
    follow_up = FollowUp(visit=visit, owner_id=owner.id, partner_owner_id=partner.id if partner else None,
                         due_on=due_on, status=status, description=description or f"Follow-up {next(_counter)}")
    db.session.add(follow_up)
    db.session.flush()
    return follow_up


@pytest.fixture
def org(db):
    """Finance (fin, fin2) and Operations (ops, ops2), a manager in Operations, an outsider in Sales."""
    finance, operations, sales = (make_function("Finance", "FIN"), make_function("Operations", "OPS"),
                                  make_function("Sales", "SAL"))
    fpa, logistics = make_team(finance, "FP&A"), make_team(operations, "Logistics")
    people = SimpleNamespace(
        finance=finance, operations=operations,
        fin=make_user(name="Fay Finance", team=fpa), fin2=make_user(name="Finn Finance", team=fpa),
        ops=make_user(name="Otto Ops", team=logistics), ops2=make_user(name="Olga Ops", team=logistics),
        manager=make_user(Role.MANAGER, name="Mia Manager", team=logistics),
        outsider=make_user(name="Sal Sales", function=sales),
    )
    db.session.commit()
    return people

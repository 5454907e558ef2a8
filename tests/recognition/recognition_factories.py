"""Factories for recognition tests: an organisation of two functions, keys, kudos and wins."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

from recognition import services
from tests.factories import make_function, make_team, make_user
from webapp.extensions import db
from webapp.people.models import User
from webapp.roles import Role

_keys = itertools.count(1)
MESSAGE = "Thank you for reconciling the freight invoices with us before the close."


def key(prefix: str = "k") -> str:
    """A fresh idempotency key (16+ characters, as the forms require)."""
    return f"{prefix}-test-key-{next(_keys):08d}"


@dataclass
class Org:
    """Finance and Operations, a manager in each, and two employees in each."""

    fin_manager: User
    ops_manager: User
    fin: list[User]
    ops: list[User]


def make_org() -> Org:
    services.ensure_default_badges()
    finance, operations = make_function("Finance", "FIN"), make_function("Operations", "OPS")
    fpa, logistics = make_team(finance, "FP&A"), make_team(operations, "Logistics")
    fin_manager = make_user(Role.MANAGER, name="Fiona Finance", email="fiona@example.com", team=fpa)
    ops_manager = make_user(Role.MANAGER, name="Oscar Ops", email="oscar@example.com", team=logistics)
    fin = [make_user(name=f"Fin {n}", team=fpa) for n in range(2)]
    ops = [make_user(name=f"Ops {n}", team=logistics) for n in range(2)]
    db.session.flush()
    return Org(fin_manager, ops_manager, fin, ops)


def give(giver: User, *receivers: User, points: int = 10, message: str = MESSAGE, tag: str = "one-team", now=None):
    return services.give_kudos(giver, [r.id for r in receivers], message, tag, points, key(), now=now)


def log_joint_win(org: Org, title: str = "Close two days faster"):
    return services.log_win(org.fin_manager, title, "We agreed one cut-off calendar together.",
                            [org.fin[0].id, org.ops[0].id], ["one-team"], (None, "", ""), key("win"))

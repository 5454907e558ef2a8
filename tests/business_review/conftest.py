"""Fixtures of the monthly business review tests: Finance and Operations, their leaders and people, and metrics
kept by the trust pulse (through its own services, as its outcomes page keeps them)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from programs.business_review import services
from programs.business_review.models import CUSTOMER, FINANCIAL
from programs.trust.services import save_metric, save_metric_value
from tests.factories import make_function, make_user
from webapp import clock
from webapp.forms import new_key
from webapp.people.models import Function, User
from webapp.roles import Role


def last_month() -> str:
    return (clock.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def month_before(month: str) -> str:
    year, number = map(int, month.split("-"))
    return f"{year - (number == 1)}-{(number - 2) % 12 + 1:02d}"


@dataclass
class Board:
    fin: Function
    ops: Function
    fin_leader: User
    ops_leader: User
    fin_analyst: User
    ops_planner: User
    outsider: User
    hr: User
    delivery: object  # the trust pulse's metric rows
    cash: object
    month: str

    @property
    def pair(self) -> tuple[int, int]:
        return (self.fin.id, self.ops.id)

    def meeting(self) -> date:
        return clock.today() + timedelta(days=3)

    def open(self, month: str | None = None):
        return services.open_review(self.fin_leader, self.pair, month or self.month, self.meeting(), new_key())


@pytest.fixture
def board(db) -> Board:
    """On-time delivery (Operations owns it, higher is better) and cash conversion (Finance, lower is better),
    set up with thresholds and last month's targets; last month's delivery is amber, cash is on track."""
    fin, ops, people = (
        make_function("Finance", "FIN"),
        make_function("Operations", "OPS"),
        make_function("People", "PPL"),
    )
    hr = make_user(Role.HR, function=people)
    delivery = save_metric(hr, None, "On-time delivery", "%", True, "monthly", "organisation")
    cash = save_metric(hr, None, "Cash conversion cycle", "days", False, "monthly", "organisation")
    board = Board(fin=fin, ops=ops, fin_leader=make_user(Role.LEADER, function=fin, name="Fiona Lead"),
                  ops_leader=make_user(Role.LEADER, function=ops, name="Otto Lead"),
                  fin_analyst=make_user(function=fin, name="Ann Analyst"),
                  ops_planner=make_user(function=ops, name="Paul Planner"),
                  outsider=make_user(function=people), hr=hr, delivery=delivery, cash=cash, month=last_month())
    services.set_up_metric(board.fin_leader, delivery.id, CUSTOMER, ops.id, fin.id, 90.0, 85.0)
    services.set_up_metric(board.fin_leader, cash.id, FINANCIAL, fin.id, ops.id, 60.0, 65.0)
    for metric, target in ((delivery, 95.0), (cash, 55.0)):
        services.set_target(board.fin_leader, metric.id, board.month, target)
    save_metric_value(hr, delivery, month_before(board.month), None, 93.0)
    save_metric_value(hr, delivery, board.month, None, 88.0)  # 92.6 % of target and beyond amber: amber
    save_metric_value(hr, cash, board.month, None, 54.0)  # better than plan: on track
    return board

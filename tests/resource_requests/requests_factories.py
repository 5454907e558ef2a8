"""The people of a request between Operations (asking) and Finance (reviewing), and requests in each state."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from programs.resource_requests import services
from programs.resource_requests.models import OptionKind, ResourceRequest
from tests.factories import make_function, make_user
from webapp import clock
from webapp.people.models import User
from webapp.roles import Role


@dataclass
class Pair:
    requester: User  # Operations
    ops_leader: User
    reviewer: User  # a Finance manager
    fin_leader: User
    fin_employee: User
    outsider: User  # a manager of a third function


@pytest.fixture
def pair(db) -> Pair:
    ops, fin, other = make_function("Operations", "OPS"), make_function("Finance", "FIN"), make_function()
    people = Pair(make_user(function=ops, name="Olu Ops"), make_user(Role.LEADER, function=ops, name="Lea Ops"),
                  make_user(Role.MANAGER, function=fin, name="Fin Manager"),
                  make_user(Role.LEADER, function=fin, name="Fay Finance"), make_user(function=fin),
                  make_user(Role.MANAGER, function=other))
    db.session.commit()
    return people


def request_data(pair: Pair, **changes) -> services.RequestData:
    defaults = services.RequestData(title="Three more technicians", to_function_id=pair.reviewer.function_id,
                  need="Service calls grew 20% in a quarter.", impact="Customers wait three days for a visit.",
                  cost_one_off="0", cost_monthly="12000", currency="EUR", deadline=clock.today() + timedelta(days=14),
                  alternatives="Overtime; moving people from the south site.", expected_return="",
                  driver="monthly service calls", driver_value=1100)
    return replace(defaults, **changes)


def option_data(kind: str = OptionKind.YES_IF.value, **changes) -> services.OptionData:
    defaults = services.OptionData(
        kind=kind,
        label=f"Option {kind}",
        fixed_monthly="9000",
        per_unit="0",
        capacity=None,
        risk="",
        look_again_on=None if kind == OptionKind.NO.value else clock.today() + timedelta(days=90),
    )
    return replace(defaults, **changes)


def condition_data(**changes) -> services.ConditionData:
    defaults = services.ConditionData(driver="monthly service calls", metric_id=None, comparison=">=", threshold=1200,
                  review_on=clock.today() + timedelta(days=30))
    return replace(defaults, **changes)


def sent_request(pair: Pair) -> ResourceRequest:
    return services.submit_request(pair.requester, request_data(pair), None, clock.today())


def answered_request(pair: Pair) -> ResourceRequest:
    """Answered with a yes-if (fund in full, if calls stay above 1,200), contractors, and a plain no."""
    request = sent_request(pair)
    today = clock.today()
    yes = services.add_option(pair.reviewer, request, option_data(label="Fund in full", fixed_monthly="12000"),
                              None, today)
    services.add_condition(pair.reviewer, yes, condition_data(), None, today)
    services.add_option(pair.reviewer, request, option_data(OptionKind.ALTERNATIVE.value, label="Contractors",
                                                            fixed_monthly="2000", per_unit="7", capacity=1500),
                        None, today)
    services.add_option(pair.reviewer, request, option_data(OptionKind.NO.value, label="No: better scheduling",
                                                            fixed_monthly="0", capacity=1000), None, today)
    services.send_answer(pair.reviewer, request, clock.now())
    return request


def decided_request(pair: Pair, label: str = "Fund in full") -> ResourceRequest:
    request = answered_request(pair)
    option = next(o for o in request.current_options if o.label == label)
    services.pick_option(pair.requester, request, option.id, "Covers the volume.")
    services.confirm_pick(pair.reviewer, request, "Fay Finance", "The condition keeps us honest.", clock.now())
    return request

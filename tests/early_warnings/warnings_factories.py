"""Factories and the organisation fixture of the early-warnings tests."""
from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime
from types import SimpleNamespace

import pytest

from programs.early_warnings import services
from programs.early_warnings.models import EarlyWarning
from programs.trust.models import MONTHLY, ORGANISATION, TrustMetric, TrustMetricValue
from tests.factories import make_function, make_user
from webapp import clock
from webapp.extensions import db
from webapp.people.models import User
from webapp.roles import Role


def form_key() -> str:
    return secrets.token_urlsafe(24)


@pytest.fixture
def org(db):
    """Finance and Operations (and Sales): an Ops author and colleague, Fin responders, people of other functions."""
    fin, ops, sales = make_function("Finance", "FIN"), make_function("Operations", "OPS"), make_function("Sales", "SAL")
    people = SimpleNamespace(
        fin_function=fin, ops_function=ops, sales_function=sales,
        author=make_user(name="Olu Author", function=ops), ops_colleague=make_user(name="Oda Colleague", function=ops),
        ops_manager=make_user(Role.MANAGER, name="Omar Manager", function=ops),
        fin_manager=make_user(Role.MANAGER, name="Fiona Manager", function=fin),
        fin_leader=make_user(Role.LEADER, name="Fred Leader", function=fin),
        fin_employee=make_user(name="Femi Employee", function=fin),
        sales_manager=make_user(Role.MANAGER, name="Sam Sales", function=sales),
    )
    db.session.commit()
    return people


def next_quarter_label() -> str:
    today = clock.today()
    quarter = (today.month - 1) // 3 + 1
    year, number = (today.year + 1, 1) if quarter == 4 else (today.year, quarter + 1)
    return f"{year}-Q{number}"


def warning_data(to: int, **changes) -> services.WarningData:
    typical = services.WarningData(
        to_function_id=to, title="Steel prices up 12%", kind="cost", impact_low=20000.0, impact_high=60000.0,
        currency="EUR", period=next_quarter_label(), confidence="medium",
        description="Our main supplier announced a surcharge.", help_needed="Revisit the Q1 forecast.")
    return dataclasses.replace(typical, **changes)


def raise_warning(author: User, to: int, now: datetime | None = None, **changes) -> EarlyWarning:
    warning = services.save_warning(author, None, warning_data(to, **changes), True, now or clock.now())
    db.session.commit()
    return warning


DRAFT_BUTTON = {"submit": "", "save_draft": "Save as draft"}  # the form as posted by "Save as draft"


def warning_form(to: int, **changes) -> dict:
    """The new-warning form as a browser posts it (raise, not draft)."""
    values = {"to_function_id": str(to), "title": "Steel prices up 12%", "kind": "cost", "impact_low": "20000",
              "impact_high": "60000", "currency": "EUR", "period": next_quarter_label(), "confidence": "medium",
              "description": "", "help_needed": "", "metric_id": "", "idempotency_key": form_key(),
              "submit": "Raise the warning"}
    values.update(changes)
    return values


def make_metric(name: str = "Revenue", frequency: str = MONTHLY) -> TrustMetric:
    metric = TrustMetric(name=name, unit="EUR", higher_is_better=True, frequency=frequency, scope=ORGANISATION)
    db.session.add(metric)
    db.session.flush()
    return metric


def add_value(metric: TrustMetric, period: str, value: float) -> None:
    db.session.add(TrustMetricValue(metric_id=metric.id, period=period, function_id=None, function_key=0, value=value))
    db.session.flush()

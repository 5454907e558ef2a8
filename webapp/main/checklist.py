"""The first-run checklist: set-up steps that domains register and that tick themselves off as data appears.

webapp/main renders the steps on the admin's home (a tile) without importing a domain; each step's
is_done() is a cheap existence query owned by the package that registers it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for
from sqlalchemy import Select

from webapp.extensions import db
from webapp.people.models import User


@dataclass(frozen=True)
class SetupStep:
    name: str
    label: str
    hint: str
    endpoint: str
    is_done: Callable[[], bool]
    order: int


SETUP_STEPS: dict[str, SetupStep] = {}


def register_setup_step(
    name: str, label: str, hint: str, endpoint: str, is_done: Callable[[], bool], order: int = 100
) -> None:
    """Add (or replace) a step of the first-run checklist, done when is_done() says so, done at endpoint."""
    SETUP_STEPS[name] = SetupStep(name, label, hint, endpoint, is_done, order)


def checklist() -> list[dict[str, Any]]:
    """Every registered step whose page exists, in order, with whether it is done and where it is done."""
    steps = sorted(SETUP_STEPS.values(), key=lambda step: (step.order, step.name))
    return [
        {"name": step.name, "label": step.label, "hint": step.hint, "href": url_for(step.endpoint),
         "done": step.is_done()}
        for step in steps if step.endpoint in current_app.view_functions
    ]


def first_run_tile(viewer: User, subject: User) -> dict[str, Any] | None:
    """The checklist while any step is open; hidden once the organisation is set up."""
    steps = checklist()
    done = sum(step["done"] for step in steps)
    if done == len(steps):
        return None
    return {"steps": steps, "done": done, "next": next(step for step in steps if not step["done"])}


def any_row(statement: Select) -> bool:
    """Whether statement finds at least one row (a cheap existence test for is_done)."""
    return db.session.scalar(statement.limit(1)) is not None

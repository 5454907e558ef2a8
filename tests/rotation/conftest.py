"""Rotation fixtures: the Finance/Operations organisation and a cohort whose window is open today."""
from __future__ import annotations

import pytest

from tests.rotation.rotation_factories import make_cohort, make_org, make_program


@pytest.fixture
def org(db):
    return make_org()


@pytest.fixture
def cohort(org):
    """A cohort whose window is open on the test session's date (files override it where they need another)."""
    return make_cohort(make_program(org))

"""Fixtures of the visits tests."""
from tests.visits.visits_factories import org  # noqa: F401  (the shared organisation fixture)

"""Fixtures of the early-warnings tests."""
from tests.early_warnings.warnings_factories import org  # noqa: F401  (the shared organisation fixture)

"""Fixtures of the requests tests."""
from tests.resource_requests.requests_factories import pair  # noqa: F401  (the shared people fixture)

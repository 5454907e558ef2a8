"""Fixtures of the joint-review tests."""
from tests.joint_reviews.reviews_factories import org  # noqa: F401  (the shared organisation fixture)

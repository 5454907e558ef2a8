"""The one base class of domain rule errors, shared by every package."""
from __future__ import annotations


class RuleError(ValueError):
    """A rule was broken: the message is for the user, field names the form field it belongs to (or None)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

"""The domain errors every package raises: a broken rule, a replay, a refusal."""
from __future__ import annotations


class RuleError(ValueError):
    """A rule was broken: the message is for the user, field names the form field it belongs to (or None)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AlreadyRecorded(RuleError):
    """The same write arrived twice (a replay, a double click, a race): the first one counts."""

    def __init__(self, message: str = "That was already recorded.", field: str | None = None) -> None:
        super().__init__(message, field)


class Refused(RuleError):
    """The person may not do this at all: the transaction boundary answers 403."""

"""The one clock of the product: every read of the current time goes through here, so tests can move it.

Times are UTC. "Today" is the organisation's local date (setting ORG_TIMEZONE, default UTC), because
that is what a user means by today, by a month end or by a due date.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "UTC"


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def zone() -> tzinfo:
    """The organisation's time zone (ORG_TIMEZONE), UTC outside an application."""
    name = current_app.config.get("ORG_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def today() -> date:
    """The organisation's local date today."""
    return local(now()).date()


def local(moment: datetime) -> datetime:
    """moment (aware) as the organisation's local time."""
    return moment.astimezone(zone())

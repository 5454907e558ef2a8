"""The test session's clock: the whole run travels to noon of one day, so no test meets a midnight.

The day is today, moved by CG_CLOCK_SHIFT_DAYS (CI runs the suite a second time 400 days ahead):
a test that only passes on the day it was written fails in CI, not next month.
Tests that need a particular moment move the clock further with time-machine.
"""
from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta

SHIFT_DAYS = int(os.environ.get("CG_CLOCK_SHIFT_DAYS", "0"))
START = datetime.combine(date.today() + timedelta(days=SHIFT_DAYS), time(12), tzinfo=UTC)
TODAY = START.date()

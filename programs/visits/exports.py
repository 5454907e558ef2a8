"""Exports as plain functions: planned visits as iCalendar, rows as CSV (pandas). No Flask."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from icalendar import Calendar, Event

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    day: date
    title: str
    description: str
    location: str


def visits_calendar(entries: list[CalendarEntry], stamp: datetime) -> bytes:
    """An iCalendar file with one all-day event per planned visit."""
    calendar = Calendar()
    calendar.add("prodid", "-//Common Ground//Joint customer visits//EN")
    calendar.add("version", "2.0")
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.day)
        event.add("dtend", entry.day + timedelta(days=1))
        event.add("summary", entry.title)
        event.add("description", entry.description)
        event.add("location", entry.location)
        calendar.add_component(event)
    return calendar.to_ical()


def _defuse(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) else value


def rows_to_csv(rows: list[dict], columns: list[str]) -> str:
    """CSV text of rows in the given column order (a header even when there are no rows)."""
    frame = pd.DataFrame(rows, columns=columns)
    return frame.map(_defuse).to_csv(index=False)

"""iCalendar (.ics) exports: a cohort's dates and a person's placement."""
from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar, Event

from rotation.models import Cohort, Placement
from webapp import clock


def _calendar() -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Common Ground//Rotations//EN")
    cal.add("version", "2.0")
    return cal


def _all_day(uid: str, summary: str, first: date, last: date, description: str = "") -> Event:
    """An all-day event from first to last (inclusive)."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", clock.now())
    event.add("summary", summary)
    event.add("dtstart", first)
    event.add("dtend", last + timedelta(days=1))
    if description:
        event.add("description", description)
    return event


def cohort_calendar(cohort: Cohort, host: str) -> bytes:
    """The application window, the matching date and the rotation period of a cohort."""
    name = f"{cohort.program.name}, {cohort.name}"
    cal = _calendar()
    cal.add("x-wr-calname", name)
    for key, summary, first, last in (
        ("window", f"Applications open: {name}", cohort.applications_open_on, cohort.applications_close_on),
        ("matching", f"Matching: {name}", cohort.matching_on, cohort.matching_on),
        ("period", f"Rotation period: {name}", cohort.starts_on, cohort.ends_on),
    ):
        cal.add_component(_all_day(f"cohort-{cohort.id}-{key}@{host}", summary, first, last))
    return cal.to_ical()


def placement_calendar(placement: Placement, host: str) -> bytes:
    """A person's rotation: the period at the host and the mid-point check-in."""
    opening, cohort = placement.opening, placement.opening.cohort
    cal = _calendar()
    cal.add("x-wr-calname", f"Rotation: {opening.title}")
    details = f"{opening.title} in {opening.function.name}; host mentor {opening.mentor.name}."
    cal.add_component(_all_day(f"placement-{placement.id}-period@{host}", f"Rotation: {opening.title}",
                               cohort.starts_on, cohort.ends_on, details))
    cal.add_component(_all_day(f"placement-{placement.id}-midpoint@{host}", f"Mid-point check-in: {opening.title}",
                               cohort.midpoint, cohort.midpoint, details))
    return cal.to_ical()

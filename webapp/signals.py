"""Domain events. Domains announce what happened here; others listen (see DESIGN.md).

Each signal's sender is the acting app object's name; kwargs are listed per signal.
"""
from blinker import Namespace

_events = Namespace()

person_created = _events.signal("person-created")
"""A person was created (by an admin, the import or the demo). kwargs: user (User)."""

person_deactivated = _events.signal("person-deactivated")
"""A person was deactivated. kwargs: user (User), actor (User | None)."""

people_imported = _events.signal("people-imported")
"""A people CSV import was applied. kwargs: created (int), updated (int), actor (User | None)."""

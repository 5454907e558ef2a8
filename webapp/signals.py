"""Domain events. Domains announce what happened here; others listen (see DESIGN.md).

Each signal's sender is the acting app object's name; kwargs are listed per signal.
Events between the pillars carry occurred_at (an aware UTC datetime): the moment of what they describe,
which may lie well before the moment the event is sent (a visit confirmed today that was held last year).
Listeners date what they record by it.
"""
from blinker import Namespace

_events = Namespace()

# --- events between the pillars (recognition listens to these) ---------------------------

rotation_completed = _events.signal("rotation-completed")
"""A rotation placement got its three sign-offs. sender "rotation"; kwargs:
placement_id (int), person (User: the rotator), home_function_id (int), host_function_id (int),
completed_at (aware UTC datetime), occurred_at (aware UTC datetime: the completion moment)."""

visit_confirmed = _events.signal("visit-confirmed")
"""A joint customer visit was confirmed by an attendee of another function. sender "visits";
kwargs: visit_id (int), attendees (list[User]), function_ids (set[int]), account_name (str),
internal_only (bool: no feed item), confirmed_by (User), held_on (date),
occurred_at (aware UTC datetime: noon UTC of the day the visit was held).
Not sent for a visit beyond its pair's monthly cap of visits with points (a visits setting): that one earns nothing."""

visit_withdrawn = _events.signal("visit-withdrawn")
"""The confirmation of a visit that earned points no longer stands: its author or an admin cancelled the visit
(logged as held by mistake) or withdrew the confirmation; recognition reverses what visit_confirmed paid.
sender "visits"; kwargs: visit_id (int), withdrawn_by (User), withdrawn_at (aware UTC datetime),
cancelled (bool: False when only the confirmation was withdrawn and the visit may be confirmed again)."""

win_published = _events.signal("win-published")
"""A joint (or team) win was published after its co-signs. sender "recognition"; kwargs:
win_id (int), title (str), credited (list[User]), function_ids (set[int]), occurred_at (aware UTC datetime:
the publication moment)."""

metric_value_recorded = _events.signal("metric-value-recorded")
"""A business outcome value was entered or imported (see webapp/metrics.py). sender: the owning programme
("trust"); kwargs: metric_id (int), period (str: "2026-07" or "2026-Q3"), function_id (int | None),
value (float), previous (float | None: the value it replaced), recorded_by (User),
occurred_at (aware UTC datetime: the moment it was recorded)."""

metric_threshold_crossed = _events.signal("metric-threshold-crossed")
"""A metric's value crossed its amber or red threshold for a pair of functions (the monthly business review
owns targets and thresholds). sender "business_review"; kwargs: metric_id (int), metric_name (str),
period (str), value (float), threshold (float), status ("amber" | "red"), owner_function_id (int: the function
that owns the metric), partner_function_id (int), mid_period (bool: the period has not ended yet),
occurred_at (aware UTC datetime: when the value was recorded)."""

wave_closed = _events.signal("wave-closed")
"""A trust pulse wave closed. sender "trust"; kwargs: wave_id (int), closes_on (date)."""

# --- early warnings (programs/early_warnings) ---
warning_raised = _events.signal("warning-raised")
"""Someone raised an early warning to another function (never sent for the ones the product raises itself).
sender "early_warnings"; kwargs: warning_id (int), author (User), from_function_id (int), to_function_id (int),
lead_time_days (int: days from raising to the start of the period it hits; negative once that period began),
occurred_at (aware UTC datetime: the moment it was raised). Listeners reward it and never show its content."""

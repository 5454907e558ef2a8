"""What early warnings add to the shell: navigation, a home tile, scorecard figures, pair records, demo data and
the receiver of threshold crossings."""
from __future__ import annotations

from datetime import date

from flask import url_for

from programs.early_warnings.forms import STATUS_LABELS
from programs.early_warnings.queries import pair_warnings, waiting_for
from programs.early_warnings.scorecard import warning_figures
from programs.early_warnings.services import is_responder, on_threshold_crossed
from webapp import signals
from webapp.main.navigation import register_nav_item
from webapp.main.pair_records import PairRecord, register_pair_records
from webapp.main.scorecard import register_scorecard_figure
from webapp.main.tiles import register_tile
from webapp.people.models import User
from webapp.roles import Role

TILE_ITEMS = 5


def to_acknowledge_tile(viewer: User, subject: User) -> dict | None:
    """Managers and leaders: warnings to their function waiting for acknowledgement (hidden when there are none)."""
    if subject.function_id is None or not is_responder(subject, subject.function_id):
        return None
    warnings = waiting_for(subject.function_id, TILE_ITEMS)
    return {"warnings": warnings} if warnings else None


def warning_records(pair: tuple[int, int], first: date, last: date) -> list[PairRecord]:
    """The pair's warnings as plain records (titles and states, never their authors)."""
    return [PairRecord("warning", w.id, w.title, url_for("early_warnings.detail", warning_id=w.id),
                       STATUS_LABELS.get(w.status, w.status).lower(), raised_at.date(), w.is_open)
            for w, raised_at in pair_warnings(pair, first, last)]


def register() -> None:
    from programs.early_warnings.demo import seed_warnings
    from webapp.cli import register_demo_seeder

    register_demo_seeder(60, "early-warnings", seed_warnings)
    register_nav_item("Early warnings", "early_warnings.index", group="Partnership")
    register_nav_item("Warnings against the numbers", "early_warnings.reconciliation", group="Partnership")
    register_nav_item("Early-warning settings", "early_warnings.settings", Role.ADMIN, group="Partnership")
    register_scorecard_figure("Collaboration", "early-warnings", warning_figures, order=50)
    register_tile("home", "warnings-to-acknowledge", "early_warnings/_tile_to_acknowledge.html", to_acknowledge_tile,
                  Role.MANAGER, Role.LEADER, order=22)
    register_pair_records("warning", "Early warnings", warning_records, order=10)
    signals.metric_threshold_crossed.connect(on_threshold_crossed)

"""What the trust pulse adds to the shell: navigation, the open-pulse home tile, demo data."""
from __future__ import annotations

from sqlalchemy import select

from programs.trust.builtin import time_estimate
from programs.trust.models import TrustWave
from programs.trust.queries import OutcomeSource, open_waves_for, response_rates
from programs.trust.scorecard import outcome_figures, response_rate_figure, trust_figures
from programs.trust.services import targets_of
from webapp import clock
from webapp.extensions import db
from webapp.main.checklist import any_row, register_setup_step
from webapp.main.navigation import register_nav_item
from webapp.main.scorecard import register_scorecard_figure
from webapp.main.tiles import register_tile
from webapp.metrics import register_metric_source
from webapp.people.models import User
from webapp.roles import Role


def open_pulse_tile(viewer: User, subject: User) -> dict | None:
    """The pulses waiting for this person's answer; hidden once answered."""
    waves = open_waves_for(viewer, clock.today())
    estimates = [time_estimate(wave.template.items, len(targets_of(wave, viewer.function_id))) for wave in waves]
    return {"waves": list(zip(waves, estimates, strict=True))} if waves else None


def response_rates_tile(viewer: User, subject: User) -> dict | None:
    """HR: response rates of every open wave by function (counts of people, never of answers)."""
    today = clock.today()
    waves = db.session.scalars(select(TrustWave).where(
        TrustWave.closed_at.is_(None), TrustWave.opens_on <= today).order_by(TrustWave.closes_on)).all()
    return {"waves": [(wave, response_rates(wave)) for wave in waves]} if waves else None


def register() -> None:
    from programs.trust.demo import seed_trust
    from webapp.cli import register_demo_seeder

    register_nav_item("How we see each other", "trust.summary", *Role, group="Trust")
    register_nav_item("Trust results", "trust.results", Role.HR, Role.LEADER, group="Trust")
    register_nav_item("Outcomes", "trust.outcomes", Role.HR, Role.LEADER, group="Trust")
    register_nav_item("Pulse waves", "trust.waves", Role.HR, Role.ADMIN, group="Trust")
    register_setup_step(
        "pulse-wave", "Open a first pulse wave", "A short anonymous survey: how much each function trusts the other.",
        "trust.wave_new", lambda: any_row(select(TrustWave.id)), order=70)
    register_tile("home", "trust-pulse", "trust/_tile_pulse.html", open_pulse_tile, order=5)
    register_tile("home", "pulse-rates", "trust/_tile_rates.html", response_rates_tile, Role.HR, order=41)
    register_demo_seeder(50, "trust pulse", seed_trust)
    register_metric_source(OutcomeSource())
    register_scorecard_figure("Trust", "pair-indices", trust_figures, order=10)
    register_scorecard_figure("Outcomes", "metrics", outcome_figures, order=10)
    register_scorecard_figure("Engagement", "response-rate", response_rate_figure, order=10)

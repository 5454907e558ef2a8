"""flask trust close-due: close the waves whose closing date has passed (run it daily, e.g. from cron)."""
from __future__ import annotations

import click

from programs.trust import bp
from programs.trust.services import close_due_waves
from webapp import clock
from webapp.extensions import db


@bp.cli.command("close-due")
def close_due() -> None:
    """Close every wave past its closing date: results are computed and wave_closed is sent."""
    closed = close_due_waves(clock.today())
    db.session.commit()
    click.echo(f"Closed {len(closed)} wave(s){': ' if closed else '.'}{', '.join(w.title for w in closed)}")

"""Daily jobs of the trust pulse (run them from cron): open-due sends the invitations of waves that opened,
close-due closes the waves whose closing date has passed."""
from __future__ import annotations

import click

from programs.trust import bp
from programs.trust.services import announce_due_waves, close_due_waves
from webapp import clock
from webapp.extensions import db


@bp.cli.command("open-due")
def open_due() -> None:
    """Send the invitation of every wave that has opened and not been announced yet."""
    opened = announce_due_waves(clock.today())
    db.session.commit()
    click.echo(f"Announced {len(opened)} wave(s){': ' if opened else '.'}{', '.join(w.title for w in opened)}")


@bp.cli.command("close-due")
def close_due() -> None:
    """Close every wave past its closing date: results are computed and wave_closed is sent."""
    closed = close_due_waves(clock.today())
    db.session.commit()
    click.echo(f"Closed {len(closed)} wave(s){': ' if closed else '.'}{', '.join(w.title for w in closed)}")

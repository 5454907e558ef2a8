"""flask visits remind-due: remind owners of follow-ups due by tomorrow or overdue (run it daily, e.g. from cron)."""
from __future__ import annotations

import click

from programs.visits import bp
from programs.visits.services import remind_due_follow_ups
from webapp import clock
from webapp.extensions import db


@bp.cli.command("remind-due")
def remind_due() -> None:
    """Notify the owners of open follow-ups due by tomorrow, and of overdue ones, at most once a day each."""
    sent = remind_due_follow_ups(clock.today())
    db.session.commit()
    click.echo(f"Sent {sent} follow-up reminder(s).")

"""flask joint_reviews remind-due: remind owners of review actions due by tomorrow or overdue (run it daily)."""
from __future__ import annotations

import click

from programs.joint_reviews import bp
from programs.joint_reviews.services import remind_due_actions
from webapp import clock
from webapp.extensions import db


@bp.cli.command("remind-due")
def remind_due() -> None:
    """Notify the owners of open review actions due by tomorrow, and of overdue ones, at most once a day each."""
    sent = remind_due_actions(clock.today())
    db.session.commit()
    click.echo(f"Sent {sent} review action reminder(s).")

"""flask rotation nudge: remind the parties of ended rotations whose sign-offs are pending (run it daily)."""
from __future__ import annotations

import click

from rotation import bp
from rotation.services import nudge_pending_sign_offs
from webapp import clock
from webapp.extensions import db


@bp.cli.command("nudge")
def nudge() -> None:
    """Notify each rotator, host mentor and home manager whose sign-off of an ended rotation is pending."""
    sent = nudge_pending_sign_offs(clock.today())
    db.session.commit()
    click.echo(f"Sent {sent} sign-off reminder(s).")

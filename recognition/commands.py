"""flask recognition ...: award badges from history; remind people of allowance about to expire (run daily)."""
from __future__ import annotations

import click

from recognition import bp
from recognition.services import award_badges_from_history, remind_unspent_allowances
from webapp import clock
from webapp.extensions import db


@bp.cli.command("backfill-badges")
def backfill_badges() -> None:
    """Award every badge to everyone whose history already meets it (quietly: no notifications, no feed posts)."""
    awarded = award_badges_from_history()
    db.session.commit()
    click.echo(f"Awarded {awarded} badge(s) from history.")


@bp.cli.command("remind-allowance")
def remind_allowance() -> None:
    """Near month end, tell people with allowance left when it expires (once a month each)."""
    sent = remind_unspent_allowances(clock.now())
    db.session.commit()
    click.echo(f"Sent {sent} allowance reminder(s).")

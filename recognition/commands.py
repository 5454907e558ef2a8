"""flask recognition ...: award badges from history; daily: work anniversaries, allowance about to expire."""
from __future__ import annotations

import click

from recognition import bp
from recognition.services import award_badges_from_history, record_anniversaries, remind_unspent_allowances
from webapp import clock
from webapp.extensions import db


@bp.cli.command("backfill-badges")
def backfill_badges() -> None:
    """Award every badge to everyone whose history already meets it (quietly: no notifications, no feed posts)."""
    awarded = award_badges_from_history()
    db.session.commit()
    click.echo(f"Awarded {awarded} badge(s) from history.")


@bp.cli.command("anniversaries")
def anniversaries() -> None:
    """Post the work anniversaries of the last seven days to the feed (each once; safe to run twice)."""
    added = record_anniversaries(clock.today())
    db.session.commit()
    click.echo(f"Posted {added} work anniversar{'y' if added == 1 else 'ies'}.")


@bp.cli.command("remind-allowance")
def remind_allowance() -> None:
    """Near month end, tell people with allowance left when it expires (once a month each)."""
    sent = remind_unspent_allowances(clock.now())
    db.session.commit()
    click.echo(f"Sent {sent} allowance reminder(s).")

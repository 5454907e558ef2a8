"""flask business_review send-pre-reads: send each draft review as a pre-read a day before its meeting (run daily)."""
from __future__ import annotations

import click

from programs.business_review import bp
from programs.business_review.services import send_pre_reads
from webapp import clock
from webapp.extensions import db


@bp.cli.command("send-pre-reads")
def send_pre_reads_command() -> None:
    """Notify the people of both functions of each draft review whose meeting is tomorrow (once per review)."""
    sent = send_pre_reads(clock.today())
    db.session.commit()
    click.echo(f"Sent {sent} pre-read(s).")

"""flask requests daily: escalate requests past their deadline, take actuals from metrics, remind (run it daily)."""
from __future__ import annotations

import click

from programs.resource_requests import bp
from programs.resource_requests.services import run_daily
from webapp import clock
from webapp.extensions import db


@bp.cli.command("daily")
def daily() -> None:
    """Escalate overdue requests to both functions' leaders, fill conditions from metrics, send reminders."""
    done = run_daily(clock.today(), clock.now())
    db.session.commit()
    click.echo(f"Escalated {done['escalated']} request(s), recorded {done['actuals']} actual value(s), "
               f"sent {done['reminders']} reminder(s).")

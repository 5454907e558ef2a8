"""flask early_warnings remind (daily) and reconcile (at each period close)."""
from __future__ import annotations

from datetime import timedelta

import click

from programs.early_warnings import bp
from programs.early_warnings.services import WarningError, reconcile_period, remind_and_escalate
from webapp import clock
from webapp.extensions import db
from webapp.periods import Quarter, month_label


@bp.cli.command("remind")
def remind() -> None:
    """Remind responders a day before an acknowledgement is due; escalate overdue ones to the function's leaders."""
    reminded, escalated = remind_and_escalate(clock.now())
    db.session.commit()
    click.echo(f"Sent {reminded} reminder(s), escalated {escalated} warning(s).")


@bp.cli.command("reconcile")
@click.option("--period", "label", default=None, help="A closed month (2026-07) or quarter (2026-Q3); "
              "default: the last closed month, and the last closed quarter.")
def reconcile(label: str | None) -> None:
    """Match each material variance of a closed period to the earlier warnings about it, or record a surprise."""
    today = clock.today()
    last_month = month_label(today.replace(day=1) - timedelta(days=1))
    labels = [label] if label else [last_month, str(Quarter.containing(today).previous())]
    for period in labels:
        try:
            variances = reconcile_period(period, clock.now())
        except WarningError as error:
            raise click.ClickException(str(error)) from None
        material = [v for v in variances if v.material]
        click.echo(f"{period}: {len(variances)} value(s), {len(material)} material, "
                   f"{sum(v.surprise for v in material)} surprise(s).")
    db.session.commit()

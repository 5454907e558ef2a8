"""flask commands: create-admin, demo, import-people, worker."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from webapp.extensions import db

DemoSeeder = Callable[[], str]
DEMO_SEEDERS: list[tuple[int, str, DemoSeeder]] = []


def register_demo_seeder(order: int, name: str, seeder: DemoSeeder) -> None:
    """Add a step to `flask demo`; seeders run by order and return a one-line summary."""
    if all(existing != name for _, existing, _ in DEMO_SEEDERS):
        DEMO_SEEDERS.append((order, name, seeder))
        DEMO_SEEDERS.sort(key=lambda item: (item[0], item[1]))


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
    app.cli.add_command(import_people)
    app.cli.add_command(worker)


@click.command("create-admin")
@click.option("--email", prompt=True, help="The admin's email address.")
@click.option("--name", prompt=True, help="The admin's full name.")
@click.password_option(help="At least 10 characters.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create an admin (or make an existing person admin and set their password)."""
    from webapp import clock
    from webapp.auth.services import PASSWORD_MIN, record_audit
    from webapp.people.models import User
    from webapp.people.queries import find_user_by_email
    from webapp.people.services import record_membership
    from webapp.roles import Role

    if len(password) < PASSWORD_MIN:
        raise click.UsageError(f"The password needs at least {PASSWORD_MIN} characters.")
    user = find_user_by_email(email) or User(email=email.strip().lower(), name=name.strip())
    if user.id is None:
        db.session.add(user)
    user.set_roles(user.roles | {Role.ADMIN})
    user.set_password(password)
    user.active = True
    db.session.flush()
    record_membership([user], clock.today())
    record_audit(None, "person.make-admin", user, None, {"email": user.email, "roles": ["admin"]})
    db.session.commit()
    click.echo(f"{user.email} is an admin.")


@click.command("demo")
@click.option("--force", is_flag=True, help="Seed even when the database already has people.")
def demo(force: bool) -> None:
    """Load the deterministic demo organisation into an empty database."""
    from webapp.people.models import User

    if not force and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already has people; demo data not loaded (use --force to add it anyway).")
        return
    for _, name, seeder in DEMO_SEEDERS:
        click.echo(f"{name}: {seeder()}")
    db.session.commit()


@click.command("import-people")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_people(csv_file: Path) -> None:
    """Import people from a CSV file: all rows or none."""
    from webapp.people.services import apply_pending_import, stage_people_import

    pending, plan = stage_people_import(None, csv_file.name, csv_file.read_text(encoding="utf-8-sig"))
    for message in plan.file_errors:
        click.echo(f"error: {message}", err=True)
    for row in plan.invalid_rows:
        click.echo(f"line {row.line} ({row.email or 'no email'}): {'; '.join(row.errors)}", err=True)
    if not plan.is_valid:
        db.session.rollback()
        raise click.ClickException("nothing was imported")
    created, updated = apply_pending_import(None, pending)
    db.session.commit()
    click.echo(f"Imported {csv_file.name}: {created} added, {updated} updated.")


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due, then exit (for cron and tests).")
def worker(once: bool) -> None:
    """Deliver the outbox (e-mail, webhook posts): poll until stopped, retrying failures with backoff."""
    from webapp.notifications.delivery import drain, run_worker

    if once:
        click.echo(f"Outbox: {drain()}.")
        return
    poll_seconds = current_app.config["OUTBOX_POLL_SECONDS"]
    click.echo(f"Outbox worker: delivering every {poll_seconds:g} s; Ctrl-C stops it.")
    try:
        run_worker(poll_seconds)
    except KeyboardInterrupt:
        click.echo("Outbox worker stopped.")

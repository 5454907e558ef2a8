"""The notification centre: the list, the bell (polled), mark read, mark all read."""
from __future__ import annotations

import click
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp import clock
from webapp.auth.access import signed_in
from webapp.extensions import db
from webapp.notifications import bp
from webapp.notifications.digest import send_digests
from webapp.notifications.forms import NotificationSettingsForm, SettingsFormBase, channel_field
from webapp.notifications.models import Notification
from webapp.notifications.queries import cached_count_unread, list_notifications
from webapp.notifications.services import KINDS, mark_all_read, mark_read, may_take_digest, save_settings, settings_of
from webapp.paging import page_of_objects
from webapp.rendering import commit_or_show, form_status, render_page_or_fragment

PAGE_SIZE = 30


@bp.app_context_processor
def inject_unread_count() -> dict:
    """The bell's unread count (cached per person), looked up only when a template draws the bell."""
    if not current_user.is_authenticated:
        return {}
    user_id = current_user.id
    return {
        "unread_count": lambda: cached_count_unread(user_id),
        "bell_poll_seconds": current_app.config["NOTIFICATION_POLL_SECONDS"],
    }


@bp.route("/notifications")
@signed_in
def index():
    before = request.args.get("before", type=int)
    page = page_of_objects(list_notifications(current_user.id, before), PAGE_SIZE)
    return render_page_or_fragment(
        "notifications/index.html", "notifications/_rows.html",
        notifications=page.items, has_more=page.has_more, kinds=KINDS,
    )


@bp.route("/notifications/bell")
@signed_in
def bell():
    """The bell fragment, polled by htmx so the count changes without a reload."""
    return render_template("notifications/_bell.html")


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@signed_in
def read(notification_id: int):
    notification = db.get_or_404(Notification, notification_id)
    try:
        mark_read(current_user, notification)
    except PermissionError:
        abort(404)
    db.session.commit()
    return redirect(notification.url or url_for("notifications.index"), code=303)


@bp.route("/notifications/read-all", methods=["POST"])
@signed_in
def read_all():
    count = mark_all_read(current_user)
    db.session.commit()
    flash(f"{count} notification{'s' if count != 1 else ''} marked read.", "info")
    return redirect(url_for("notifications.index"), code=303)


@bp.route("/notifications/settings", methods=["GET", "POST"])
@signed_in
def settings():
    """The person's own choices: per kind in the app, also by e-mail, or off.

    The weekly digest for managers and leaders."""
    form = _settings_form()
    if form.validate_on_submit():
        digest = "weekly_digest" in form and form.weekly_digest.data
        if commit_or_show(form, lambda: save_settings(current_user, form.channels(), digest)):
            flash("Your notification settings are saved.", "success")
            return redirect(url_for("notifications.settings"), code=303)
    return render_template("notifications/settings.html", form=form), form_status(form)


def _settings_form() -> SettingsFormBase:
    """The form filled with the stored choices (a GET), without the digest for people who may not take it."""
    stored = settings_of(current_user)
    form = NotificationSettingsForm(data={
        **{channel_field(kind): stored.channel(kind) for kind in KINDS}, "weekly_digest": stored.weekly_digest,
    })
    if not may_take_digest(current_user):
        del form.weekly_digest
    return form


@bp.cli.command("send-digests")
def send_digests_command() -> None:
    """Send last week's digest to every manager and leader who chose it (weekly, from cron; safe to run twice)."""
    if not current_app.config.get("MAIL_SERVER"):
        click.echo("E-mail is off (MAIL_SERVER is not set): no digest sent.")
        return
    report = send_digests(clock.today())
    db.session.commit()
    click.echo(str(report))

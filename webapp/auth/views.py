"""Routes for signing in and out, the password, and the audit log."""
from __future__ import annotations

import logging

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from webapp.auth import bp
from webapp.auth.access import public, roles_required, signed_in
from webapp.auth.forms import ForgotPasswordForm, InviteForm, LoginForm, PasswordChangeForm, SetPasswordForm
from webapp.auth.invitations import (
    LINK_UNUSABLE,
    check_link,
    invitation_candidates,
    invite_people,
    request_reset,
    set_password_with_link,
)
from webapp.auth.models import PasswordLink
from webapp.auth.queries import list_audit_entries
from webapp.auth.services import PasswordError, authenticate, change_password, end_sessions
from webapp.errors import RuleError
from webapp.extensions import db, limiter
from webapp.forms import new_key
from webapp.paging import page_of_objects
from webapp.people.models import EMAIL_MAX
from webapp.rendering import commit_or_show, form_status, render_page_or_fragment, safe_next
from webapp.roles import Role

AUDIT_PAGE_SIZE = 50
MAX_CHOSEN = 500
log = logging.getLogger(__name__)


def _address_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """The account a sign-in names: its failures count against that account, whatever the address."""
    return "sign-in:" + request.form.get("email", "").strip().lower()[:EMAIL_MAX]


def _sign_in_failed(response) -> bool:
    """Only failed attempts (the form answered with an error) use up the budget; a success redirects."""
    return response.status_code >= 400


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_address_limit, methods=["POST"], deduct_when=_sign_in_failed)
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_sign_in_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            log.warning("failed sign-in from %s", request.remote_addr)
            form.password.errors.append("That email and password do not match an active account.")
        else:
            session.clear()  # a fresh session on every sign-in
            login_user(user, remember=form.remember.data)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form), form_status(form)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    """Sign out here and on the server: copies of this session or of the remember cookie stop working."""
    if current_user.is_authenticated:
        end_sessions(current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out on every device.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data, form.new.data)
        except PasswordError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            login_user(current_user._get_current_object(), fresh=True)  # keep this session, under the new version
            flash("Your password is changed. Other devices are signed out.", "success")
            return redirect(url_for("people.profile", user_id=current_user.id))
    return render_template("auth/password.html", form=form), form_status(form)


@bp.route("/admin/audit")
@roles_required(Role.ADMIN)
def audit_log():
    before = request.args.get("before", type=int)
    page = page_of_objects(list_audit_entries(before), AUDIT_PAGE_SIZE)
    return render_page_or_fragment(
        "auth/audit.html", "auth/_audit_rows.html", entries=page.items, has_more=page.has_more
    )


# --- invitations and "forgot password": links to set a password (webapp/auth/invitations.py) ---

def _forgot_limit() -> str:
    return current_app.config["FORGOT_PASSWORD_RATE_LIMIT"]


def _forgot_email_key() -> str:
    """Rate-limit key for the address asked about, so one inbox cannot be flooded from many addresses."""
    return "forgot-email:" + (request.form.get("email") or "").strip().lower()


@bp.route("/admin/invitations", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.HR)
def invitations():
    """Invite people to set a password: those chosen (a profile's "Invite" preselects one), or everyone waiting."""
    form = InviteForm()
    sent = []
    if form.validate_on_submit():
        chosen = form.user_ids.data or []
        sent = commit_or_show(form, lambda: invite_people(
            current_user, chosen, form.everyone.data, form.idempotency_key.data)) or []
        if sent:
            form.idempotency_key.data = new_key()  # the page's next invitation is a new one
    else:
        chosen = request.args.getlist("user_ids", type=int)[:MAX_CHOSEN] or (form.user_ids.data or [])
    candidates = invitation_candidates(chosen)
    return render_template(
        "auth/invitations.html", form=form, sent=sent, chosen=set() if sent else set(chosen), candidates=candidates,
        waiting=sum(person.password_hash is None for person in candidates),
    ), form_status(form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(_forgot_limit, methods=["POST"])
@limiter.limit(_forgot_limit, methods=["POST"], key_func=_forgot_email_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_reset(form.email.data)
        db.session.commit()
        return render_template("auth/forgot_sent.html", emailing=bool(current_app.config.get("MAIL_SERVER")))
    return render_template("auth/forgot.html", form=form), form_status(form)


@bp.route("/password/set/<token>", methods=["GET", "POST"])
@public
def set_password_from_link(token: str):
    link = _usable_link(token)
    if link is None:
        return render_template("auth/link_unusable.html", message=LINK_UNUSABLE), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = commit_or_show(form, lambda: set_password_with_link(token, form.new.data))
        if user is not None:
            session.clear()
            login_user(user)
            flash("Your password is set. Welcome to Common Ground.", "success")
            return redirect(url_for("main.home"), code=303)
        if _usable_link(token) is None:  # a request racing this one used it first
            return render_template("auth/link_unusable.html", message=LINK_UNUSABLE), 410
    return render_template("auth/set_password.html", form=form, link=link), form_status(form)


def _usable_link(token: str) -> PasswordLink | None:
    """The link behind token while it still works, else None."""
    try:
        return check_link(token)
    except RuleError:
        return None

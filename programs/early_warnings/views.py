"""Routes: the list, raising (and drafts), one warning with its thread, acknowledging, closing, reopening,
the reconciliation of a closed period, and the settings."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from programs.early_warnings import bp, queries, services
from programs.early_warnings.forms import (
    CONFIDENCE_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    STATUS_LABELS,
    AcknowledgeForm,
    CloseForm,
    CommentForm,
    ReconcileForm,
    ReopenForm,
    WarningForm,
    WarningPolicyForm,
)
from programs.early_warnings.models import EarlyWarning, WarningStatus
from programs.early_warnings.rules import parse_period
from webapp import clock, metrics
from webapp.auth.access import roles_required, signed_in
from webapp.extensions import db
from webapp.people.queries import list_functions
from webapp.rendering import commit_or_flash, commit_or_show, form_status, render_page_or_fragment, wants_fragment
from webapp.roles import Role

LIST_SIZE = 100
RECONCILERS = (Role.ADMIN, Role.HR, Role.LEADER, Role.MANAGER)
LABELS = {"kinds": KIND_LABELS, "confidences": CONFIDENCE_LABELS, "outcomes": OUTCOME_LABELS,
          "statuses": STATUS_LABELS}


@bp.route("/")
@signed_in
def index():
    rows = db.session.scalars(queries.visible_warnings(current_user).limit(LIST_SIZE)).all()
    return render_template("early_warnings/index.html", warnings=rows, author_shown=services.shows_author_to, **LABELS)


def _warning_form(warning: EarlyWarning | None = None) -> WarningForm:
    form = WarningForm(obj=warning)
    form.to_function_id.choices = [SelectChoice("", "Choose a function")] + [
        SelectChoice(f.id, f.name) for f in db.session.scalars(list_functions(active_only=True))
        if f.id != current_user.function_id]
    form.metric_id.choices = [SelectChoice("", "None")] + [
        SelectChoice(m.id, m.name) for m in metrics.outcome_metrics()
    ]
    if warning is not None:
        del form.idempotency_key
    return form


def _data(form: WarningForm, keyed: bool) -> services.WarningData:
    return services.WarningData(
        to_function_id=form.to_function_id.data, title=form.title.data.strip(), kind=form.kind.data,
        impact_low=form.impact_low.data, impact_high=form.impact_high.data, currency=form.currency.data,
        period=(form.period.data or "").strip(), confidence=form.confidence.data,
        description=(form.description.data or "").strip(), help_needed=(form.help_needed.data or "").strip(),
        metric_id=form.metric_id.data, show_name=bool(form.show_name.data),
        idempotency_key=form.idempotency_key.data if keyed else None)


@bp.route("/new", methods=["GET", "POST"], defaults={"warning_id": None})
@bp.route("/<int:warning_id>/edit", methods=["GET", "POST"])
@signed_in
def warning_form(warning_id: int | None):
    warning = _warning_or_404(warning_id) if warning_id else None
    if warning is not None and (warning.author_id != current_user.id or warning.status != WarningStatus.DRAFT.value):
        abort(403, description="Only the author changes a warning, and only while it is a draft.")
    form = _warning_form(warning)
    if form.validate_on_submit():
        raise_now = not form.save_draft.data
        data = _data(form, keyed=warning is None)
        saved = commit_or_show(form, lambda: services.save_warning(current_user, warning, data, raise_now, clock.now()))
        if saved is not None:
            flash("The warning is raised: the receiving function has been told." if raise_now
                  else "The draft is saved; only you can see it.", "success")
            return redirect(url_for("early_warnings.detail", warning_id=saved.id), code=303)
        warning = _warning_or_404(warning_id) if warning_id else None
    title = "Edit the draft warning" if warning else "Raise an early warning"
    return render_template("early_warnings/form.html", form=form, title=title, warning=warning), form_status(form)


def _warning_or_404(warning_id: int) -> EarlyWarning:
    """The warning when the current person may see it; otherwise not found (its existence is not told)."""
    warning = db.session.get(EarlyWarning, warning_id)
    if warning is None or not services.can_see(current_user, warning):
        abort(404)
    return warning


def _detail_context(warning: EarlyWarning, **forms) -> dict:
    """The page's context: its forms (those passed in keep their input and errors) and what the viewer may do."""
    return {
        "warning": warning, "metric": metrics.get_outcome_metric(warning.metric_id or 0),
        "ack_form": forms.get("ack_form") or AcknowledgeForm(prefix="ack"),
        "comment_form": forms.get("comment_form") or CommentForm(prefix="comment"),
        "close_form": forms.get("close_form") or CloseForm(prefix="close"),
        "reopen_form": forms.get("reopen_form") or ReopenForm(prefix="reopen"),
        "may_acknowledge": services.is_responder(current_user, warning.to_function_id),
        "may_close": services.can_close(current_user, warning), "author_shown": services.shows_author_to,
        "period_passed": (period := parse_period(warning.period)) is not None and period.end <= clock.today(),
        **LABELS,
    }


def _detail(warning: EarlyWarning, status: int = 200, **forms):
    return render_template("early_warnings/detail.html", **_detail_context(warning, **forms)), status


@bp.route("/<int:warning_id>")
@signed_in
def detail(warning_id: int):
    return _detail(_warning_or_404(warning_id))


@bp.route("/<int:warning_id>/raise", methods=["POST"])
@signed_in
def raise_draft(warning_id: int):
    warning = _warning_or_404(warning_id)
    raised = commit_or_flash(lambda: services.raise_draft(current_user, warning, clock.now()),
                             "The warning is raised: the receiving function has been told.")
    if raised is None:
        return _detail(_warning_or_404(warning_id), 400)
    return redirect(url_for("early_warnings.detail", warning_id=warning_id), code=303)


def _post(warning_id: int, form, name: str, write, success: str):
    """Validate one of the page's forms and run its write through the shared boundary; errors show in place (400)."""
    if form.validate_on_submit() and commit_or_show(form, write) is not None:
        flash(success, "success")
        return redirect(url_for("early_warnings.detail", warning_id=warning_id) + f"#{name}", code=303)
    return _detail(_warning_or_404(warning_id), 400, **{name: form})


@bp.route("/<int:warning_id>/acknowledge", methods=["POST"])
@signed_in
def acknowledge(warning_id: int):
    warning = _warning_or_404(warning_id)
    form = AcknowledgeForm(prefix="ack")
    return _post(warning_id, form, "ack_form", lambda: services.acknowledge(
        current_user, warning, form.next_step.data or "", clock.now()), "Acknowledged; the author has been told.")


@bp.route("/<int:warning_id>/comments", methods=["POST"])
@signed_in
def comment(warning_id: int):
    warning = _warning_or_404(warning_id)
    form = CommentForm(prefix="comment")
    ok = form.validate_on_submit() and commit_or_show(form, lambda: services.add_comment(
        current_user, warning, form.body.data or "", clock.now(), form.idempotency_key.data)) is not None
    if ok and not wants_fragment():
        return redirect(url_for("early_warnings.detail", warning_id=warning_id) + "#warning-thread", code=303)
    if ok:
        form = CommentForm(prefix="comment", formdata=None)
    warning = _warning_or_404(warning_id)
    return render_page_or_fragment("early_warnings/detail.html", "early_warnings/_thread.html", **_detail_context(
        warning, comment_form=form)), 200 if ok else 400


@bp.route("/<int:warning_id>/close", methods=["POST"])
@signed_in
def close(warning_id: int):
    warning = _warning_or_404(warning_id)
    form = CloseForm(prefix="close")
    return _post(warning_id, form, "close_form", lambda: services.close_warning(
        current_user, warning, form.outcome.data, form.actual_impact.data, form.closing_note.data or "", clock.now()),
        "The warning is closed with what actually happened.")


@bp.route("/<int:warning_id>/reopen", methods=["POST"])
@signed_in
def reopen(warning_id: int):
    warning = _warning_or_404(warning_id)
    form = ReopenForm(prefix="reopen")
    return _post(warning_id, form, "reopen_form", lambda: services.reopen_warning(
        current_user, warning, form.reason.data or "", clock.now()), "The warning is reopened (the change is audited).")


@bp.route("/reconciliation")
@signed_in
def reconciliation():
    """A closed period's material variances, each matched to earlier warnings or marked a surprise (no names)."""
    return _reconciliation_page(ReconcileForm(), (request.args.get("period") or "")[:7])


def _reconciliation_page(form: ReconcileForm, period: str):
    periods = queries.reconciled_periods()
    period = period if period in periods else (periods[0] if periods else "")
    return render_page_or_fragment(
        "early_warnings/reconciliation.html", "early_warnings/_variances.html", form=form, periods=periods,
        period=period, variances=queries.variances_of(period) if period else [],
        may_reconcile=current_user.has_role(*RECONCILERS)), form_status(form)


@bp.route("/reconciliation", methods=["POST"])
@roles_required(*RECONCILERS)
def reconcile():
    form = ReconcileForm()
    label = (form.period.data or "").strip()[:7]
    if form.validate_on_submit() and commit_or_show(
            form, lambda: services.reconcile_period(label, clock.now())) is not None:
        flash(f"{label} is reconciled.", "success")
        return redirect(url_for("early_warnings.reconciliation", period=label), code=303)
    return _reconciliation_page(form, label)


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings():
    form = WarningPolicyForm(obj=services.get_policy())
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.POLICY_LIMITS}
        if commit_or_show(form, lambda: services.save_policy(current_user, values)) is not None:
            flash("The early-warning settings are saved.", "success")
            return redirect(url_for("early_warnings.settings"), code=303)
    return render_template("people/admin_form.html", form=form, title="Early-warning settings",
                           cancel=url_for("early_warnings.index")), form_status(form)

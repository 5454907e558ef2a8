"""Routes: reviews list and opening, the review of a month (notes, decisions, sign-off, reopen), print, CSV,
the scorecard set-up (perspective, owner, thresholds, targets) and the status rules."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from programs.business_review import bp, queries, services
from programs.business_review.exports import review_csv
from programs.business_review.forms import (
    ItemForm,
    MetricSetupForm,
    NoteForm,
    OpenReviewForm,
    ReopenForm,
    SignForm,
    StatusRulesForm,
    TargetForm,
)
from programs.business_review.models import EXPLANATION, NEED, MonthlyReview
from webapp import clock
from webapp.auth.access import roles_required, signed_in
from webapp.extensions import db
from webapp.main.pair_records import pair_record_kinds
from webapp.metrics import get_outcome_metric, outcome_metrics
from webapp.people.models import User
from webapp.people.queries import list_functions
from webapp.rendering import commit_or_flash, commit_or_show, form_status, render_page_or_fragment, wants_fragment
from webapp.roles import Role

SETUP_ROLES = (Role.ADMIN, Role.LEADER)
NOTE_KINDS = (EXPLANATION, NEED)


def _function_choices() -> list[SelectChoice]:
    return [
        SelectChoice(function.id, function.name) for function in db.session.scalars(list_functions(active_only=True))
    ]


def _readable_review(review_id: int) -> MonthlyReview:
    review = db.get_or_404(MonthlyReview, review_id)
    if not queries.may_read(current_user, review):
        abort(403)
    return review


# --- list and opening ------------------------------------------------------------------------------

def _open_form() -> OpenReviewForm:
    form = OpenReviewForm()
    form.first_function_id.choices = form.second_function_id.choices = _function_choices()
    if not form.is_submitted():
        form.month.data = clock.today().strftime("%Y-%m")
        if current_user.function_id:
            form.first_function_id.data = current_user.function_id
    return form


@bp.route("/")
@signed_in
def reviews():
    return _reviews_page(_open_form())


def _reviews_page(form: OpenReviewForm, status: int = 200):
    rows = db.session.scalars(queries.list_reviews(current_user).limit(120)).all()
    return render_template("business_review/reviews.html", reviews=rows, form=form,
                           may_open=current_user.has_role(Role.LEADER, Role.ADMIN)), status


@bp.route("/new", methods=["POST"])
@roles_required(Role.LEADER, Role.ADMIN)
def open_review():
    form = _open_form()
    if form.validate_on_submit():
        pair = (form.first_function_id.data, form.second_function_id.data)
        review = commit_or_show(form, lambda: services.open_review(
            current_user, pair, form.month.data, form.meeting_on.data, form.idempotency_key.data))
        if review is not None:
            flash("The draft review is open.", "success")
            return redirect(url_for("business_review.review", review_id=review.id), code=303)
    return _reviews_page(form, form_status(form))


# --- the review of a month ---------------------------------------------------------------------------------

def _note_forms(page: dict, posted: tuple[int, str] | None = None, posted_form: NoteForm | None = None) -> dict:
    """One form per note each amber or red metric needs, prefilled with the saved note."""
    forms: dict[tuple[int, str], NoteForm] = {}
    for line in page["lines"]:
        if not line.needs_notes:
            continue
        for kind in NOTE_KINDS:
            if posted == (line.metric_id, kind) and posted_form is not None:
                forms[(line.metric_id, kind)] = posted_form
                continue
            saved = page["notes"].get(line.metric_id, {}).get(kind, {})
            agrees = {True: "yes", False: "no"}.get(saved.get("agrees"), "")
            forms[(line.metric_id, kind)] = NoteForm(formdata=None, prefix=f"note-{line.metric_id}-{kind}",
                                                     text=saved.get("text", ""), agrees=agrees)
    return forms


def _item_form(review: MonthlyReview) -> ItemForm:
    form = ItemForm(prefix="item")
    form.owner_id.choices = [SelectChoice(0, "Choose…")] + [_owner_choice(p) for p in queries.members_of(review.pair)]
    return form


def _owner_choice(person: User) -> SelectChoice:
    assert person.function is not None  # members_of: the people of the pair's two functions
    return SelectChoice(person.id, f"{person.name} ({person.function.code})")


def _render_review(review: MonthlyReview, status: int = 200, **forms):
    page = queries.review_page(review)
    context = {
        **page,
        "note_forms": forms.pop("note_forms", None) or _note_forms(page),
        "item_form": forms.pop("item_form", None) or _item_form(review),
        "sign_form": SignForm(prefix="sign"),
        "reopen_form": forms.pop("reopen_form", None) or ReopenForm(prefix="reopen"),
        "may_edit": not review.is_signed and queries.may_take_part(current_user, review),
        "may_sign": not review.is_signed
        and queries.is_leader_of(current_user, review.pair)
        and all(s.function_id != current_user.function_id for s in review.signoffs),
        "may_reopen": review.is_signed
        and (queries.is_leader_of(current_user, review.pair) or current_user.has_role(Role.ADMIN)),
        "record_kinds": pair_record_kinds(),
        "as_fragment": wants_fragment(),
    }
    return render_page_or_fragment("business_review/review.html", "business_review/_review.html", **context), status


def _after_write(review: MonthlyReview, done: bool, status_form=None, **forms):
    """A write's answer: the fragment for htmx, a 303 back to the page without JS; errors in place with 400."""
    if done and not wants_fragment():
        return redirect(url_for("business_review.review", review_id=review.id), code=303)
    db.session.refresh(review)
    return _render_review(review, 200 if done else form_status(status_form), **forms)


@bp.route("/<int:review_id>")
@signed_in
def review(review_id: int):
    return _render_review(_readable_review(review_id))


@bp.route("/<int:review_id>/metrics/<int:metric_id>/<kind>", methods=["POST"])
@signed_in
def save_note(review_id: int, metric_id: int, kind: str):
    review = _readable_review(review_id)
    if kind not in NOTE_KINDS:
        abort(404)
    form = NoteForm(prefix=f"note-{metric_id}-{kind}")
    done = False
    if form.validate_on_submit():
        done = commit_or_show(form, lambda: services.save_note(
            current_user, review, metric_id, kind, form.text.data, form.agrees_value)) is not None
    if done:
        return _after_write(review, done)
    note_forms = _note_forms(queries.review_page(review), (metric_id, kind), form)
    if (metric_id, kind) not in note_forms:  # no such note on this review: say why beside nothing, as a flash
        flash(" ".join(error for errors in form.errors.values() for error in errors) or "That metric needs no note.",
              "danger")
    return _after_write(review, done, form, note_forms=note_forms)


@bp.route("/<int:review_id>/items", methods=["POST"])
@signed_in
def add_item(review_id: int):
    review = _readable_review(review_id)
    form = _item_form(review)
    done = False
    if form.validate_on_submit():
        done = commit_or_show(form, lambda: services.add_item(
            current_user, review, form.kind.data, form.text.data, form.owner_id.data, form.due_on.data,
            form.idempotency_key.data)) is not None
    return _after_write(review, done, form, **({} if done else {"item_form": form}))


@bp.route("/<int:review_id>/sign", methods=["POST"])
@roles_required(Role.LEADER)
def sign(review_id: int):
    review = _readable_review(review_id)
    form = SignForm(prefix="sign")
    if form.validate_on_submit():
        signed = commit_or_flash(lambda: services.sign_review(current_user, review))
        if signed is not None:
            flash("Signed and frozen: both functions have signed." if signed.is_signed
                  else "Signed for your function; the other function's leader signs next.", "success")
    return redirect(url_for("business_review.review", review_id=review.id), code=303)


@bp.route("/<int:review_id>/reopen", methods=["POST"])
@roles_required(Role.LEADER, Role.ADMIN)
def reopen(review_id: int):
    review = _readable_review(review_id)
    form = ReopenForm(prefix="reopen")
    done = False
    if form.validate_on_submit():
        done = commit_or_show(form, lambda: services.reopen_review(current_user, review, form.reason.data)) is not None
    if done:
        flash("The review is open again; the reopening is in the audit log.", "success")
    return _after_write(review, done, form, **({} if done else {"reopen_form": form}))


@bp.route("/<int:review_id>/print")
@signed_in
def print_pack(review_id: int):
    review = _readable_review(review_id)
    return render_template("business_review/print.html", **queries.review_page(review))


@bp.route("/<int:review_id>/review.csv")
@signed_in
def export_csv(review_id: int):
    review = _readable_review(review_id)
    filename = f"business-review-{review.month}-{review.first_function.code}-{review.second_function.code}.csv"
    return Response(review_csv(queries.review_page(review)), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


# --- scorecard set-up and status rules ------------------------------------------------------------------------

def _setup_form(metric_id: int, formdata: bool = False) -> MetricSetupForm:
    setup = queries.setup_of(metric_id)
    form = MetricSetupForm(prefix=f"setup-{metric_id}", obj=setup, formdata=None if not formdata else request.form)
    form.owner_function_id.choices = form.partner_function_id.choices = _function_choices()
    return form


def _setup_page(status: int = 200, posted: dict | None = None):
    posted = posted or {}
    rows = [
        {
            "metric": metric,
            "setup": queries.setup_of(metric.id),
            "form": posted.get(("setup", metric.id)) or _setup_form(metric.id),
            "target_form": posted.get(("target", metric.id)) or TargetForm(formdata=None, prefix=f"target-{metric.id}"),
            "targets": queries.targets_of(metric.id)[:12],
        }
        for metric in outcome_metrics()
    ]
    return render_template("business_review/setup.html", rows=rows), status


@bp.route("/scorecard")
@roles_required(*SETUP_ROLES)
def setup():
    return _setup_page()


def _known_metric(metric_id: int):
    metric = get_outcome_metric(metric_id)
    if metric is None:
        abort(404)
    return metric


@bp.route("/scorecard/<int:metric_id>", methods=["POST"])
@roles_required(*SETUP_ROLES)
def save_setup(metric_id: int):
    _known_metric(metric_id)
    form = _setup_form(metric_id, formdata=True)
    if form.validate_on_submit() and commit_or_show(form, lambda: services.set_up_metric(
            current_user, metric_id, form.perspective.data, form.owner_function_id.data, form.partner_function_id.data,
            form.amber_threshold.data, form.red_threshold.data)) is not None:
        flash("The metric's scorecard set-up is saved.", "success")
        return redirect(url_for("business_review.setup", _anchor=f"metric-{metric_id}"), code=303)
    return _setup_page(form_status(form), {("setup", metric_id): form})


@bp.route("/scorecard/<int:metric_id>/targets", methods=["POST"])
@roles_required(*SETUP_ROLES)
def set_target(metric_id: int):
    _known_metric(metric_id)
    form = TargetForm(prefix=f"target-{metric_id}")
    if form.validate_on_submit() and commit_or_show(form, lambda: services.set_target(
            current_user, metric_id, form.period.data.strip(), form.value.data)) is not None:
        flash("The target is set.", "success")
        return redirect(url_for("business_review.setup", _anchor=f"metric-{metric_id}"), code=303)
    return _setup_page(form_status(form), {("target", metric_id): form})


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings():
    rules = queries.status_rules()
    form = StatusRulesForm(obj=rules)
    if form.validate_on_submit() and commit_or_show(form, lambda: services.save_status_rules(
            current_user, form.on_track_percent.data, form.at_risk_percent.data)) is not None:
        flash("The status rules are saved.", "success")
        return redirect(url_for("business_review.settings"), code=303)
    return render_template("business_review/settings.html", form=form, rules=rules), form_status(form)

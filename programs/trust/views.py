"""Routes of the trust pulse: answering, results, waves, templates, business outcomes, CSV exports."""
from __future__ import annotations

import random

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from programs.trust import bp, dashboards, presenting, reporting
from programs.trust.builtin import AGREEMENT_LABELS, time_estimate
from programs.trust.forms import (
    CloseWaveForm,
    ItemForm,
    MetricForm,
    ReminderForm,
    TemplateForm,
    ThresholdsForm,
    ValueForm,
    ValuesImportForm,
    WaveForm,
)
from programs.trust.models import (
    AGREE5,
    AUDIENCE,
    TrustItem,
    TrustMetric,
    TrustTemplate,
    TrustWave,
)
from programs.trust.queries import (
    closed_wave_reports,
    function_names,
    has_answered,
    list_metrics,
    list_templates,
    list_waves,
    response_rates,
    template_in_use,
    wave_has_responses,
)
from programs.trust.services import (
    Answers,
    WaveData,
    announce_wave,
    close_wave,
    copy_template,
    create_wave,
    delete_item,
    ensure_builtin_template,
    import_metric_values,
    remind_wave,
    save_item,
    save_metric,
    save_metric_value,
    save_template,
    set_thresholds,
    submit_response,
    targets_for,
    targets_of,
)
from webapp import clock
from webapp.auth.access import roles_required, signed_in
from webapp.cache import DATA, remember
from webapp.extensions import db
from webapp.input_guard import is_plain_digits
from webapp.people.models import Function
from webapp.people.queries import list_functions
from webapp.rendering import commit_or_flash, commit_or_show, form_status, render_page_or_fragment, wants_fragment
from webapp.roles import Role
from webapp.uploads import decode_upload

RESULTS = (Role.HR, Role.LEADER)


def _today():
    return clock.today()


def _csv(table: presenting.Table, filename: str) -> Response:
    return Response(table.to_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}.csv"})


# --- answering a pulse ---------------------------------------------------------------------------

@bp.route("/trust/pulse/<int:wave_id>", methods=["GET", "POST"])
@signed_in
def pulse(wave_id: int):
    wave = db.get_or_404(TrustWave, wave_id)
    targets = targets_for(wave, current_user)
    items = list(wave.template.items)
    failed = False
    if request.method == "POST":
        answers = _parse_answers(targets, items)

        def submit() -> bool:
            submit_response(current_user, wave, answers, _today())
            return True

        if commit_or_flash(submit, "Thank you: your answers are in, anonymously."):
            return redirect(url_for("main.home"), code=303)
        failed = True
    context = {
        **_pulse_context(wave, targets, items),
        "values": request.form,
        "answered": has_answered(wave.id, current_user.id),
        "in_audience": current_user.function_id in wave.function_ids(AUDIENCE),
        "is_open": wave.is_open_on(_today()),
    }
    return render_template("trust/pulse.html", **context), 400 if failed else 200


def _pulse_context(wave: TrustWave, targets: list[Function], items: list[TrustItem]) -> dict:
    """What the pulse form needs, the same for a respondent and for HR's preview."""
    return {"wave": wave, "targets": targets, "items": items, "labels": AGREEMENT_LABELS, "agree5": AGREE5,
            "estimate": time_estimate(items, len(targets))}


def _parse_answers(targets: list[Function], items: list[TrustItem]) -> Answers:
    """Scores from radio buttons named s-<target>-<item>; comments from c-<target> (blank ones dropped);
    skip-<target> ticked: "I don't work with them", and whatever else was sent about that target is dropped."""
    scores, comments, skipped = {}, {}, set()
    for target in targets:
        if request.form.get(f"skip-{target.id}"):
            skipped.add(target.id)
            continue
        for item in items:
            raw = request.form.get(f"s-{target.id}-{item.id}", "")
            if is_plain_digits(raw):
                scores[(target.id, item.id)] = int(raw)
        text = request.form.get(f"c-{target.id}", "").strip()
        if text:
            comments[target.id] = text
    return Answers(scores=scores, comments=comments, skipped=skipped)


# --- results --------------------------------------------------------------------------------------

@bp.route("/trust")
@roles_required(*RESULTS)
def results():
    if refused := reporting.filter_refusal(request.args.get("filter")):
        return _unknown_filter(refused)
    wave_id, filter_key = request.args.get("wave", type=int), request.args.get("filter", "")
    page = remember([DATA], f"trust-results:{wave_id}:{filter_key}", lambda: _results_page(wave_id, filter_key))
    comments = render_template("trust/_comments.html", comments=_reshuffled(page["comments"]),
                               min_comment_group=page["min_comment_group"]) if page["comments"] is not None else ""
    return _page_or_cached_fragment("trust/results.html", {**page, "fragment": page["fragment"].replace(
        _COMMENTS_SLOT, comments)})


_COMMENTS_SLOT = "<!-- cg-trust-comments -->"  # the cached fragment holds this; each request puts its own order in


def _results_page(wave_id: int | None, filter_key: str) -> dict:
    """The analysed results as plain data: the rendered fragment (comments left to each request, which shuffles
    them afresh), and what the page's chooser needs."""
    context, comments = dashboards.results_page_context(wave_id, filter_key)
    wave = context["wave"]
    fragment = render_template("trust/_results.html", comments_slot=Markup(_COMMENTS_SLOT), **context)
    return {"fragment": fragment, "comments": comments, "min_comment_group": wave.min_comment_group if wave else 0,
            "waves": [_wave_choice(w) for w in context["waves"]], "wave": _wave_choice(wave) if wave else None,
            "filter": context.get("filter", ""), "filter_options": context.get("filter_options", [])}


def _reshuffled(groups: list[dict]) -> list[dict]:
    """Each group's comments in a fresh random order (never the order of answering, nor the cached one)."""
    shuffled = []
    for group in groups:
        bodies = list(group["bodies"])
        random.SystemRandom().shuffle(bodies)
        shuffled.append({**group, "bodies": bodies})
    return shuffled


def _wave_choice(wave: TrustWave) -> dict:
    return {"id": wave.id, "title": wave.title, "period": wave.period}


def _page_or_cached_fragment(page: str, cached: dict, **context) -> str:
    """The page around a cached analysis fragment (rendered once: it shows nothing particular to the viewer), or
    the fragment alone for a plain htmx request."""
    if wants_fragment():
        return cached["fragment"]
    return render_template(page, **{**cached, **context, "fragment": Markup(cached["fragment"])})


@bp.route("/trust/summary")
@signed_in
def summary():
    """Every employee: the organisation-level picture of each closed wave, with the stored (suppressed) figures."""
    history = closed_wave_reports("")
    if not history:
        return render_template("trust/summary.html", wave=None, waves=[])
    waves = [w for w, _ in history]
    wave = dashboards.chosen_wave(waves, request.args.get("wave", type=int))
    report = dict(history)[wave]
    return render_page_or_fragment("trust/summary.html", "trust/_summary.html", wave=wave, waves=waves, report=report,
                                   **dashboards.headline(history, wave, report, function_names()))


def _unknown_filter(message: str):
    return render_template("errors/error.html", code=400, title="Unknown filter", message=message), 400


@bp.route("/trust/results/<int:wave_id>/<table>.csv")
@roles_required(*RESULTS)
def results_csv(wave_id: int, table: str):
    if refused := reporting.filter_refusal(request.args.get("filter")):
        return _unknown_filter(refused)
    context = dashboards.results_context(wave_id, request.args.get("filter", ""))
    if context["wave"] is None or context["wave"].id != wave_id or table not in context["tables"]:
        abort(404)
    return _csv(context["tables"][table], f"trust-{context['wave'].period}-{table}")


def _provide_builtin_template() -> None:
    """The built-in questionnaire exists before HR first needs it."""
    ensure_builtin_template()
    db.session.commit()


# --- waves --------------------------------------------------------------------------------------------

@bp.route("/trust/waves")
@roles_required(Role.HR, Role.ADMIN)
def waves():
    return render_template("trust/waves.html", waves=db.session.scalars(list_waves()).all(), today=_today())


@bp.route("/trust/waves/new", methods=["GET", "POST"])
@roles_required(Role.HR)
def wave_new():
    _provide_builtin_template()
    form = WaveForm()
    form.template_id.choices = [SelectChoice(t.id, t.name) for t in db.session.scalars(list_templates())]
    functions = [SelectChoice(f.id, f.name) for f in db.session.scalars(list_functions(active_only=True))]
    form.audience_ids.choices = functions
    form.target_ids.choices = functions
    if request.method == "GET":
        form.opens_on.data = _today()
    if form.validate_on_submit():
        data = WaveData(title=form.title.data.strip(), template_id=form.template_id.data, opens_on=form.opens_on.data,
                        closes_on=form.closes_on.data, audience_ids=set(form.audience_ids.data or []),
                        target_ids=set(form.target_ids.data or []), allow_overlap=form.allow_overlap.data,
                        idempotency_key=form.idempotency_key.data)
        wave = commit_or_show(form, lambda: announce_wave(create_wave(current_user, data), _today()),
                              form.replay_of(TrustWave))
        if wave is not None:
            flash(f"Wave {wave.title} is created; " + ("the invitation has gone out." if wave.announced_at else
                  f"the invitation goes out when it opens on {wave.opens_on.isoformat()}."), "success")
            return redirect(url_for("trust.wave_detail", wave_id=wave.id), code=303)
    return render_template("people/admin_form.html", form=form, title="New trust pulse wave",
                           cancel=url_for("trust.waves")), 400 if form.errors else 200


@bp.route("/trust/waves/<int:wave_id>")
@roles_required(Role.HR, Role.ADMIN)
def wave_detail(wave_id: int):
    wave = db.get_or_404(TrustWave, wave_id)
    thresholds = ThresholdsForm(obj=wave)
    return _wave_page(wave, thresholds)


def _wave_page(wave: TrustWave, thresholds: ThresholdsForm, status: int = 200):
    rates = presenting.rates_table(response_rates(wave))
    return render_template("trust/wave.html", wave=wave, rates=rates, thresholds=thresholds, today=_today(),
                           has_responses=wave_has_responses(wave.id), reminder=ReminderForm()), status


@bp.route("/trust/waves/<int:wave_id>/preview")
@roles_required(Role.HR, Role.ADMIN)
def wave_preview(wave_id: int):
    """Exactly what someone of the chosen audience function sees; nothing here can be sent."""
    wave = db.get_or_404(TrustWave, wave_id)
    audience = sorted((s.function for s in wave.scopes if s.role == AUDIENCE), key=lambda f: f.name)
    chosen = next((f for f in audience if f.id == request.args.get("as", type=int)), audience[0] if audience else None)
    targets = targets_of(wave, chosen.id if chosen else None)
    return render_template("trust/preview.html", audience=audience, chosen=chosen, values={}, today=_today(),
                           **_pulse_context(wave, targets, list(wave.template.items)))


@bp.route("/trust/waves/<int:wave_id>/remind", methods=["POST"])
@roles_required(Role.HR)
def wave_remind(wave_id: int):
    wave = db.get_or_404(TrustWave, wave_id, with_for_update=True)
    if ReminderForm().validate_on_submit():
        commit_or_flash(lambda: remind_wave(current_user, wave, _today()),
                        "The reminder has gone to everyone in the audience who has not answered yet.")
    return redirect(url_for("trust.wave_detail", wave_id=wave_id), code=303)


@bp.route("/trust/waves/<int:wave_id>/close", methods=["GET", "POST"])
@roles_required(Role.HR)
def wave_close(wave_id: int):
    """Closing is irreversible: a confirmation page first, then the POST with the box ticked."""
    wave = db.get_or_404(TrustWave, wave_id, with_for_update=request.method == "POST")
    if wave.closed_at is not None:
        flash("This wave is already closed.", "warning")
        return redirect(url_for("trust.wave_detail", wave_id=wave_id), code=303)
    form = CloseWaveForm()
    if form.validate_on_submit() and commit_or_show(form, lambda: close_wave(current_user, wave, _today())):
        flash(f"{wave.title} is closed; its results are ready.", "success")
        return redirect(url_for("trust.wave_detail", wave_id=wave_id), code=303)
    return render_template("trust/close.html", wave=wave, form=form, rates=presenting.rates_table(response_rates(wave)),
                           today=_today()), form_status(form)


@bp.route("/trust/waves/<int:wave_id>/thresholds", methods=["POST"])
@roles_required(Role.ADMIN)
def wave_thresholds(wave_id: int):
    wave = db.get_or_404(TrustWave, wave_id, with_for_update=True)
    form = ThresholdsForm()
    if form.validate_on_submit() and commit_or_show(form, lambda: set_thresholds(
            current_user, wave, form.min_group.data, form.min_comment_group.data, _today())):
        flash("The thresholds are saved.", "success")
        return redirect(url_for("trust.wave_detail", wave_id=wave_id), code=303)
    return _wave_page(db.get_or_404(TrustWave, wave_id), form, 400)


# --- templates ---------------------------------------------------------------------------------------

@bp.route("/trust/templates")
@roles_required(Role.HR)
def templates():
    _provide_builtin_template()
    return render_template("trust/templates.html", templates=db.session.scalars(list_templates()).all())


@bp.route("/trust/templates/new", methods=["GET", "POST"], defaults={"template_id": None})
@bp.route("/trust/templates/<int:template_id>", methods=["GET", "POST"])
@roles_required(Role.HR)
def template_edit(template_id: int | None):
    template = db.get_or_404(TrustTemplate, template_id) if template_id else None
    form = TemplateForm(obj=template)
    if form.validate_on_submit():
        name, description = form.name.data.strip(), (form.description.data or "").strip()
        saved = commit_or_show(form, lambda: save_template(current_user, template, name, description))
        if saved is not None:
            flash(f"Template {saved.name} is saved.", "success")
            return redirect(url_for("trust.template_edit", template_id=saved.id), code=303)
    return _template_page(template, form, ItemForm())


def _template_page(template: TrustTemplate | None, form: TemplateForm, item_form: ItemForm, refused: bool = False):
    frozen = template is not None and template_in_use(template.id)
    status = 400 if form.errors or item_form.errors or refused else 200
    return render_template("trust/template.html", template=template, form=form, item_form=item_form,
                           frozen=frozen), status


@bp.route("/trust/templates/<int:template_id>/copy", methods=["POST"])
@roles_required(Role.HR)
def template_copy(template_id: int):
    copy = commit_or_flash(lambda: copy_template(current_user, db.get_or_404(TrustTemplate, template_id)))
    if copy is None:
        return redirect(url_for("trust.template_edit", template_id=template_id), code=303)
    flash(f"{copy.name} is ready to edit.", "success")
    return redirect(url_for("trust.template_edit", template_id=copy.id), code=303)


@bp.route("/trust/templates/<int:template_id>/items", methods=["POST"], defaults={"item_id": None})
@bp.route("/trust/templates/<int:template_id>/items/<int:item_id>", methods=["GET", "POST"])
@roles_required(Role.HR)
def item_edit(template_id: int, item_id: int | None):
    template = db.get_or_404(TrustTemplate, template_id)
    item = db.get_or_404(TrustItem, item_id) if item_id else None
    if item is not None and item.template_id != template.id:
        abort(404)
    form = ItemForm(obj=item)
    refused = False
    if form.validate_on_submit():
        saved = commit_or_show(form, lambda: save_item(current_user, template, item, form.text.data.strip(),
                                                form.dimension.data.strip(), form.reverse.data, form.scale.data))
        if saved is not None:
            flash("The question is saved.", "success")
            return redirect(url_for("trust.template_edit", template_id=template.id), code=303)
        refused = True
    if item is not None:
        return render_template(
            "people/admin_form.html",
            form=form,
            title="Edit question",
            cancel=url_for("trust.template_edit", template_id=template.id),
        ), 400 if form.errors or refused else 200
    return _template_page(template, TemplateForm(obj=template), form, refused)


@bp.route("/trust/templates/<int:template_id>/items/<int:item_id>/delete", methods=["POST"])
@roles_required(Role.HR)
def item_delete(template_id: int, item_id: int):
    item = db.get_or_404(TrustItem, item_id)
    if item.template_id != template_id:
        abort(404)
    commit_or_flash(lambda: delete_item(current_user, item), "The question is removed.")
    return redirect(url_for("trust.template_edit", template_id=template_id), code=303)


# --- business outcomes --------------------------------------------------------------------------------

@bp.route("/trust/outcomes")
@roles_required(*RESULTS)
def outcomes():
    return render_template("trust/outcomes.html", metrics=db.session.scalars(list_metrics()).all())


@bp.route("/trust/outcomes/new", methods=["GET", "POST"], defaults={"metric_id": None})
@bp.route("/trust/outcomes/<int:metric_id>/edit", methods=["GET", "POST"])
@roles_required(Role.HR)
def metric_edit(metric_id: int | None):
    metric = db.get_or_404(TrustMetric, metric_id) if metric_id else None
    form = MetricForm(obj=metric)
    if request.method == "GET" and metric is not None:
        form.higher_is_better.data = "1" if metric.higher_is_better else "0"
    if form.validate_on_submit():
        saved = commit_or_show(form, lambda: save_metric(
            current_user, metric, form.name.data.strip(), (form.unit.data or "").strip(),
            form.higher_is_better.data == "1", form.frequency.data, form.scope.data))
        if saved is not None:
            flash(f"Metric {saved.name} is saved.", "success")
            return redirect(url_for("trust.metric_detail", metric_id=saved.id), code=303)
    title = f"Edit {metric.name}" if metric else "New business outcome"
    return render_template("people/admin_form.html", form=form, title=title,
                           cancel=url_for("trust.outcomes")), 400 if form.errors else 200


@bp.route("/trust/outcomes/<int:metric_id>")
@roles_required(*RESULTS)
def metric_detail(metric_id: int):
    metric = db.get_or_404(TrustMetric, metric_id)
    return _metric_page(metric, ValueForm(), ValuesImportForm())


def _metric_page(metric: TrustMetric, value_form: ValueForm, import_form: ValuesImportForm, plan=None):
    value_form.function_id.choices = _value_function_choices()
    status = 400 if value_form.errors or import_form.errors or (plan and not plan.is_valid) else 200
    series = request.args.get("series", "")
    analysed = remember([DATA], f"trust-outcome:{metric.id}:{series}", lambda: _outcome_page(metric, series))
    return _page_or_cached_fragment("trust/metric.html", analysed, metric=metric, value_form=value_form,
                                    import_form=import_form, plan=plan), status


def _outcome_page(metric: TrustMetric, series: str) -> dict:
    """The analysed outcome as plain data: the rendered fragment, and the series the page's chooser offers."""
    context = dashboards.outcome_context(metric, series)
    return {"fragment": render_template("trust/_outcome_analysis.html", **context),
            "series_options": context["series_options"], "series": context["series"]}


def _value_function_choices() -> list[SelectChoice]:
    functions = db.session.scalars(list_functions(active_only=True))
    return [SelectChoice("", "Organisation")] + [SelectChoice(f.id, f.name) for f in functions]


@bp.route("/trust/outcomes/<int:metric_id>/values", methods=["POST"])
@roles_required(Role.HR)
def metric_value_add(metric_id: int):
    metric = db.get_or_404(TrustMetric, metric_id)
    form = ValueForm()
    form.function_id.choices = _value_function_choices()
    if form.validate_on_submit() and commit_or_show(form, lambda: save_metric_value(
            current_user, metric, form.period.data.strip(), form.function_id.data, form.value.data)):
        flash(f"{metric.name} for {form.period.data.strip()} is saved.", "success")
        return redirect(url_for("trust.metric_detail", metric_id=metric.id), code=303)
    return _metric_page(metric, form, ValuesImportForm())


@bp.route("/trust/outcomes/<int:metric_id>/import", methods=["POST"])
@roles_required(Role.HR)
def metric_import(metric_id: int):
    metric = db.get_or_404(TrustMetric, metric_id)
    form = ValuesImportForm()
    plan = None
    if form.validate_on_submit():
        content = decode_upload(form)
        if content is not None:
            plan = commit_or_show(form, lambda: import_metric_values(
                current_user, metric, form.file.data.filename or "values.csv", content))
            if plan is not None and plan.is_valid:
                flash(f"Imported {len(plan.rows)} values of {metric.name}.", "success")
                return redirect(url_for("trust.metric_detail", metric_id=metric.id), code=303)
    return _metric_page(metric, ValueForm(), form, plan)


@bp.route("/trust/outcomes/<int:metric_id>/<table>.csv")
@roles_required(*RESULTS)
def metric_csv(metric_id: int, table: str):
    context = dashboards.outcome_context(db.get_or_404(TrustMetric, metric_id), request.args.get("series", ""))
    if table not in context["tables"]:
        abort(404)
    return _csv(context["tables"][table], f"outcome-{metric_id}-{table}")


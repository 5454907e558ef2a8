"""Routes of the trust pulse: answering, results, waves, templates, business outcomes, CSV exports."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from programs.trust import analysis, bp, presenting, reporting
from programs.trust.builtin import AGREEMENT_LABELS
from programs.trust.forms import (
    ItemForm,
    MetricForm,
    TemplateForm,
    ThresholdsForm,
    ValueForm,
    ValuesImportForm,
    WaveForm,
)
from programs.trust.models import (
    AGREE5,
    AUDIENCE,
    PER_FUNCTION,
    TrustItem,
    TrustMetric,
    TrustTemplate,
    TrustWave,
)
from programs.trust.queries import (
    closed_wave_reports,
    comments_by_cell,
    function_names,
    has_answered,
    index_series,
    list_metrics,
    list_templates,
    list_waves,
    metric_values,
    response_rates,
    template_in_use,
    wave_has_responses,
)
from programs.trust.services import (
    Answers,
    TrustError,
    WaveData,
    announce_wave,
    close_wave,
    copy_template,
    create_wave,
    delete_item,
    ensure_builtin_template,
    import_metric_values,
    save_item,
    save_metric,
    save_metric_value,
    save_template,
    set_thresholds,
    submit_response,
    targets_for,
)
from webapp import clock
from webapp.auth.access import roles_required, signed_in
from webapp.cache import derived
from webapp.extensions import db
from webapp.people.models import Function
from webapp.people.queries import list_functions
from webapp.rendering import commit_or_show, render_page_or_fragment
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
    error = None
    if request.method == "POST":
        answers = _parse_answers(targets, items)
        try:
            submit_response(current_user, wave, answers, _today())
            db.session.commit()
        except (TrustError, IntegrityError) as failure:
            db.session.rollback()
            error = str(failure) if isinstance(failure, TrustError) else "You have already answered this pulse."
        else:
            flash("Thank you: your answers are in, anonymously.", "success")
            return redirect(url_for("main.home"), code=303)
    context = {"wave": wave, "targets": targets, "items": items, "labels": AGREEMENT_LABELS, "error": error,
               "values": request.form, "answered": has_answered(wave.id, current_user.id), "agree5": AGREE5,
               "in_audience": current_user.function_id in wave.function_ids(AUDIENCE), "is_open": wave.is_open_on(_today())}
    return render_template("trust/pulse.html", **context), 400 if error else 200


def _parse_answers(targets: list[Function], items: list[TrustItem]) -> Answers:
    """Scores from radio buttons named s-<target>-<item>; comments from c-<target> (blank ones dropped)."""
    scores, comments = {}, {}
    for target in targets:
        for item in items:
            raw = request.form.get(f"s-{target.id}-{item.id}", "")
            if raw.isdigit():
                scores[(target.id, item.id)] = int(raw)
        text = request.form.get(f"c-{target.id}", "").strip()
        if text:
            comments[target.id] = text
    return Answers(scores=scores, comments=comments)


# --- results --------------------------------------------------------------------------------------

def _results_context(wave_id: int | None, filter_key: str) -> dict:
    """Everything the results page and its CSV exports show, from the stored reports."""
    history = closed_wave_reports("")
    if not history:
        return {"wave": None, "waves": []}
    waves = [w for w, _ in history]
    wave = next((w for w in waves if w.id == wave_id), waves[-1]) if wave_id else waves[-1]
    chosen = reporting.parse_filter(filter_key)
    key = filter_key if chosen else ""
    report = dict(history)[wave] if not key else dict(closed_wave_reports(key))[wave]
    names = function_names()
    trend = presenting.trend_frame([(w.period, r) for w, r in history], names)
    tables = {
        "pairs": presenting.pairs_table(report, names),
        "dimensions": presenting.dimensions_table(report, names),
        "asymmetry": presenting.asymmetry_table(report, names),
        "enps": presenting.enps_table(report, names),
        "alpha": presenting.alpha_table(report),
        "trends": presenting.trends_table(trend),
        "rates": presenting.rates_table(response_rates(wave)),
    }
    return {"wave": wave, "waves": waves, "report": report, "names": names, "tables": tables, "filter": key,
            "filter_options": reporting.filter_options(), "trend": trend}


@bp.route("/trust")
@roles_required(*RESULTS)
def results():
    context = _results_context(request.args.get("wave", type=int), request.args.get("filter", ""))
    wave = context["wave"]
    if wave is not None and not context["report"]["refused"]:
        context["grid"] = presenting.matrix_grid(context["report"], context["names"])
        context["matrix_spec"] = derived(presenting.matrix_chart, context["report"], context["names"])
        context["trends_spec"] = derived(presenting.trends_chart, context["trend"]) if not context["trend"].empty else None
        context["comments"] = [] if context["filter"] else _visible_comments(wave, context)
    return render_page_or_fragment("trust/results.html", "trust/_results.html", **context)


def _visible_comments(wave: TrustWave, context: dict) -> list[dict]:
    cells = comments_by_cell(wave.id)
    names = context["names"]
    shown = []
    for cell in context["report"]["cells"]:
        if reporting.comments_visible(cell, wave.min_comment_group) and cells.get((cell["rater"], cell["target"])):
            shown.append({"rater": names[cell["rater"]], "target": names[cell["target"]],
                          "bodies": cells[(cell["rater"], cell["target"])]})
    return sorted(shown, key=lambda c: (c["rater"], c["target"]))


@bp.route("/trust/results/<int:wave_id>/<table>.csv")
@roles_required(*RESULTS)
def results_csv(wave_id: int, table: str):
    context = _results_context(wave_id, request.args.get("filter", ""))
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
                        target_ids=set(form.target_ids.data or []))
        wave = commit_or_show(form, lambda: announce_wave(create_wave(current_user, data), _today()))
        if wave is not None:
            flash(f"Wave {wave.title} is created.", "success")
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
                           has_responses=wave_has_responses(wave.id)), status


@bp.route("/trust/waves/<int:wave_id>/close", methods=["POST"])
@roles_required(Role.HR)
def wave_close(wave_id: int):
    wave = db.get_or_404(TrustWave, wave_id, with_for_update=True)
    try:
        close_wave(current_user, wave, _today())
    except TrustError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(f"{wave.title} is closed; its results are ready.", "success")
    return redirect(url_for("trust.wave_detail", wave_id=wave_id), code=303)


@bp.route("/trust/waves/<int:wave_id>/thresholds", methods=["POST"])
@roles_required(Role.ADMIN)
def wave_thresholds(wave_id: int):
    wave = db.get_or_404(TrustWave, wave_id)
    form = ThresholdsForm()
    if form.validate_on_submit() and commit_or_show(
            form, lambda: set_thresholds(current_user, wave, form.min_group.data, form.min_comment_group.data)):
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
    copy = copy_template(current_user, db.get_or_404(TrustTemplate, template_id))
    db.session.commit()
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
        return render_template("people/admin_form.html", form=form, title="Edit question",
                               cancel=url_for("trust.template_edit", template_id=template.id)), 400 if form.errors or refused else 200
    return _template_page(template, TemplateForm(obj=template), form, refused)


@bp.route("/trust/templates/<int:template_id>/items/<int:item_id>/delete", methods=["POST"])
@roles_required(Role.HR)
def item_delete(template_id: int, item_id: int):
    item = db.get_or_404(TrustItem, item_id)
    if item.template_id != template_id:
        abort(404)
    try:
        delete_item(current_user, item)
    except TrustError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash("The question is removed.", "success")
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


def _outcome_context(metric: TrustMetric) -> dict:
    """The outcome against the index: aligned series, lagged correlations, pooled within functions."""
    names = function_names()
    history = closed_wave_reports("")
    values = metric_values(metric.id)
    label = f"{metric.name} ({metric.unit})" if metric.unit else metric.name
    series_options = _series_options(history, names, metric)
    series = request.args.get("series", "")
    if series not in dict(series_options):
        series = series_options[0][0] if series_options else ""
    context = {"metric": metric, "names": names, "series_options": series_options, "series": series,
               "tables": {"values": presenting.values_table(values, names, metric.unit)}, "spec": None}
    if not series or values.empty:
        return context
    kind, _, key = series.partition(":")
    index = index_series(history, kind, tuple(int(k) for k in key.split("-")) if key else ())
    own = values[values["function"] == int(key)] if kind == "target" else values
    aligned = analysis.align(index, own[["period", "value"]])
    context["spec"] = derived(presenting.outcome_chart, aligned, label)
    context["tables"]["aligned"] = presenting.aligned_table(aligned, label)
    context["tables"]["lags"] = presenting.correlation_table(
        analysis.lagged_correlations(aligned), "lags", "Correlation of the index with the outcome, same quarter and later")
    if metric.scope == PER_FUNCTION:
        per_function = {fid: analysis.align(index_series(history, "target", (fid,)), part[["period", "value"]])
                        for fid, part in values.groupby("function")}
        context["tables"]["pooled"] = presenting.correlation_table(
            analysis.pooled_within(per_function), "pooled",
            "Pooled within-function correlation (each function's own averages removed)")
    return context


def _series_options(history, names: dict[int, str], metric: TrustMetric) -> list[tuple[str, str]]:
    """Which index to lay against the outcome: per function (how others rate it), or overall and pairs."""
    if not history:
        return []
    last = history[-1][1]
    if metric.scope == PER_FUNCTION:
        return [(f"target:{t['target']}", f"How others rate {names[t['target']]}") for t in
                sorted(last["targets"], key=lambda t: names[t["target"]])]
    pairs = sorted(((c["rater"], c["target"]) for c in last["cells"]), key=lambda p: (names[p[0]], names[p[1]]))
    return [("overall:", "Overall index")] + [(f"cell:{r}-{t}", f"{names[r]} rates {names[t]}") for r, t in pairs]


@bp.route("/trust/outcomes/<int:metric_id>")
@roles_required(*RESULTS)
def metric_detail(metric_id: int):
    metric = db.get_or_404(TrustMetric, metric_id)
    return _metric_page(metric, ValueForm(), ValuesImportForm())


def _metric_page(metric: TrustMetric, value_form: ValueForm, import_form: ValuesImportForm, plan=None):
    value_form.function_id.choices = _value_function_choices()
    status = 400 if value_form.errors or import_form.errors or (plan and not plan.is_valid) else 200
    context = _outcome_context(metric)
    return render_page_or_fragment("trust/metric.html", "trust/_outcome_analysis.html", value_form=value_form,
                                   import_form=import_form, plan=plan, **context), status


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
            plan = import_metric_values(current_user, metric, form.file.data.filename or "values.csv", content)
            if plan.is_valid:
                db.session.commit()
                flash(f"Imported {len(plan.rows)} values of {metric.name}.", "success")
                return redirect(url_for("trust.metric_detail", metric_id=metric.id), code=303)
            db.session.rollback()
    return _metric_page(metric, ValueForm(), form, plan)


@bp.route("/trust/outcomes/<int:metric_id>/<table>.csv")
@roles_required(*RESULTS)
def metric_csv(metric_id: int, table: str):
    context = _outcome_context(db.get_or_404(TrustMetric, metric_id))
    if table not in context["tables"]:
        abort(404)
    return _csv(context["tables"][table], f"outcome-{metric_id}-{table}")


"""Routes: the list, the template, the request page with its answer, what-if table, decision, cases and look-back."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from programs.resource_requests import bp, queries, services
from programs.resource_requests.forms import (
    KIND_LABELS,
    RESULT_LABELS,
    ActualForm,
    AnswerForm,
    CaseForm,
    ConditionForm,
    ConfirmForm,
    DriverForm,
    LeaderDecisionForm,
    LookbackForm,
    OptionForm,
    PickForm,
    ReopenForm,
    RequestForm,
)
from programs.resource_requests.models import Condition, RequestOption, ResourceRequest
from programs.resource_requests.whatif import COMPARISONS
from webapp import clock
from webapp.auth.access import signed_in
from webapp.extensions import db
from webapp.metrics import outcome_metrics
from webapp.people.queries import list_functions
from webapp.rendering import commit_or_show, form_status, render_page_or_fragment, wants_fragment

PAGE_SIZE = 25


def _request_or_404(request_id: int) -> ResourceRequest:
    return db.get_or_404(ResourceRequest, request_id)


# --- the list and the template ---------------------------------------------------------------

@bp.route("")
@signed_in
def index():
    status = request.args.get("status", "")
    status = status if status in queries.STATUS_LABELS else ""
    function_id = request.args.get("function", type=int)
    after = request.args.get("after", type=int)
    rows = db.session.scalars(queries.list_requests(status, function_id, after).limit(PAGE_SIZE + 1)).all()
    context = {"requests": rows[:PAGE_SIZE], "has_more": len(rows) > PAGE_SIZE, "status": status,
               "function_id": function_id, "labels": queries.STATUS_LABELS,
               "functions": db.session.scalars(list_functions(active_only=True)).all(),
               "waiting": queries.waiting_for(current_user, PAGE_SIZE)}
    return render_page_or_fragment("resource_requests/index.html", "resource_requests/_results.html", **context)


def _request_form(existing: ResourceRequest | None) -> RequestForm:
    form = RequestForm(obj=existing)
    form.to_function_id.choices = [SelectChoice(None, "Choose a function")] + [
        SelectChoice(f.id, f.name) for f in db.session.scalars(list_functions(active_only=True))
        if f.id != current_user.function_id]
    return form


def _request_data(form: RequestForm) -> services.RequestData:
    return services.RequestData(
        form.title.data, form.to_function_id.data, form.need.data, form.impact.data, form.cost_one_off.data,
        form.cost_monthly.data, form.currency.data, form.deadline.data, form.alternatives.data,
        form.expected_return.data or "", form.driver.data, form.driver_value.data)


@bp.route("/new", methods=["GET", "POST"], defaults={"request_id": None})
@bp.route("/<int:request_id>/edit", methods=["GET", "POST"])
@signed_in
def request_form(request_id: int | None):
    existing = _request_or_404(request_id) if request_id else None
    if existing and existing.requester_id != current_user.id:
        abort(403, description="Only the requester can change the request.")
    was_answered = bool(existing and existing.answered_version)
    form = _request_form(existing)
    if form.validate_on_submit():
        if existing:
            saved = commit_or_show(form, lambda: services.edit_request(current_user, existing, _request_data(form),
                                                                       clock.today()))
        else:
            saved = commit_or_show(form, lambda: services.submit_request(
                current_user, _request_data(form), form.idempotency_key.data, clock.today()))
        if saved is not None:
            flash("The request is changed." + (" It needs a new answer." if was_answered else "") if existing
                  else "The request is sent.", "success")
            return redirect(url_for("resource_requests.detail", request_id=saved.id), code=303)
    return render_template("resource_requests/request_form.html", form=form, existing=existing), form_status(form)


# --- the request page ------------------------------------------------------------------------

def _condition_form(prefix: str) -> ConditionForm:
    form = ConditionForm(prefix=prefix)
    form.metric_id.choices = [SelectChoice(None, "None: entered by hand")] + [
        SelectChoice(m.id, f"{m.name} ({m.unit})") for m in outcome_metrics()]
    return form


def _choice_form(form_type, req: ResourceRequest, prefix: str):
    form = form_type(prefix=prefix)
    form.option_id.choices = [SelectChoice(o.id, o.label) for o in req.current_options]
    return form


def _detail(req: ResourceRequest, status: int = 200, **forms):
    """The request page, with fresh forms except those passed in (which carry their errors)."""
    defaults: dict[str, Callable[[], object]] = {
        "option_form": lambda: OptionForm(prefix="option"),
        "driver_form": lambda: DriverForm(prefix="whatif", driver_value=req.driver_value),
        "pick_form": lambda: _choice_form(PickForm, req, "pick"),
        "confirm_form": lambda: ConfirmForm(prefix="confirm"),
        "leader_form": lambda: _choice_form(LeaderDecisionForm, req, "leader"),
        "case_form": lambda: CaseForm(prefix="case"),
        "lookback_form": lambda: LookbackForm(prefix="lookback"),
        "reopen_form": lambda: ReopenForm(prefix="reopen"),
    }
    context = {name: forms.get(name) or make() for name, make in defaults.items()}
    condition_forms = {o.id: forms.get(f"condition_form_{o.id}") or _condition_form(f"cond{o.id}")
                       for o in req.current_options}
    actual_forms = {c.id: forms.get(f"actual_form_{c.id}") or ActualForm(prefix=f"actual{c.id}")
                    for o in req.current_options for c in o.conditions}
    return render_template(
        "resource_requests/detail.html", req=req, whatif=queries.what_if(req), condition_forms=condition_forms,
        actual_forms=actual_forms, today=clock.today(), kinds=KIND_LABELS, results=RESULT_LABELS,
        comparisons={key: label for key, (label, _) in COMPARISONS.items()}, labels=queries.STATUS_LABELS,
        metrics={m.id: m for m in outcome_metrics()}, answer_refusal=services.answer_refusal(req.current_options),
        may=_permissions(req), celebrate_url=_celebrate_url(req), **context), status


def _permissions(req: ResourceRequest) -> dict[str, bool]:
    user = current_user
    return {"review": services.is_reviewer(user, req), "party": services.is_party(user, req),
            "request": user.id == req.requester_id, "lead": services.is_deciding_leader(user, req),
            "case": services.is_party(user, req) and all(c.function_id != user.function_id for c in req.cases),
            "lookback": services.is_party(user, req) and all(lb.function_id != user.function_id
                                                               for lb in req.lookbacks)}


def _celebrate_url(req: ResourceRequest) -> str | None:
    """Recognition's joint-win form, prefilled, once both sides called the look-back good."""
    if not services.is_joint_win(req):
        return None
    decision = req.decision
    story = (f"{req.from_function.name} asked {req.to_function.name}: {req.title}. They decided together on "
             f"“{decision.option.label if decision else ''}”, and at the look-back both sides said it delivered.")
    return url_for("recognition.log_win") + "?" + urlencode({"title": f"Yes, if… that worked: {req.title}"[:160],
                                                             "story": story})


@bp.route("/<int:request_id>")
@signed_in
def detail(request_id: int):
    return _detail(_request_or_404(request_id))


def _submit(req: ResourceRequest, form, form_name: str, write: Callable[[], object], success: str):
    """Validate one of the request page's forms and run its write: back to the page, or the page with the errors."""
    if form.validate_on_submit() and commit_or_show(form, write) is not None:
        flash(success, "success")
        return redirect(url_for("resource_requests.detail", request_id=req.id), code=303)
    db.session.expire_all()
    return _detail(_request_or_404(req.id), 400, **{form_name: form})


@bp.route("/<int:request_id>/options", methods=["POST"])
@signed_in
def add_option(request_id: int):
    req, form = _request_or_404(request_id), OptionForm(prefix="option")
    return _submit(req, form, "option_form", lambda: services.add_option(current_user, req, services.OptionData(
        form.kind.data, form.label.data, form.fixed_monthly.data, form.per_unit.data, form.capacity.data,
        form.risk.data or "", form.look_again_on.data), form.idempotency_key.data, clock.today()),
        "The option is added to the draft answer.")


@bp.route("/options/<int:option_id>/conditions", methods=["POST"])
@signed_in
def add_condition(option_id: int):
    option = db.get_or_404(RequestOption, option_id)
    form = _condition_form(f"cond{option.id}")
    return _submit(option.request, form, f"condition_form_{option.id}", lambda: services.add_condition(
        current_user, option, services.ConditionData(form.driver.data, form.metric_id.data, form.comparison.data,
                                                     form.threshold.data, form.review_on.data),
        form.idempotency_key.data, clock.today()), "The condition is added.")


@bp.route("/<int:request_id>/answer", methods=["POST"])
@signed_in
def send_answer(request_id: int):
    req = _request_or_404(request_id)
    form = AnswerForm(prefix="answer")
    return _submit(req, form, "answer_form", lambda: services.send_answer(current_user, req, clock.now()),
                   "The options are sent to the requester.")


@bp.route("/<int:request_id>/whatif", methods=["POST"])
@signed_in
def what_if(request_id: int):
    req, form = _request_or_404(request_id), DriverForm(prefix="whatif")
    saved = form.validate_on_submit() and commit_or_show(form, lambda: services.set_driver_value(
        current_user, req, form.driver_value.data, clock.now()))
    if wants_fragment():
        db.session.expire_all()
        req = _request_or_404(request_id)
        return render_template("resource_requests/_whatif.html", req=req, whatif=queries.what_if(req),
                               driver_form=form if not saved else DriverForm(prefix="whatif",
                                                                             driver_value=req.driver_value),
                               may=_permissions(req)), 200 if saved else 422
    if saved:
        return redirect(url_for("resource_requests.detail", request_id=req.id) + "#whatif", code=303)
    db.session.expire_all()
    return _detail(_request_or_404(request_id), 400, driver_form=form)


@bp.route("/<int:request_id>/pick", methods=["POST"])
@signed_in
def pick(request_id: int):
    req = _request_or_404(request_id)
    form = _choice_form(PickForm, req, "pick")
    return _submit(req, form, "pick_form", lambda: services.pick_option(
        current_user, req, form.option_id.data, form.reasons.data), "Your pick is sent for confirmation.")


@bp.route("/<int:request_id>/confirm", methods=["POST"])
@signed_in
def confirm(request_id: int):
    req, form = _request_or_404(request_id), ConfirmForm(prefix="confirm")
    return _submit(req, form, "confirm_form", lambda: services.confirm_pick(
        current_user, req, form.consulted.data or "", form.reasons.data, clock.now()), "The decision is recorded.")


@bp.route("/<int:request_id>/leader-decision", methods=["POST"])
@signed_in
def leader_decision(request_id: int):
    req = _request_or_404(request_id)
    form = _choice_form(LeaderDecisionForm, req, "leader")
    return _submit(req, form, "leader_form", lambda: services.leader_decides(
        current_user, req, form.option_id.data, form.consulted.data or "", form.reasons.data, clock.now()),
        "The decision is recorded; both sides commit to it.")


@bp.route("/<int:request_id>/case", methods=["POST"])
@signed_in
def write_case(request_id: int):
    req, form = _request_or_404(request_id), CaseForm(prefix="case")
    return _submit(req, form, "case_form", lambda: services.write_case(current_user, req, form.body.data),
                   "Your side's case is with the leaders.")


@bp.route("/conditions/<int:condition_id>/actual", methods=["POST"])
@signed_in
def record_actual(condition_id: int):
    condition = db.get_or_404(Condition, condition_id)
    form = ActualForm(prefix=f"actual{condition.id}")
    return _submit(condition.option.request, form, f"actual_form_{condition.id}", lambda: services.record_actual(
        current_user, condition, form.actual.data, clock.today(), clock.now()), "The actual value is recorded.")


@bp.route("/<int:request_id>/lookback", methods=["POST"])
@signed_in
def lookback(request_id: int):
    req, form = _request_or_404(request_id), LookbackForm(prefix="lookback")
    return _submit(req, form, "lookback_form", lambda: services.record_lookback(
        current_user, req, form.result.data, form.note.data, clock.today(), clock.now()),
        "Your side's look-back is recorded.")


@bp.route("/<int:request_id>/reopen", methods=["POST"])
@signed_in
def reopen(request_id: int):
    req, form = _request_or_404(request_id), ReopenForm(prefix="reopen")
    return _submit(req, form, "reopen_form", lambda: services.reopen_decision(
        current_user, req, form.reason.data, clock.now()), "The decision is reopened (recorded in the audit log).")

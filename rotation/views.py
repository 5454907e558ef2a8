"""Routes of the rotation program: thin; parse, validate, one service call, commit, redirect or re-render."""
from __future__ import annotations

from collections import Counter
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from rotation import bp, calendar, queries, services
from rotation.forms import (
    ApplicationForm,
    CheckInForm,
    CohortForm,
    DecisionForm,
    HostFeedbackForm,
    OpeningForm,
    ProgramForm,
    ReflectionForm,
    RotationPolicyForm,
)
from rotation.matching import blocking_pairs, over_capacity
from rotation.models import (
    MAX_CHOICES,
    TEXT_MAX,
    TITLE_MAX,
    Application,
    ApplicationStatus,
    Cohort,
    Opening,
    Placement,
    Program,
)
from rotation.services import RotationError
from webapp import clock
from webapp.auth.access import roles_required, signed_in
from webapp.extensions import db
from webapp.forms import KeyedForm
from webapp.input_guard import is_plain_digits, parse_ids
from webapp.notifications.services import notify
from webapp.people.queries import find_user_by_email, list_functions
from webapp.rendering import commit_or_flash, commit_or_show, redirect_back, render_page_or_fragment
from webapp.roles import Role


def today() -> date:
    return clock.today()


def _form_data(cls, form: FlaskForm, **given):
    """A service dataclass from the form fields of the same names (text stripped), plus given values."""
    values = {name: getattr(form, name).data for name in cls.__dataclass_fields__ if name not in given}
    return cls(**{k: v.strip() if isinstance(v, str) else v for k, v in values.items()}, **given)


def _form_view(form: KeyedForm, model, save, done, title: str, cancel: str):
    """A create-or-edit page of a model: on a valid post, save through the service and redirect to done(saved).

    A replay of the create form (its key already made a row) shows "already recorded".
    """
    if form.validate_on_submit():
        saved = commit_or_show(form, save, form.replay_of(model))
        if saved is not None:
            flash(f"{getattr(saved, 'title', None) or saved.name} is saved.", "success")
            return redirect(done(saved), code=303)
    return _page("people/admin_form.html", form, title=title, cancel=cancel)


def _page(template: str, form: FlaskForm, **context):
    return render_template(template, form=form, **context), 400 if form.errors else 200


def _back(endpoint: str, **values):
    return redirect_back(url_for(endpoint, **values))


# --- overview, programs and cohorts ------------------------------------------------------------

@bp.route("/rotation")
@signed_in
def index():
    return render_template(
        "rotation/index.html", programs=db.session.scalars(queries.list_programs()).all(), today=today(),
        applications=db.session.scalars(queries.list_my_applications(current_user)).all(),
        placements=db.session.scalars(queries.list_my_placements(current_user)).all(),
        hosted=db.session.scalars(queries.list_hosted_openings(current_user)).all(),
    )


def _function_choices() -> list[SelectChoice]:
    functions = db.session.scalars(list_functions(active_only=True))
    return [SelectChoice(f.id, f.name) for f in functions]


@bp.route("/rotation/programs/new", methods=["GET", "POST"], defaults={"program_id": None})
@bp.route("/rotation/programs/<int:program_id>/edit", methods=["GET", "POST"])
@roles_required(Role.HR)
def program_form(program_id: int | None):
    program = db.get_or_404(Program, program_id) if program_id else None
    form = ProgramForm(obj=program)
    form.host_function_ids.choices = form.eligible_function_ids.choices = _function_choices()
    if request.method == "GET" and program is not None:
        form.host_function_ids.data = [f.id for f in program.host_functions]
        form.eligible_function_ids.data = [f.id for f in program.eligible_functions]
    def save():
        return services.save_program(current_user, program, _form_data(services.ProgramData, form))
    def done(saved):
        return url_for("rotation.program", program_id=saved.id)
    title = f"Edit {program.name}" if program else "New rotation program"
    return _form_view(form, Program, save, done, title, url_for("rotation.index"))


@bp.route("/rotation/programs/<int:program_id>")
@signed_in
def program(program_id: int):
    return render_template("rotation/program.html", program=db.get_or_404(Program, program_id), today=today())


@bp.route("/rotation/programs/<int:program_id>/cohorts/new", methods=["GET", "POST"], defaults={"cohort_id": None})
@bp.route("/rotation/programs/<int:program_id>/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@roles_required(Role.HR)
def cohort_form(program_id: int, cohort_id: int | None):
    program = db.get_or_404(Program, program_id)
    cohort = db.get_or_404(Cohort, cohort_id) if cohort_id else None
    if cohort is not None and cohort.program_id != program.id:
        abort(404)
    form = CohortForm(obj=cohort)
    def save():
        return services.save_cohort(current_user, program, cohort, _form_data(services.CohortData, form))
    def done(saved):
        return url_for("rotation.cohort", cohort_id=saved.id)
    title = f"Edit {cohort.name}" if cohort else f"New cohort of {program.name}"
    return _form_view(form, Cohort, save, done, title, url_for("rotation.program", program_id=program.id))


@bp.route("/rotation/cohorts/<int:cohort_id>")
@signed_in
def cohort(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    return render_template(
        "rotation/cohort.html", cohort=cohort, today=today(),
        openings=db.session.scalars(queries.list_openings(cohort)).all(),
        application=queries.find_application(cohort, current_user),
    )


@bp.route("/rotation/cohorts/<int:cohort_id>/calendar.ics")
@signed_in
def cohort_calendar(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    return _ics(calendar.cohort_calendar(cohort, request.host), f"cohort-{cohort.id}.ics")


def _ics(body: bytes, filename: str) -> Response:
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- openings ---------------------------------------------------------------------------------

@bp.route("/rotation/cohorts/<int:cohort_id>/openings/new", methods=["GET", "POST"], defaults={"opening_id": None})
@bp.route("/rotation/cohorts/<int:cohort_id>/openings/<int:opening_id>/edit", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def opening_form(cohort_id: int, opening_id: int | None):
    cohort = db.get_or_404(Cohort, cohort_id)
    opening = db.get_or_404(Opening, opening_id) if opening_id else None
    if opening is not None and (opening.cohort_id != cohort.id or opening.host_manager_id != current_user.id):
        abort(404)
    form = OpeningForm(obj=opening)
    if request.method == "GET":
        form.mentor_email.data = opening.mentor.email if opening else current_user.email
    def save() -> Opening:
        mentor = find_user_by_email(form.mentor_email.data)
        data = _form_data(services.OpeningData, form, mentor_id=mentor.id if mentor else 0)
        return services.save_opening(current_user, cohort, opening, data)

    def done(saved):
        return url_for("rotation.opening", opening_id=saved.id)
    title = f"Edit {opening.title}" if opening else f"Post an opening in {cohort.name}"
    return _form_view(form, Opening, save, done, title, url_for("rotation.cohort", cohort_id=cohort.id))


@bp.route("/rotation/openings/<int:opening_id>")
@signed_in
def opening(opening_id: int):
    opening = db.get_or_404(Opening, opening_id)
    return render_template("rotation/opening.html", opening=opening, seats=queries.held_seats(opening))


def _reordered(ids: list[int], move: str) -> list[int]:
    """ids after moving one of them up or down ("<id>:up" or "<id>:down"); unchanged when malformed."""
    item, _, direction = move.partition(":")
    if not is_plain_digits(item) or int(item) not in ids or direction not in ("up", "down"):
        return ids
    at = ids.index(int(item))
    to = at - 1 if direction == "up" else at + 1
    if 0 <= to < len(ids):
        ids[at], ids[to] = ids[to], ids[at]
    return ids


def _posted_ids(name: str) -> list[int]:
    return parse_ids(request.form.getlist(name))[:200]


@bp.route("/rotation/openings/<int:opening_id>/ranking", methods=["GET", "POST"])
@signed_in
def ranking(opening_id: int):
    """The host mentor orders the approved applicants and unticks those they would not host (left unranked);
    up/down buttons work without JavaScript."""
    opening = db.get_or_404(Opening, opening_id)
    if not opening.is_hosted_by(current_user):
        abort(403)
    applicants = {a.id: a for a in queries.host_order(opening)}
    order = list(applicants)
    ranked = queries.ranked_ids(opening)
    accepted = ranked if opening.ranked_at or ranked else set(applicants)
    form = FlaskForm()
    if request.method == "POST" and form.validate():
        posted = _posted_ids("order")
        accepted = set(_posted_ids("chosen"))
        if "move" in request.form:
            order = _reordered([i for i in posted if i in applicants], request.form["move"])
        else:
            def rank():
                return services.rank_applicants(current_user, opening, [i for i in posted if i in accepted])
            if commit_or_flash(rank, "Your ranking is saved."):
                return _back("rotation.ranking", opening_id=opening.id)
    items = [(a.id, a.applicant.name, f"Applied {a.created_at:%d %b %Y %H:%M} UTC", a.id in accepted)
             for a in (applicants[i] for i in order)]
    return render_template("rotation/ranking.html", opening=opening, form=form, items=items)


# --- applications -------------------------------------------------------------------------------

@bp.route("/rotation/cohorts/<int:cohort_id>/apply", methods=["GET", "POST"])
@signed_in
def apply(cohort_id: int):
    """Tick up to five openings and order them (up/down buttons without JavaScript, drag with it)."""
    cohort = db.get_or_404(Cohort, cohort_id)
    def submit(ranked, form):
        return _ask_for_approval(services.submit_application(
            current_user, cohort, ranked, form.statement.data.strip(), form.learning_goals.data.strip(), today()))
    return _application_form(cohort, None, submit, _refusal(cohort))


@bp.route("/rotation/applications/<int:application_id>/edit", methods=["GET", "POST"])
@signed_in
def application_edit(application_id: int):
    """The applicant changes their openings, order, statement or goals until the decision or the window's end."""
    application = db.get_or_404(Application, application_id)
    if application.applicant_id != current_user.id:
        abort(403)
    def edit(ranked, form):
        return services.edit_application(
            current_user, application, ranked, form.statement.data.strip(), form.learning_goals.data.strip(), today())
    editable = application.status == ApplicationStatus.SUBMITTED.value and application.cohort.window_is_open(today())
    refusal = None if editable else "Your application can no longer change: it was decided or the window closed."
    return _application_form(application.cohort, application, edit, refusal)


def _application_form(cohort: Cohort, application: Application | None, write, refusal: str | None):
    """The apply page, for a new application or to change one (application given)."""
    openings = {o.id: o for o in db.session.scalars(queries.list_openings(cohort))
                if o.function_id != current_user.function_id}
    form = ApplicationForm(obj=application)
    chosen_before = [c.opening_id for c in application.choices] if application else []
    order = chosen_before + [i for i in openings if i not in chosen_before]
    chosen = set(chosen_before)
    if request.method == "POST" and refusal is None:
        order = [i for i in _posted_ids("order") if i in openings]
        order += [i for i in openings if i not in order]
        chosen = set(_posted_ids("chosen"))
        if "move" in request.form:
            order = _reordered(order, request.form["move"])
        elif form.validate_on_submit():
            ranked = [i for i in order if i in chosen]
            if commit_or_show(form, lambda: write(ranked, form)) is not None:
                flash("Your application is changed." if application else
                      "Your application is submitted; your manager will decide on it.", "success")
                return _back("rotation.cohort", cohort_id=cohort.id)
    items = [(i, openings[i].title, _opening_summary(openings[i]), i in chosen) for i in order]
    status = 400 if request.method == "POST" and (refusal or form.errors or form.form_errors) else 200
    action = (url_for("rotation.application_edit", application_id=application.id) if application
              else url_for("rotation.apply", cohort_id=cohort.id))
    return render_template("rotation/apply.html", cohort=cohort, form=form, items=items, refusal=refusal,
                           choice_error=" ".join(form.openings.errors), max_choices=MAX_CHOICES,
                           action=action, editing=application is not None), status


def _ask_for_approval(application: Application) -> Application:
    """Tell the home manager that an application waits for their decision."""
    if application.home_manager is not None:
        notify(application.home_manager, "approval",
               f"{application.applicant.name} applied to {application.cohort.name}; your decision is needed.",
               url_for("rotation.application", application_id=application.id))
    return application


def _announce_offer(placement: Placement) -> None:
    """Tell a matched applicant about the offer and its answer-by date."""
    notify(
        placement.application.applicant,
        "offer",
        f"You have a rotation offer: {placement.opening.title}. Please answer by {placement.respond_by.isoformat()}.",
        url_for("rotation.placement", placement_id=placement.id),
    )


def _opening_summary(opening: Opening) -> str:
    seats = "1 seat" if opening.capacity == 1 else f"{opening.capacity} seats"
    return f"{opening.function.name} · {seats} · host mentor {opening.mentor.name}"


def _refusal(cohort: Cohort) -> str | None:
    """Why the signed-in person may not apply to cohort today (None: they may)."""
    try:
        services.ensure_eligible(current_user, cohort, today())
    except RotationError as error:
        return str(error)
    return None


def _application_viewer(application: Application) -> bool:
    chosen_hosts = any(c.opening.is_hosted_by(current_user) for c in application.choices)
    return (current_user.id in (application.applicant_id, application.home_manager_id)
            or current_user.has_role(Role.HR) or chosen_hosts)


@bp.route("/rotation/applications/<int:application_id>", methods=["GET", "POST"])
@signed_in
def application(application_id: int):
    """The application; its home manager approves or declines it here."""
    application = db.get_or_404(Application, application_id)
    if not _application_viewer(application):
        abort(403)
    form = DecisionForm()
    if request.method == "POST":
        if application.home_manager_id != current_user.id:
            abort(403)
        if form.validate_on_submit():
            approve = form.decision.data == "approve"
            def decide():
                return services.decide_application(current_user, application, approve, form.comment.data or "", today())
            if commit_or_show(form, decide) is not None:
                flash(f"The application of {application.applicant.name} is {application.status}.", "success")
                return _back("rotation.approvals")
    else:  # a decision started elsewhere (the home tile) arrives here to be confirmed
        form.decision.data = request.args.get("decision", form.decision.data)
        form.comment.data = request.args.get("comment", "")[:2000]
    deciding = (application.home_manager_id == current_user.id
                and application.status == ApplicationStatus.SUBMITTED.value)
    return _page("rotation/application.html", form, application=application,
                 placement=queries.placement_for(application), action_form=FlaskForm(), today=today(),
                 release=queries.release_cap(application, today()) if deciding else None,
                 confirming=request.args.get("decision") in ("approve", "decline"))


@bp.route("/rotation/applications/<int:application_id>/withdraw", methods=["POST"])
@signed_in
def application_withdraw(application_id: int):
    application = db.get_or_404(Application, application_id)
    if application.applicant_id != current_user.id:
        abort(403)
    if FlaskForm().validate_on_submit():
        commit_or_flash(lambda: services.withdraw_application(current_user, application),
                        "Your application is withdrawn.")
    return _back("rotation.application", application_id=application.id)


@bp.route("/rotation/approvals")
@roles_required(Role.MANAGER)
def approvals():
    waiting = db.session.scalars(queries.list_waiting_approvals(current_user)).all()
    return render_template("rotation/approvals.html", waiting=waiting)


# --- matching (HR) ---------------------------------------------------------------------------------

def _match_filters() -> dict:
    """The draft page's filters from the query string; unknown values fall back to showing everyone."""
    show = request.args.get("show", "all")
    after = request.args.get("after", "")
    return {"q": request.args.get("q", "").strip()[:TITLE_MAX], "show": show if show in queries.DRAFT_VIEWS else "all",
            "after": int(after) if after.isdigit() and len(after) < 12 else None}


@bp.route("/rotation/cohorts/<int:cohort_id>/match")
@roles_required(Role.HR)
def match(cohort_id: int):
    """The draft, a page at a time (filter by name or kind), with explanations, warnings and the offers so far."""
    cohort = db.get_or_404(Cohort, cohort_id)
    filters = _match_filters()
    draft = queries.draft_assignment(cohort)
    instance = queries.match_instance(cohort)
    assigned = {a: o for a, o in draft.items() if o is not None}
    rows, next_after = queries.draft_page(cohort, filters["q"], filters["show"], filters["after"],
                                          services.get_policy().match_page_size)
    blocking = blocking_pairs(instance, assigned) if draft else []
    titles = queries.opening_titles(cohort)
    on_page = [r.application_id for r in rows]
    context = {
        "cohort": cohort, "form": FlaskForm(), "draft": draft, "rows": rows, "filters": filters,
        "next_after": next_after, "titles": titles, "choices": queries.choices_of(on_page),
        "explanations": queries.match_explanations(instance, assigned, titles, on_page) if draft else {},
        "blocking": blocking[:BLOCKING_SHOWN], "blocking_count": len(blocking),
        "names": queries.applicant_names({a for a, _ in blocking[:BLOCKING_SHOWN]}),
        "overfull": over_capacity(instance, assigned) if draft else {},
        "unranked": sorted(queries.unranked_counts(cohort, instance).items(), key=lambda item: titles[item[0]]),
        "waiting": len(instance.applicant_prefs), "placements": queries.cohort_placements(cohort), "today": today(),
        "closed": cohort.applications_closed(today()),
    }
    return render_page_or_fragment("rotation/match.html", "rotation/_match.html", **context)


BLOCKING_SHOWN = 20


@bp.route("/rotation/cohorts/<int:cohort_id>/match/applications/<int:application_id>/move")
@roles_required(Role.HR)
def match_move(cohort_id: int, application_id: int):
    """The searchable picker for moving one applicant of the draft: their choices first, then any opening."""
    cohort = db.get_or_404(Cohort, cohort_id)
    application = db.get_or_404(Application, application_id)
    draft = queries.draft_assignment(cohort)
    if application_id not in draft:
        abort(404)
    query = request.args.get("q", "").strip()[:TITLE_MAX]
    instance = queries.match_instance(cohort)
    taken = Counter(o for o in draft.values() if o is not None)
    chosen = [c.opening for c in application.choices]
    found = [o for o in queries.search_openings(cohort, query, application.applicant.function_id)
             if o not in chosen] if query else []
    accepted = {o.id for o in chosen + found if application_id in instance.host_prefs.get(o.id, ())}
    return render_template(
        "rotation/match_move.html", cohort=cohort, application=application, current=draft[application_id],
        chosen=chosen, found=found, query=query, accepted=accepted, form=FlaskForm(),
        free={o.id: instance.capacities.get(o.id, 0) - taken[o.id] for o in chosen + found})


@bp.route("/rotation/cohorts/<int:cohort_id>/match/run", methods=["POST"])
@roles_required(Role.HR)
def match_run(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    if FlaskForm().validate_on_submit():
        commit_or_flash(lambda: services.run_match(current_user, cohort, today()),
                        "The match ran; review it, adjust if needed, then publish.")
    return _back("rotation.match", cohort_id=cohort.id)


@bp.route("/rotation/cohorts/<int:cohort_id>/match/close", methods=["POST"])
@roles_required(Role.HR)
def match_close(cohort_id: int):
    """HR closes applications early (with a confirmation), so the match may run."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if FlaskForm().validate_on_submit():
        commit_or_flash(lambda: services.close_applications(current_user, cohort, today(), _ticked("confirm")),
                        "Applications are closed; you may run the match.")
    return _back("rotation.match", cohort_id=cohort.id)


def _ticked(name: str) -> bool:
    return request.form.get(name) in ("y", "yes", "on", "1")


@bp.route("/rotation/cohorts/<int:cohort_id>/match/adjust", methods=["POST"])
@roles_required(Role.HR)
def match_adjust(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    application_id = _bounded_int(request.form.get("application_id", ""))
    opening_id = _bounded_int(request.form.get("opening_id", ""))
    if application_id is None or not FlaskForm().validate_on_submit():
        abort(400)
    reason = request.form.get("reason", "")[:TEXT_MAX]
    moved = commit_or_flash(lambda: services.adjust_match(current_user, cohort, application_id, opening_id, reason),
                            "The draft is adjusted.")
    if moved is None:
        return _back("rotation.match_move", cohort_id=cohort.id, application_id=application_id)
    return redirect(url_for("rotation.match", cohort_id=cohort.id), code=303)


def _bounded_int(value: str) -> int | None:
    """A positive id that fits the database's integers, else None."""
    return int(value) if value.isdigit() and len(value) < 12 else None


@bp.route("/rotation/cohorts/<int:cohort_id>/match/publish", methods=["POST"])
@roles_required(Role.HR)
def match_publish(cohort_id: int):
    """Publish, once confirmed (and, for an unstable draft, confirmed again): the boxes work without JavaScript."""
    cohort = db.get_or_404(Cohort, cohort_id)

    def publish() -> list[Placement]:
        placements = services.publish_match(current_user, cohort, today(), confirmed=_ticked("confirm"),
                                            unstable_confirmed=_ticked("unstable_confirmed"))
        for placement in placements:
            _announce_offer(placement)
        return placements

    placements = commit_or_flash(publish) if FlaskForm().validate_on_submit() else None
    if placements is not None:
        flash(f"The match is published: {len(placements)} offers sent.", "success")
    return _back("rotation.match", cohort_id=cohort.id)


# --- placements -------------------------------------------------------------------------------------

def _placement_for_viewer(placement_id: int) -> tuple[Placement, str | None]:
    placement = db.get_or_404(Placement, placement_id)
    role = services.author_role(current_user, placement)
    if role is None and not current_user.has_role(Role.HR):
        abort(403)
    return placement, role


SIGN_OFF_FORMS = {"rotator": ReflectionForm, "host": HostFeedbackForm, "home": FlaskForm}


def _placement_page(placement: Placement, role: str | None, **forms):
    done = {c.author for c in placement.check_ins}
    context = {
        "placement": placement, "role": role, "today": today(),
        "check_in_form": forms.get("check_in_form") or (CheckInForm() if role in ("rotator", "host") else None),
        "sign_off_form": forms.get("sign_off_form") or (SIGN_OFF_FORMS[role]() if role else None),
        "checked_in": role in done, "action_form": FlaskForm(),
        "sign_off_opens_on": services.sign_off_opens_on(placement),
    }
    failed = any(f is not None and f.errors for f in forms.values())
    return render_template("rotation/placement.html", **context), 400 if failed else 200


@bp.route("/rotation/placements/<int:placement_id>")
@signed_in
def placement(placement_id: int):
    return _placement_page(*_placement_for_viewer(placement_id))


@bp.route("/rotation/placements/<int:placement_id>/respond", methods=["POST"])
@signed_in
def respond(placement_id: int):
    placement, _ = _placement_for_viewer(placement_id)
    answer = request.form.get("answer")
    if answer not in ("accept", "decline") or not FlaskForm().validate_on_submit():
        abort(400)
    commit_or_flash(lambda: services.respond_to_offer(current_user, placement, answer == "accept", today()),
                    "You accepted the rotation. Welcome aboard!" if answer == "accept" else "You declined the offer.")
    return _back("rotation.placement", placement_id=placement.id)


@bp.route("/rotation/placements/<int:placement_id>/withdraw", methods=["POST"])
@signed_in
def withdraw(placement_id: int):
    placement, role = _placement_for_viewer(placement_id)
    if role != "rotator" and not current_user.has_role(Role.HR):
        abort(403)
    if FlaskForm().validate_on_submit():
        commit_or_flash(lambda: services.withdraw_placement(current_user, placement),
                        "The placement is withdrawn; its seat is free for the next run.")
    return _back("rotation.placement", placement_id=placement.id)


@bp.route("/rotation/placements/<int:placement_id>/check-in", methods=["POST"])
@signed_in
def check_in(placement_id: int):
    placement, role = _placement_for_viewer(placement_id)
    form = CheckInForm()
    if form.validate_on_submit():
        def record():
            return services.record_check_in(
                current_user, placement, form.progress.data.strip(), form.surprise.data.strip(), today())
        if commit_or_show(form, record) is not None:
            flash("Your mid-point check-in is saved.", "success")
            return _back("rotation.placement", placement_id=placement.id)
    return _placement_page(placement, role, check_in_form=form)


@bp.route("/rotation/placements/<int:placement_id>/sign-off", methods=["POST"])
@signed_in
def sign_off(placement_id: int):
    placement, role = _placement_for_viewer(placement_id)
    if role is None:
        abort(403)
    form = SIGN_OFF_FORMS[role]()
    if form.validate_on_submit():
        text = form.text.data.strip() if hasattr(form, "text") else ""
        rating = getattr(form, "rating", None)
        def sign():
            return services.sign_off(current_user, placement, today(), text, rating.data if rating else None)
        completed = commit_or_show(form, sign)
        if completed is not None:
            flash("The rotation is complete. Congratulations!" if completed else "Your sign-off is saved.",
                  "success")
            return _back("rotation.placement", placement_id=placement.id)
    return _placement_page(placement, role, sign_off_form=form)


@bp.route("/rotation/placements/<int:placement_id>/calendar.ics")
@signed_in
def placement_calendar(placement_id: int):
    placement, _ = _placement_for_viewer(placement_id)
    return _ics(calendar.placement_calendar(placement, request.host), f"rotation-{placement.id}.ics")


# --- program health (HR) ---------------------------------------------------------------------------

@bp.route("/rotation/programs/<int:program_id>/health")
@roles_required(Role.HR, Role.LEADER)
def health(program_id: int):
    program = db.get_or_404(Program, program_id)
    return render_template("rotation/health.html", program=program, health=queries.program_health(program))


# --- settings (admin) ------------------------------------------------------------------------------

@bp.route("/rotation/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings():
    form = RotationPolicyForm(obj=services.get_policy())
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.POLICY_FIELDS}
        if commit_or_show(form, lambda: services.save_policy(current_user, values)) is not None:
            flash("Rotation settings saved.", "success")
            return redirect(url_for("rotation.settings"), code=303)
    return _page("people/admin_form.html", form, title="Rotation settings", cancel=url_for("rotation.index"))

"""Routes of the rotation program: thin; parse, validate, one service call, commit, redirect or re-render."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Response, abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
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
)
from rotation.matching import blocking_pairs, explain_unmatched, over_capacity
from rotation.models import MAX_CHOICES, Application, Cohort, Opening, Placement, Program
from rotation.services import RotationError
from webapp import clock
from webapp.auth.access import public, roles_required, signed_in
from webapp.extensions import db
from webapp.input_guard import is_plain_digits, parse_ids
from webapp.notifications.services import notify
from webapp.people.models import Function
from webapp.people.queries import find_user_by_email
from webapp.rendering import redirect_back, render_page_or_fragment, show_rule_error
from webapp.roles import Role

STATIC = Path(__file__).parent / "static"
ALREADY_DONE = "That was already done (perhaps in another tab); nothing was changed. Reload the page."


def today() -> date:
    return clock.today()




def _attempt(action, form: FlaskForm | None = None) -> bool:
    """Run one service call: commit on success, roll back and report the rule on failure.

    A unique constraint that fires (a replayed or concurrent request) is reported like a rule.
    """
    try:
        action()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(ALREADY_DONE, "danger")
        return False
    except RotationError as error:
        db.session.rollback()
        if form is None:
            flash(str(error), "danger")
        else:
            show_rule_error(form, error)
        return False
    return True


def _form_data(cls, form: FlaskForm, **given):
    """A service dataclass from the form fields of the same names (text stripped), plus given values."""
    values = {name: getattr(form, name).data for name in cls.__dataclass_fields__ if name not in given}
    return cls(**{k: v.strip() if isinstance(v, str) else v for k, v in values.items()}, **given)


def _form_view(form: FlaskForm, save, done, title: str, cancel: str):
    """A create-or-edit page: on a valid post, save through the service and redirect to done(saved)."""
    if form.validate_on_submit():
        saved = []
        if _attempt(lambda: saved.append(save()), form):
            flash(f"{getattr(saved[0], 'title', None) or saved[0].name} is saved.", "success")
            return redirect(done(saved[0]), code=303)
    return _page("people/admin_form.html", form, title=title, cancel=cancel)


def _page(template: str, form: FlaskForm, **context):
    return render_template(template, form=form, **context), 400 if form.errors else 200


def _back(endpoint: str, **values):
    return redirect_back(url_for(endpoint, **values))


@bp.route("/rotation/static/<path:filename>")
@public
def asset(filename: str):
    return send_from_directory(STATIC, filename)


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
    functions = db.session.scalars(select(Function).where(Function.active.is_(True)).order_by(Function.name))
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
    save = lambda: services.save_program(current_user, program, _form_data(services.ProgramData, form))
    done = lambda saved: url_for("rotation.program", program_id=saved.id)
    title = f"Edit {program.name}" if program else "New rotation program"
    return _form_view(form, save, done, title, url_for("rotation.index"))


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
    save = lambda: services.save_cohort(current_user, program, cohort, _form_data(services.CohortData, form))
    done = lambda saved: url_for("rotation.cohort", cohort_id=saved.id)
    title = f"Edit {cohort.name}" if cohort else f"New cohort of {program.name}"
    return _form_view(form, save, done, title, url_for("rotation.program", program_id=program.id))


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

    done = lambda saved: url_for("rotation.opening", opening_id=saved.id)
    title = f"Edit {opening.title}" if opening else f"Post an opening in {cohort.name}"
    return _form_view(form, save, done, title, url_for("rotation.cohort", cohort_id=cohort.id))


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
    """The host mentor orders the approved applicants; up/down buttons work without JavaScript."""
    opening = db.get_or_404(Opening, opening_id)
    if not opening.is_hosted_by(current_user):
        abort(403)
    applicants = {a.id: a for a in queries.host_order(opening)}
    order = list(applicants)
    form = FlaskForm()
    if request.method == "POST" and form.validate():
        posted = [i for i in _posted_ids("order") if i in applicants]
        if "move" in request.form:
            order = _reordered(posted, request.form["move"])
        elif _attempt(lambda: services.rank_applicants(current_user, opening, posted)):
            flash("Your ranking is saved.", "success")
            return _back("rotation.ranking", opening_id=opening.id)
    items = [(a.id, a.applicant.name, f"Applied {a.created_at:%d %b %Y %H:%M} UTC", None)
             for a in (applicants[i] for i in order)]
    return render_template("rotation/ranking.html", opening=opening, form=form, items=items)


# --- applications -------------------------------------------------------------------------------

@bp.route("/rotation/cohorts/<int:cohort_id>/apply", methods=["GET", "POST"])
@signed_in
def apply(cohort_id: int):
    """Tick up to five openings and order them (up/down buttons without JavaScript, drag with it)."""
    cohort = db.get_or_404(Cohort, cohort_id)
    openings = {o.id: o for o in db.session.scalars(queries.list_openings(cohort))
                if o.function_id != current_user.function_id}
    form = ApplicationForm()
    order, chosen, choice_error = list(openings), set(), None
    refusal = _refusal(cohort)
    if request.method == "POST" and refusal is None:
        order = [i for i in _posted_ids("order") if i in openings]
        order += [i for i in openings if i not in order]
        chosen = set(_posted_ids("chosen"))
        if "move" in request.form:
            order = _reordered(order, request.form["move"])
        elif form.validate_on_submit():
            ranked = [i for i in order if i in chosen]
            try:
                application = services.submit_application(current_user, cohort, ranked, form.statement.data.strip(),
                                                          form.learning_goals.data.strip(), today())
                _ask_for_approval(application)
                db.session.commit()
            except (RotationError, IntegrityError) as error:
                db.session.rollback()
                choice_error = str(error) if isinstance(error, RotationError) else ALREADY_DONE
            else:
                flash("Your application is submitted; your manager will decide on it.", "success")
                return _back("rotation.cohort", cohort_id=cohort.id)
    items = [(i, openings[i].title, _opening_summary(openings[i]), i in chosen) for i in order]
    status = 400 if request.method == "POST" and (refusal or choice_error or form.errors) else 200
    return render_template("rotation/apply.html", cohort=cohort, form=form, items=items, refusal=refusal,
                           choice_error=choice_error, max_choices=MAX_CHOICES), status


def _ask_for_approval(application: Application) -> None:
    """Tell the home manager that an application waits for their decision."""
    if application.home_manager is not None:
        notify(application.home_manager, "approval",
               f"{application.applicant.name} applied to {application.cohort.name}; your decision is needed.",
               url_for("rotation.application", application_id=application.id))


def _announce_offer(placement: Placement) -> None:
    """Tell a matched applicant about the offer and its answer-by date."""
    notify(placement.application.applicant, "offer",
           f"You have a rotation offer: {placement.opening.title}. Please answer by {placement.respond_by.isoformat()}.",
           url_for("rotation.placement", placement_id=placement.id))


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
            decide = lambda: services.decide_application(
                current_user, application, approve, form.comment.data or "", today())
            if _attempt(decide, form):
                flash(f"The application of {application.applicant.name} is {application.status}.", "success")
                return _back("rotation.approvals")
    else:  # a decision started elsewhere (the home tile) arrives here to be confirmed
        form.decision.data = request.args.get("decision", form.decision.data)
        form.comment.data = request.args.get("comment", "")[:2000]
    deciding = application.home_manager_id == current_user.id and application.status == "submitted"
    return _page("rotation/application.html", form, application=application,
                 placement=queries.placement_for(application),
                 release=queries.release_cap(application, today()) if deciding else None,
                 confirming=request.args.get("decision") in ("approve", "decline"))


@bp.route("/rotation/approvals")
@roles_required(Role.MANAGER)
def approvals():
    waiting = db.session.scalars(queries.list_waiting_approvals(current_user)).all()
    return render_template("rotation/approvals.html", waiting=waiting)


# --- matching (HR) ---------------------------------------------------------------------------------

@bp.route("/rotation/cohorts/<int:cohort_id>/match")
@roles_required(Role.HR)
def match(cohort_id: int):
    """The draft with explanations for the unmatched and warnings for blocking pairs, and the offers so far."""
    cohort = db.get_or_404(Cohort, cohort_id)
    draft = queries.draft_assignment(cohort)
    instance = queries.match_instance(cohort)
    assigned = {a: o for a, o in draft.items() if o is not None}
    context = {
        "cohort": cohort, "form": FlaskForm(), "draft": draft,
        "applications": queries.applications_by_id(set(draft) | set(instance.applicant_prefs)),
        "openings": {o.id: o for o in cohort.openings},
        "explanations": _explanations(instance, assigned, cohort) if draft else [],
        "blocking": blocking_pairs(instance, assigned) if draft else [],
        "overfull": over_capacity(instance, assigned) if draft else {},
        "waiting": len(instance.applicant_prefs), "placements": queries.cohort_placements(cohort), "today": today(),
    }
    return render_page_or_fragment("rotation/match.html", "rotation/_match.html", **context)


def _explanations(instance, assigned: dict[int, int], cohort: Cohort) -> list[tuple[str, list[str]]]:
    """Each unmatched applicant's name and, per preferred opening, why it did not take them."""
    explanations = explain_unmatched(instance, assigned)
    people = queries.applications_by_id(set(explanations) | set(assigned))
    titles = {o.id: o.title for o in cohort.openings}
    sentences = []
    for application_id, reasons in sorted(explanations.items(), key=lambda item: people[item[0]].applicant.name):
        parts = []
        for reason in reasons:
            if reason.not_ranked:
                parts.append(f"{titles[reason.opening]}: the host did not rank them")
            elif reason.ranked_higher:
                ahead = ", ".join(people[a].applicant.name for a in reason.ranked_higher)
                parts.append(f"{titles[reason.opening]} was full with {ahead}, whom the host ranked higher")
            else:
                parts.append(f"{titles[reason.opening]} had no seat left")
        sentences.append((people[application_id].applicant.name, parts))
    return sentences


@bp.route("/rotation/cohorts/<int:cohort_id>/match/run", methods=["POST"])
@roles_required(Role.HR)
def match_run(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    if _attempt(lambda: services.run_match(current_user, cohort, today())):
        flash("The match ran; review it, adjust if needed, then publish.", "success")
    return _back("rotation.match", cohort_id=cohort.id)


@bp.route("/rotation/cohorts/<int:cohort_id>/match/adjust", methods=["POST"])
@roles_required(Role.HR)
def match_adjust(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    application_id = request.form.get("application_id", type=int)
    opening_id = request.form.get("opening_id", type=int)
    if application_id is None:
        abort(400)
    if _attempt(lambda: services.adjust_match(current_user, cohort, application_id, opening_id)):
        flash("The draft is adjusted.", "success")
    return _back("rotation.match", cohort_id=cohort.id)


@bp.route("/rotation/cohorts/<int:cohort_id>/match/publish", methods=["POST"])
@roles_required(Role.HR)
def match_publish(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    placements = []
    def publish():
        placements.extend(services.publish_match(current_user, cohort, today()))
        for placement in placements:
            _announce_offer(placement)

    if _attempt(publish):
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
    if _attempt(lambda: services.respond_to_offer(current_user, placement, answer == "accept", today())):
        flash("You accepted the rotation. Welcome aboard!" if answer == "accept" else "You declined the offer.",
              "success")
    return _back("rotation.placement", placement_id=placement.id)


@bp.route("/rotation/placements/<int:placement_id>/withdraw", methods=["POST"])
@signed_in
def withdraw(placement_id: int):
    placement, role = _placement_for_viewer(placement_id)
    if role != "rotator" and not current_user.has_role(Role.HR):
        abort(403)
    if FlaskForm().validate_on_submit() and _attempt(lambda: services.withdraw_placement(current_user, placement)):
        flash("The placement is withdrawn; its seat is free for the next run.", "success")
    return _back("rotation.placement", placement_id=placement.id)


@bp.route("/rotation/placements/<int:placement_id>/check-in", methods=["POST"])
@signed_in
def check_in(placement_id: int):
    placement, role = _placement_for_viewer(placement_id)
    form = CheckInForm()
    if form.validate_on_submit():
        record = lambda: services.record_check_in(
            current_user, placement, form.progress.data.strip(), form.surprise.data.strip(), today())
        if _attempt(record, form):
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
        completed = []
        sign = lambda: completed.append(services.sign_off(
            current_user, placement, today(), text, rating.data if rating else None))
        if _attempt(sign, form):
            flash("The rotation is complete. Congratulations!" if completed[0] else "Your sign-off is saved.",
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

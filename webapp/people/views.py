"""Routes: the directory, profiles, admin of people, functions and teams, and the CSV import."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from webapp.auth.access import roles_required, signed_in
from webapp.cache import DATA, remember
from webapp.extensions import db
from webapp.main.tiles import tiles_for
from webapp.paging import page_of_objects
from webapp.people import bp
from webapp.people.forms import FunctionForm, ImportForm, PersonForm, TeamForm
from webapp.people.models import Function, PendingImport, Team, User
from webapp.people.queries import find_user_by_email, list_direct_reports, list_functions, list_teams, search_people
from webapp.people.services import (
    ImportRejected,
    PersonData,
    apply_pending_import,
    plan_for,
    save_function,
    save_person,
    save_team,
    set_active,
    stage_people_import,
)
from webapp.rendering import commit_or_flash, commit_or_show, form_status, wants_fragment
from webapp.roles import Role
from webapp.uploads import decode_upload, rejected_rows_download

QUERY_MAX = 100
ADMIN_KINDS: dict[str, type[User | Function | Team]] = {"people": User, "functions": Function, "teams": Team}
IMPORT_TEMPLATE = (
    "email,name,function,team,manager_email,roles,hired_on,job_title\n"
    "ada@example.com,Ada Lovelace,Finance,FP&A,,manager,2019-04-01,Head of FP&A\n"
    "grace@example.com,Grace Hopper,Operations,Logistics,ada@example.com,,2021-09-15,Analyst\n"
)


# --- directory and profile --------------------------------------------------------------

@bp.route("/people")
@signed_in
def directory():
    text = request.args.get("q", "")[:QUERY_MAX]
    after = request.args.get("after", type=int)
    include_inactive = current_user.has_role(Role.ADMIN) and request.args.get("inactive") == "1"
    more = after is not None and wants_fragment()
    results = _directory_results("people/_directory_rows.html" if more else "people/_directory_results.html",
                                 text, after, include_inactive)
    if more or wants_fragment():
        return results
    return render_template("people/directory.html", q=text, inactive=include_inactive, results=results)


def _directory_results(template: str, text: str, after: int | None, include_inactive: bool) -> Markup:
    """The matching people's markup (nothing of the viewer but the inactive choice). The listing without a search
    is cached until a write; a search (one per keystroke) runs its query."""
    def render() -> str:
        page = page_of_objects(search_people(text, after, include_inactive), current_app.config["DIRECTORY_PAGE_SIZE"])
        return render_template(template, people=page.items, has_more=page.has_more, q=text, inactive=include_inactive)

    if text:
        return Markup(render())
    return Markup(remember([DATA], f"directory:{template}:{after}:{int(include_inactive)}", render))


@bp.route("/people/<int:user_id>")
@signed_in
def profile(user_id: int):
    person = db.get_or_404(User, user_id)
    reports = db.session.scalars(list_direct_reports(person)).all()
    sections = tiles_for("profile", current_user, person)
    return render_template("people/profile.html", person=person, reports=reports, sections=sections)


# --- admin: people, functions, teams ---------------------------------------------------



def _form_page(form, title: str, cancel: str):
    return render_template("people/admin_form.html", form=form, title=title, cancel=cancel), form_status(form)


def _function_choices() -> list[SelectChoice]:
    return [SelectChoice(f.id, f.name) for f in db.session.scalars(list_functions(active_only=True))]


def _team_choices() -> list[SelectChoice]:
    teams = db.session.scalars(list_teams(active_only=True))
    return [SelectChoice("", "No team")] + [SelectChoice(t.id, t.name, optgroup=t.function.name) for t in teams]


def _manager_id(form) -> int | None:
    """Resolve the manager's email field; records an error on the field when unknown."""
    email = (form.manager_email.data or "").strip()
    if not email:
        return None
    manager = find_user_by_email(email)
    if manager is None:
        form.manager_email.errors = [*form.manager_email.errors, "No person has this email."]
        return None
    return manager.id


@bp.route("/admin/people/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/admin/people/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def person_form(user_id: int | None):
    person = db.get_or_404(User, user_id) if user_id else None
    form = PersonForm(obj=person)
    form.function_id.choices = _function_choices()
    form.team_id.choices = _team_choices()
    if request.method == "GET" and person is not None:
        form.roles.data = [r.value for r in person.roles if r != Role.EMPLOYEE]
        form.manager_email.data = person.manager.email if person.manager else ""
    if form.validate_on_submit():
        manager_id = _manager_id(form)
        if not form.manager_email.errors:
            data = PersonData(
                email=form.email.data, name=form.name.data.strip(), job_title=(form.job_title.data or "").strip(),
                function_id=form.function_id.data, team_id=form.team_id.data, manager_id=manager_id,
                hired_on=form.hired_on.data, roles={Role(r) for r in form.roles.data},
                password=form.password.data or None,
            )
            saved = commit_or_show(form, lambda: save_person(current_user, person, data))
            if saved is not None:
                flash(f"{saved.name} is saved.", "success")
                return redirect(url_for("people.profile", user_id=saved.id))
    title = f"Edit {person.name}" if person else "Add a person"
    return _form_page(form, title, url_for("people.directory"))


@bp.route("/admin/functions")
@roles_required(Role.ADMIN)
def functions():
    return render_template("people/functions.html", functions=db.session.scalars(list_functions()).all())


@bp.route("/admin/functions/new", methods=["GET", "POST"], defaults={"function_id": None})
@bp.route("/admin/functions/<int:function_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def function_form(function_id: int | None):
    function = db.get_or_404(Function, function_id) if function_id else None
    form = FunctionForm(obj=function)
    if form.validate_on_submit():
        name, code = form.name.data.strip(), form.code.data.strip()
        if commit_or_show(form, lambda: save_function(current_user, function, name, code, form.colour.data)):
            flash(f"Function {name} is saved.", "success")
            return redirect(url_for("people.functions"))
    return _form_page(form, f"Edit {function.name}" if function else "Add a function", url_for("people.functions"))


@bp.route("/admin/teams")
@roles_required(Role.ADMIN)
def teams():
    return render_template("people/teams.html", teams=db.session.scalars(list_teams()).all())


@bp.route("/admin/teams/new", methods=["GET", "POST"], defaults={"team_id": None})
@bp.route("/admin/teams/<int:team_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def team_form(team_id: int | None):
    team = db.get_or_404(Team, team_id) if team_id else None
    form = TeamForm(obj=team)
    form.function_id.choices = _function_choices()
    if request.method == "GET" and team is not None and team.manager:
        form.manager_email.data = team.manager.email
    if form.validate_on_submit():
        manager_id = _manager_id(form)
        name = form.name.data.strip()
        if not form.manager_email.errors and commit_or_show(
            form, lambda: save_team(current_user, team, name, form.function_id.data, manager_id)
        ) is not None:
            flash(f"Team {name} is saved.", "success")
            return redirect(url_for("people.teams"))
    return _form_page(form, f"Edit {team.name}" if team else "Add a team", url_for("people.teams"))


@bp.route("/admin/<kind>/<int:object_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def set_activity(kind: str, object_id: int):
    """Deactivate (active=0) or reactivate (active=1) a person, function or team.

    Deactivating asks first: without confirmed=1 the answer is a confirmation page and nothing changes.
    """
    model = ADMIN_KINDS.get(kind) or abort(404)
    obj = db.get_or_404(model, object_id)
    wanted = request.form.get("active")
    if wanted not in ("0", "1"):
        abort(400)
    back = url_for("people.profile", user_id=obj.id) if kind == "people" else url_for(f"people.{kind}")
    if wanted == "0" and obj.active and request.form.get("confirmed") != "1":
        return render_template("people/confirm_deactivate.html", kind=kind, item=obj, back=back)
    commit_or_flash(lambda: set_active(current_user, obj, wanted == "1"),
                    f"{obj.name} is {'active again' if wanted == '1' else 'deactivated'}.")
    return redirect(back, code=303)


# --- CSV import -------------------------------------------------------------------------

@bp.route("/people/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.HR)
def import_upload():
    form = ImportForm()
    if form.validate_on_submit():
        content = decode_upload(form)
        if content is not None:
            pending, _ = stage_people_import(current_user, form.file.data.filename or "upload.csv", content)
            db.session.commit()
            return redirect(url_for("people.import_preview", token=pending.token), code=303)
    return render_template("people/import.html", form=form), form_status(form)


def _own_pending(token: str, lock: bool = False) -> PendingImport:
    query = select(PendingImport).where(PendingImport.token == token[:64])
    pending = db.session.scalar(query.with_for_update() if lock else query)
    if pending is None or pending.uploaded_by_id != current_user.id:
        abort(404)
    return pending


@bp.route("/people/import/<token>")
@roles_required(Role.ADMIN, Role.HR)
def import_preview(token: str):
    pending = _own_pending(token)
    plan = plan_for(current_user, pending.content)
    return render_template("people/import_preview.html", pending=pending, plan=plan)


@bp.route("/people/import/<token>/rejected.csv")
@roles_required(Role.ADMIN, Role.HR)
def import_rejected(token: str):
    """The rows of the upload that have errors, with the reasons in a column, to fix and upload again."""
    pending = _own_pending(token)
    return rejected_rows_download(plan_for(current_user, pending.content), pending.filename)


@bp.route("/people/import/<token>/confirm", methods=["POST"])
@roles_required(Role.ADMIN, Role.HR)
def import_confirm(token: str):
    pending = _own_pending(token, lock=True)
    try:
        created, updated = apply_pending_import(current_user, pending)
    except ImportRejected as error:
        db.session.rollback()
        flash(f"{error} Nothing was changed.", "danger")
        return redirect(url_for("people.import_preview", token=token), code=303)
    db.session.commit()
    flash(f"Imported {pending.filename}: {created} people added, {updated} updated.", "success")
    if created:  # the newcomers have no password yet: next, invite them
        return redirect(url_for("auth.invitations"), code=303)
    return redirect(url_for("people.directory"), code=303)


@bp.route("/people/import/template.csv")
@roles_required(Role.ADMIN, Role.HR)
def import_template():
    return Response(
        IMPORT_TEMPLATE,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=people-template.csv"},
    )

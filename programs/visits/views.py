"""Routes: accounts (and their import), visits, notes, confirmation, follow-ups, coverage, learnings, exports."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from programs.visits import bp, queries, rules, services
from programs.visits.exports import CalendarEntry, rows_to_csv, visits_calendar
from programs.visits.forms import (
    FOLLOW_UP_LABELS,
    MODE_LABELS,
    AccountForm,
    AccountImportForm,
    FollowUpForm,
    FollowUpUpdateForm,
    NoteForm,
    OutcomeForm,
    VisitForm,
    VisitPolicyForm,
)
from programs.visits.models import Account, FollowUp, PendingAccountImport, Visit, VisitStatus
from webapp import clock
from webapp.auth.access import roles_required, signed_in
from webapp.cache import DATA, remember
from webapp.extensions import db
from webapp.forms import key_used
from webapp.input_guard import parse_ids
from webapp.paging import page_of_objects
from webapp.people.queries import find_user_by_email
from webapp.rendering import commit_or_flash, commit_or_show, form_status, render_page_or_fragment, wants_fragment
from webapp.roles import Role
from webapp.uploads import decode_upload, rejected_rows_download

PAGE_SIZE = 25
COVERAGE_PAGE_SIZE = 50
QUERY_MAX = 100
ACCOUNT_EDITORS = (Role.ADMIN, Role.MANAGER, Role.HR)
EXPORTERS = (Role.ADMIN, Role.HR, Role.LEADER, Role.MANAGER)
IMPORT_TEMPLATE = "name,segment,region,owner_email\nNorthwind Traders,Enterprise,EMEA,ada@example.com\n"


def today() -> date:
    return clock.today()


def _csv_response(text: str, filename: str) -> Response:
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={filename}"})


# --- accounts -------------------------------------------------------------------------------

@bp.route("/accounts")
@signed_in
def accounts():
    text = request.args.get("q", "")[:QUERY_MAX]
    after = request.args.get("after", type=int)
    page = page_of_objects(queries.search_accounts(text, after), PAGE_SIZE)
    context = {"accounts": page.items, "has_more": page.has_more, "q": text}
    if after is not None and wants_fragment():
        return render_template("visits/_account_rows.html", **context)
    return render_page_or_fragment("visits/accounts.html", "visits/_account_results.html", **context)


@bp.route("/accounts/<int:account_id>")
@signed_in
def account(account_id: int):
    account = db.get_or_404(Account, account_id)
    days = _coverage_days()
    visits = db.session.scalars(queries.list_visits(current_user, False, "", account.id, None).limit(PAGE_SIZE)).all()
    return render_template(
        "visits/account.html", account=account, visits=visits, days=days,
        coverage=queries.account_function_coverage(account, today() - timedelta(days=days)),
        pairs=queries.suggested_pairs(account, today()),
    )


@bp.route("/accounts/new", methods=["GET", "POST"], defaults={"account_id": None})
@bp.route("/accounts/<int:account_id>/edit", methods=["GET", "POST"])
@roles_required(*ACCOUNT_EDITORS)
def account_form(account_id: int | None):
    account = db.get_or_404(Account, account_id) if account_id else None
    form = AccountForm(obj=account)
    if request.method == "GET" and account is not None and account.owner:
        form.owner_email.data = account.owner.email
    if form.validate_on_submit():
        owner = find_user_by_email(form.owner_email.data) if form.owner_email.data else None
        data = services.AccountData(form.name.data.strip(), (form.segment.data or "").strip(),
                                    (form.region.data or "").strip(), owner.id if owner else None)
        if form.owner_email.data and owner is None:
            form.owner_email.errors = [*form.owner_email.errors, "No person has this email."]
        else:
            saved = commit_or_show(form, lambda: services.save_account(current_user, account, data))
            if saved is not None:
                flash(f"Account {saved.name} is saved.", "success")
                return redirect(url_for("visits.account", account_id=saved.id), code=303)
    title = f"Edit {account.name}" if account else "Add an account"
    return render_template("people/admin_form.html", form=form, title=title,
                           cancel=url_for("visits.accounts")), form_status(form)


@bp.route("/accounts/import", methods=["GET", "POST"])
@roles_required(*ACCOUNT_EDITORS)
def import_upload():
    form = AccountImportForm()
    if form.validate_on_submit():
        content = decode_upload(form)
        staged = content is not None and commit_or_show(form, lambda: services.stage_accounts_import(
            current_user, form.file.data.filename or "accounts.csv", content))
        if staged:
            return redirect(url_for("visits.import_preview", token=staged[0].token), code=303)
    return render_template("visits/import.html", form=form), form_status(form)


def _own_pending(token: str, lock: bool = False) -> PendingAccountImport:
    query = select(PendingAccountImport).where(PendingAccountImport.token == token[:64])
    pending = db.session.scalar(query.with_for_update() if lock else query)
    if pending is None or pending.uploaded_by_id != current_user.id:
        abort(404)
    return pending


@bp.route("/accounts/import/<token>")
@roles_required(*ACCOUNT_EDITORS)
def import_preview(token: str):
    pending = _own_pending(token)
    plan = services.plan_accounts(pending.content)
    return render_template("visits/import_preview.html", pending=pending, plan=plan)


@bp.route("/accounts/import/<token>/rejected.csv")
@roles_required(*ACCOUNT_EDITORS)
def import_rejected(token: str):
    """The rows of the upload that have errors, with the reasons in a column, to fix and upload again."""
    pending = _own_pending(token)
    return rejected_rows_download(services.plan_accounts(pending.content), pending.filename)


@bp.route("/accounts/import/<token>/confirm", methods=["POST"])
@roles_required(*ACCOUNT_EDITORS)
def import_confirm(token: str):
    pending = _own_pending(token, lock=True)
    filename = pending.filename
    counts = commit_or_flash(lambda: services.apply_accounts_import(current_user, pending))
    if counts is None:
        return redirect(url_for("visits.import_preview", token=token), code=303)
    flash(f"Imported {filename}: {counts[0]} accounts added, {counts[1]} updated.", "success")
    return redirect(url_for("visits.accounts"), code=303)


@bp.route("/accounts/import/template.csv")
@roles_required(*ACCOUNT_EDITORS)
def import_template():
    return _csv_response(IMPORT_TEMPLATE, "accounts-template.csv")


# --- visits: list, plan, joint check ---------------------------------------------------------

def _parse_after(text: str | None) -> tuple[date, int] | None:
    """The keyset cursor "YYYY-MM-DD_id" of the visit list, or None."""
    day, _, visit_id = (text or "").partition("_")
    try:
        return date.fromisoformat(day), int(visit_id)
    except ValueError:
        return None


@bp.route("/visits")
@signed_in
def visit_list():
    mine = request.args.get("mine") == "1"
    status = request.args.get("status", "")
    status = status if status in {s.value for s in VisitStatus} else ""
    after = _parse_after(request.args.get("after"))
    page = page_of_objects(queries.list_visits(current_user, mine, status, None, after), PAGE_SIZE)
    context = {"visits": page.items, "has_more": page.has_more, "mine": mine, "status": status,
               "functions": queries.function_names(), "modes": MODE_LABELS}
    if after is not None and wants_fragment():
        return render_template("visits/_visit_rows.html", **context)
    return render_page_or_fragment("visits/visits.html", "visits/_visit_results.html", **context)


def _visit_form(visit=None) -> VisitForm:
    form = VisitForm(obj=visit)
    form.account_id.choices = [SelectChoice(0, "Choose an account")] + [
        SelectChoice(account_id, name) for account_id, name in queries.account_choices()]
    form.attendee_ids.choices = [SelectChoice(user_id, name, optgroup=function)
                                 for function, people in queries.people_by_function() for user_id, name in people]
    form.attendee_ids.render_kw = {"hx-post": url_for("visits.joint_check"), "hx-trigger": "change",
                                   "hx-target": "#joint-status", "hx-swap": "outerHTML",
                                   "data-picker": "Type a name to search"}
    if request.method == "GET":
        if visit is not None:
            form.attendee_ids.data = [a.user_id for a in visit.attendees]
            form.contacts.data = "\n".join(f"{c.name}, {c.role}" if c.role else c.name for c in visit.contacts)
        else:
            form.attendee_ids.data = [current_user.id]
            form.account_id.data = request.args.get("account", type=int) or 0
    return form


@bp.route("/visits/new", methods=["GET", "POST"], defaults={"visit_id": None})
@bp.route("/visits/<int:visit_id>/edit", methods=["GET", "POST"])
@signed_in
def visit_form(visit_id: int | None):
    visit = _visit_or_404(visit_id) if visit_id else None
    if visit is not None and visit.attendee(current_user) is None:
        abort(403)
    form = _visit_form(visit)
    if visit is not None:
        del form.already_held, form.idempotency_key
    if form.validate_on_submit():
        data = services.VisitData(
            account_id=form.account_id.data, visit_on=form.visit_on.data, mode=form.mode.data,
            purpose=form.purpose.data.strip(), attendee_ids=form.attendee_ids.data,
            agenda=(form.agenda.data or "").strip(), contacts=form.contact_pairs(),
            already_held=bool(visit is None and form.already_held.data),
            idempotency_key=form.idempotency_key.data if visit is None else None,
        )
        replayed = partial(key_used, Visit, data.idempotency_key)
        saved = commit_or_show(form, lambda: services.save_visit(current_user, visit, data, today()), replayed)
        if saved is not None:
            flash(
                "The visit is saved."
                + ("" if saved.is_joint else " It is not joint: all attendees share one function."),
                "success",
            )
            return redirect(url_for("visits.visit", visit_id=saved.id), code=303)
        if (made := replayed()) is not None:  # the same form again: "already recorded" is flashed on the visit it made
            return redirect(url_for("visits.visit", visit_id=made), code=303)
        visit = _visit_or_404(visit_id) if visit_id else None
    joint = queries.joint_preview(form.attendee_ids.data or [])
    title = f"Edit the visit to {visit.account.name}" if visit else "Plan or log a visit"
    return render_template("visits/visit_form.html", form=form, title=title, visit=visit, joint=joint), (
        form_status(form))


@bp.route("/visits/joint-check", methods=["POST"])
@signed_in
def joint_check():
    """The live "is it joint?" answer of the visit form, as attendees are picked."""
    ids = parse_ids(request.form.getlist("attendee_ids"))
    return render_template("visits/_joint_status.html", joint=queries.joint_preview(ids))


# --- one visit ------------------------------------------------------------------------------

def _visit_or_404(visit_id: int):
    return queries.get_visit(visit_id) or abort(404)


def _follow_up_form(visit) -> FollowUpForm:
    form = FollowUpForm(prefix="follow-up")
    names = queries.function_names()
    people = [SelectChoice(a.user_id, f"{a.user.name} ({names.get(a.function_id, 'no function')})")
              for a in visit.attendees]
    form.owner_id.choices = people
    form.partner_owner_id.choices = [SelectChoice("", "No second owner")] + people
    if request.method == "GET":
        form.owner_id.data = current_user.id
        form.due_on.data = today() + timedelta(days=14)
    return form


def _detail(visit, status: int = 200, **forms):
    """The visit page with its forms (those passed in keep their input and errors)."""
    mine = visit.attendee(current_user)
    note = next((n for n in visit.notes if mine and n.function_id == mine.function_id), None)
    note_form = forms.get("note_form") or NoteForm(
        prefix="note",
        body=note.body if note else "",
        learnings=", ".join(t.tag for t in note.learnings) if note else "",
    )
    note_form.revision.data = str(len(note.revisions)) if note else "0"  # the version shown above the form
    outcome_form = forms.get("outcome_form") or OutcomeForm(
        prefix="outcome", summary=visit.summary, sentiment=visit.sentiment, internal_only=visit.internal_only)
    return render_template(
        "visits/visit.html", visit=visit, mine=mine, functions=queries.function_names(), modes=MODE_LABELS,
        note_form=note_form, outcome_form=outcome_form, today=today(), statuses=FOLLOW_UP_LABELS,
        follow_up_form=forms.get("follow_up_form") or _follow_up_form(visit),
        confirm_refusal=_confirm_refusal(visit), may_withdraw=_may_withdraw(visit),
        note_history=queries.note_history(visit),
    ), status


def _may_withdraw(visit) -> bool:
    """Whether the current person may cancel the held visit or withdraw its confirmation (its author, an admin)."""
    return visit.status == VisitStatus.HELD.value and (
        visit.author_id == current_user.id or Role.ADMIN in current_user.roles)


def _confirm_refusal(visit) -> str | None:
    """Why the current person cannot confirm the visit (None: they can)."""
    attendance, author = visit.attendee(current_user), visit.attendee(visit.author) if visit.author else None
    return rules.confirmation_refusal(author.function_id if author else None,
                                      attendance.function_id if attendance else None, attendance is not None)


def _refused(visit_id: int):
    """A rule said no (its message is flashed): the visit page with it, 400 (htmx: reload the page there)."""
    if wants_fragment():
        return "", 400, {"HX-Redirect": url_for("visits.visit", visit_id=visit_id)}
    return _detail(_visit_or_404(visit_id), 400)


def _transition(visit_id: int, write: Callable[[], Any], success: str):
    """Run one state change of the visit through the shared transaction boundary, then back to the visit."""
    if commit_or_flash(write, success) is None:
        return _refused(visit_id)
    return redirect(url_for("visits.visit", visit_id=visit_id), code=303)


@bp.route("/visits/<int:visit_id>")
@signed_in
def visit(visit_id: int):
    return _detail(_visit_or_404(visit_id))


@bp.route("/visits/<int:visit_id>/held", methods=["POST"])
@signed_in
def mark_held(visit_id: int):
    visit = _visit_or_404(visit_id)
    return _transition(visit_id, lambda: services.mark_held(current_user, visit, today()),
                       "The visit is logged as held; you are its author. Add the summary and your function's note.")


@bp.route("/visits/<int:visit_id>/cancel", methods=["POST"])
@signed_in
def cancel(visit_id: int):
    visit = _visit_or_404(visit_id)
    return _transition(visit_id, lambda: services.cancel_visit(current_user, visit, clock.now()),
                       "The visit is cancelled; any points it earned are given back.")


@bp.route("/visits/<int:visit_id>/unconfirm", methods=["POST"])
@signed_in
def unconfirm(visit_id: int):
    visit = _visit_or_404(visit_id)
    return _transition(visit_id, lambda: services.unconfirm_visit(current_user, visit, clock.now()),
                       "The confirmation is withdrawn; any points it earned are given back.")


def _submit_visit_form(visit, form, form_name: str, write: Callable[[], object], success: str,
                       replayed: Callable[[], object] = lambda: None):
    """Validate one of the visit page's forms and run its write: redirect, or the page with the errors.

    A replayed create form (replayed() is true after the write failed) goes back to the visit, "already recorded".
    """
    if form.validate_on_submit():
        if commit_or_show(form, write, replayed) is not None:
            flash(success, "success")
            return redirect(url_for("visits.visit", visit_id=visit.id), code=303)
        if replayed():
            return redirect(url_for("visits.visit", visit_id=visit.id), code=303)
    return _detail(_visit_or_404(visit.id), 400, **{form_name: form})


@bp.route("/visits/<int:visit_id>/outcome", methods=["POST"])
@signed_in
def outcome(visit_id: int):
    visit, form = _visit_or_404(visit_id), OutcomeForm(prefix="outcome")
    return _submit_visit_form(visit, form, "outcome_form", lambda: services.save_outcome(
        current_user, visit, (form.summary.data or "").strip(), form.sentiment.data, form.internal_only.data),
        "The summary is saved.")


@bp.route("/visits/<int:visit_id>/note", methods=["POST"])
@signed_in
def note(visit_id: int):
    """Save the note of the signed-in attendee's own function (there is no way to name another)."""
    visit, form = _visit_or_404(visit_id), NoteForm(prefix="note")
    return _submit_visit_form(visit, form, "note_form", lambda: services.save_function_note(
        current_user, visit, (form.body.data or "").strip(), rules.parse_tags(form.learnings.data or ""), clock.now(),
        form.seen_revisions()), "Your function's note is saved.")


@bp.route("/visits/<int:visit_id>/confirm", methods=["POST"])
@signed_in
def confirm(visit_id: int):
    visit = _visit_or_404(visit_id)
    if commit_or_flash(lambda: services.confirm_visit(current_user, visit, clock.now())) is None:
        return _refused(visit_id)
    if wants_fragment():
        return render_template("visits/_confirmation.html", visit=_visit_or_404(visit_id), confirm_refusal=None)
    flash("Thank you: the joint visit is confirmed.", "success")
    return redirect(url_for("visits.visit", visit_id=visit.id), code=303)


@bp.route("/visits/<int:visit_id>/follow-ups", methods=["POST"])
@signed_in
def add_follow_up(visit_id: int):
    visit = _visit_or_404(visit_id)
    form = _follow_up_form(visit)
    return _submit_visit_form(visit, form, "follow_up_form", lambda: services.add_follow_up(
        current_user, visit, services.FollowUpData(form.description.data.strip(), form.owner_id.data,
                                                   form.due_on.data, form.needs_both.data, form.partner_owner_id.data,
                                                   form.idempotency_key.data), today()),
        "The follow-up is added.", replayed=form.replay_of(FollowUp))


# --- follow-ups -----------------------------------------------------------------------------

def _follow_ups_page(status: int = 200):
    return render_template("visits/follow_ups.html", open_items=queries.my_open_follow_ups(current_user, today()),
                           closed_items=queries.my_closed_follow_ups(current_user), today=today(),
                           statuses=FOLLOW_UP_LABELS), status


@bp.route("/follow-ups")
@signed_in
def my_follow_ups():
    return _follow_ups_page()


@bp.route("/follow-ups/<int:follow_up_id>", methods=["POST"])
@signed_in
def update_follow_up(follow_up_id: int):
    follow_up = db.get_or_404(FollowUp, follow_up_id)
    visit_id, form = follow_up.visit_id, FollowUpUpdateForm(prefix=f"fu{follow_up.id}")
    back_to_mine = request.form.get("back") == "mine"
    target = url_for("visits.my_follow_ups") if back_to_mine else url_for("visits.visit", visit_id=visit_id)
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "danger")
    elif commit_or_flash(lambda: services.update_follow_up(
            current_user, follow_up, form.status.data, (form.outcome.data or "").strip(), clock.now()),
            None if wants_fragment() else "The follow-up is updated.") is not None:
        if wants_fragment():
            return render_template("visits/_follow_up.html", item=db.session.get(FollowUp, follow_up_id),
                                   today=today(), statuses=FOLLOW_UP_LABELS, show_visit=back_to_mine)
        return redirect(target, code=303)
    if wants_fragment():
        return "", 400, {"HX-Redirect": target}
    return _follow_ups_page(400) if back_to_mine else _detail(_visit_or_404(visit_id), 400)


# --- settings -------------------------------------------------------------------------------

@bp.route("/visits/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings():
    form = VisitPolicyForm(obj=services.get_policy())
    if form.validate_on_submit() and commit_or_show(form, lambda: services.save_policy(
            current_user, {name: getattr(form, name).data for name in services.POLICY_LIMITS})):
        flash("Visit settings saved.", "success")
        return redirect(url_for("visits.settings"), code=303)
    return render_template("people/admin_form.html", form=form, title="Visit settings",
                           cancel=url_for("visits.visit_list")), form_status(form)


# --- coverage and learnings -----------------------------------------------------------------

def _coverage_days() -> int:
    days = request.args.get("days", type=int)
    return days if days in queries.COVERAGE_WINDOWS else queries.COVERAGE_WINDOWS[0]


@bp.route("/coverage")
@signed_in
def coverage():
    days = _coverage_days()
    never_joint = request.args.get("never_joint") == "1"
    after = request.args.get("after", type=int)
    next_page = after is not None and wants_fragment()
    matrix = _coverage_matrix(today() - timedelta(days=days), never_joint, after, with_totals=not next_page)
    context = {"days": days, "never_joint": never_joint, "windows": queries.COVERAGE_WINDOWS,
               "total": matrix.get("total"), "never_joint_total": matrix.get("never_joint_total")}
    if next_page or wants_fragment():
        return matrix["markup"]
    return render_template("visits/coverage.html", results=matrix["markup"], **context)


def _coverage_matrix(since: date, never_joint: bool, after: int | None, with_totals: bool) -> dict:
    """One page of the coverage matrix as markup (the first page with the account totals), cached until a write:
    it holds nothing of the viewer."""
    template = "visits/_coverage_results.html" if with_totals else "visits/_coverage_rows.html"

    def compute() -> dict:
        matrix = queries.coverage_page(since, never_joint, after, COVERAGE_PAGE_SIZE, with_totals=with_totals)
        if with_totals:
            matrix.update(total=queries.count_accounts(), never_joint_total=queries.count_accounts(never_joint=True))
        days = (today() - since).days
        markup = render_template(template, **matrix, days=days, never_joint=never_joint,
                                 windows=queries.COVERAGE_WINDOWS)
        return {"markup": markup, "total": matrix.get("total"), "never_joint_total": matrix.get("never_joint_total")}

    found = remember([DATA], f"coverage:{since}:{int(never_joint)}:{after}:{int(with_totals)}", compute)
    return {**found, "markup": Markup(found["markup"])}


@bp.route("/learnings")
@signed_in
def learnings():
    quarters = queries.quarters_with_learnings()
    quarter = request.args.get("period", "")
    quarter = quarter if quarter in quarters else ""
    counts = queries.learning_counts(quarter)
    top_tags = [tag for tag, _, _ in counts["rows"][:10]]
    return render_template("visits/learnings.html", quarters=quarters, quarter=quarter, counts=counts,
                           notes=queries.latest_notes_per_tag(top_tags, quarter))


# --- exports --------------------------------------------------------------------------------

@bp.route("/visits/planned.ics")
@signed_in
def planned_calendar():
    """Planned visits as iCalendar: the signed-in person's, or everyone's with ?all=1."""
    everyone = request.args.get("all") == "1"
    host = request.host.split(":")[0]
    entries = [
        CalendarEntry(
            uid=f"visit-{v.id}@{host}",
            day=v.visit_on,
            title=f"Customer visit: {v.account.name}",
            description=f"{v.purpose}\n\nAttendees: {', '.join(a.user.name for a in v.attendees)}\n\n{v.agenda}"
            .strip(),
            location=MODE_LABELS.get(v.mode, v.mode),
        )
        for v in queries.planned_visits(None if everyone else current_user)
    ]
    return Response(visits_calendar(entries, clock.now()), mimetype="text/calendar",
                    headers={"Content-Disposition": "attachment; filename=planned-visits.ics"})


VISIT_COLUMNS = ["id", "account", "date", "quarter", "mode", "purpose", "status", "joint", "functions", "attendees",
                 "author", "confirmed_by", "confirmed_at", "sentiment", "internal_only", "summary"]
FOLLOW_UP_COLUMNS = ["id", "visit_id", "account", "description", "owner", "second_owner", "due_on", "status",
                     "overdue", "outcome", "completed_at"]


@bp.route("/visits/export.csv")
@roles_required(*EXPORTERS)
def export_visits():
    return _csv_response(rows_to_csv(queries.visit_export_rows(), VISIT_COLUMNS), "visits.csv")


@bp.route("/follow-ups/export.csv")
@roles_required(*EXPORTERS)
def export_follow_ups():
    return _csv_response(rows_to_csv(queries.follow_up_export_rows(today()), FOLLOW_UP_COLUMNS), "follow-ups.csv")

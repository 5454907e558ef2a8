"""Routes: open reviews, one review (timelines, findings, actions, sign-off, link), nudges, library, completion."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from programs.joint_reviews import blameless, bp, queries, services, timeline
from programs.joint_reviews.forms import (
    FINDING_LABELS,
    KIND_LABELS,
    NUDGE_HX,
    TAG_LABELS,
    ActionForm,
    EntryForm,
    FindingForm,
    LinkForm,
    ReviewForm,
    SignOffForm,
)
from programs.joint_reviews.models import Action, Finding, ReviewStatus, TimelineEntry
from webapp import clock
from webapp.auth.access import signed_in
from webapp.extensions import db
from webapp.input_guard import parse_id
from webapp.people.models import User
from webapp.periods import Quarter
from webapp.rendering import commit_or_flash, commit_or_show, form_status, render_page_or_fragment, wants_fragment
from webapp.roles import Role

PAGE_SIZE = 25
QUERY_MAX = 100
CELEBRATORS = (Role.MANAGER, Role.LEADER)  # who may log a joint win in recognition
NUDGE_TEXT_MAX = 5000


def _review_or_404(review_id: int):
    return queries.get_review(review_id) or abort(404)


def _function_names() -> list[str]:
    return list(queries.function_names().values())


# --- the list and opening ----------------------------------------------------------------------

@bp.route("/")
@signed_in
def index():
    reviews = db.session.scalars(queries.list_open_reviews(current_user).limit(PAGE_SIZE)).all()
    return render_template("joint_reviews/index.html", reviews=reviews, functions=queries.function_names(),
                           statuses=queries.STATUS_LABELS, kinds=KIND_LABELS)


def _review_form() -> ReviewForm:
    form = ReviewForm()
    people = db.session.execute(select(User.id, User.name, User.function_id).where(User.active.is_(True))
                                .order_by(User.name)).all()
    names = queries.function_names()
    form.participant_ids.choices = [SelectChoice(uid, name, optgroup=names.get(fid, ""))
                                    for uid, name, fid in people if fid is not None]  # only people of a function
    form.participant_ids.render_kw = {"data-picker": "Type a name to search"}
    if request.method == "GET":
        form.participant_ids.data = [current_user.id]
        form.happened_on.data = clock.today()
    return form


@bp.route("/new", methods=["GET", "POST"])
@signed_in
def open_review():
    form = _review_form()
    if form.validate_on_submit():
        data = services.ReviewData(form.title.data.strip(), form.kind.data, form.happened_on.data,
                                   (form.summary.data or "").strip(), form.participant_ids.data,
                                   form.idempotency_key.data)
        review = commit_or_show(form, lambda: services.open_review(current_user, data, clock.today()))
        if review is not None:
            flash("The review is open. Each function now drafts its own timeline.", "success")
            return redirect(url_for("joint_reviews.review", review_id=review.id), code=303)
    return render_template("joint_reviews/review_form.html", form=form), form_status(form)


# --- one review ----------------------------------------------------------------------------------

def _forms(review, given: dict[str, Any]) -> dict[str, Any]:
    """The review page's forms; those given keep their input and errors."""
    action_form = given.get("action_form") or ActionForm(prefix="action")
    action_form.owner_id.choices = [SelectChoice(p.user_id, p.user.name) for p in review.participants]
    if "action_form" not in given:
        action_form.owner_id.data = current_user.id
        action_form.due_on.data = clock.today() + timedelta(days=30)
    link_form = given.get("link_form") or LinkForm(prefix="link")
    records = services.linkable_records(review)
    if records is not None:
        link_form.record_id.choices = [SelectChoice("", "No earlier warning")] + [
            SelectChoice(str(r.id), f"{r.dated.isoformat()}: {r.title} ({r.status})") for r in records]
        link_form.record_id.data = link_form.record_id.data or str(review.linked_id or "")
    entry_form = given.get("entry_form") or EntryForm(prefix="entry")
    finding_form = given.get("finding_form") or FindingForm(prefix="finding")
    for name, form in (("entry", entry_form), ("finding", finding_form)):  # the live nudges while typing
        form.text.render_kw = {**NUDGE_HX, "hx-post": url_for("joint_reviews.nudge_preview", review_id=review.id),
                               "hx-target": f"#{name}-nudges"}
    return {
        "entry_form": entry_form,
        "finding_form": finding_form,
        "action_form": action_form,
        "sign_off_form": given.get("sign_off_form") or SignOffForm(prefix="sign"),
        "link_form": link_form if records is not None else None,
    }


def _detail(review, status: int = 200, **given):
    names = queries.function_names()
    name_list = list(names.values())
    mine = review.participant(current_user)
    entries = [timeline.Entry(e.id, e.function_id, e.at, e.topic, e.text) for e in review.entries]
    moments = timeline.merge(entries)
    nudged = {("entry", e.id): blameless.nudges(f"{e.topic} {e.text}", name_list)
              for e in review.entries if not e.nudge_dismissed}
    nudged |= {("finding", f.id): blameless.nudges(f.text, name_list) for f in review.findings if not f.nudge_dismissed}
    return render_template(
        "joint_reviews/review.html", review=review, mine=mine, functions=names, moments=moments,
        divergences=timeline.divergence_count(moments), nudged=nudged, today=clock.today(),
        drafted={e.function_id for e in review.entries}, kinds=KIND_LABELS, tags=TAG_LABELS,
        finding_labels=FINDING_LABELS, statuses=queries.STATUS_LABELS,
        nudge_counts=queries.nudge_counts(review, name_list),
        sign_off_refusal=services.sign_off_refusal(review, mine) if mine else None,
        may_celebrate=review.status == ReviewStatus.RESOLVED.value and current_user.has_role(*CELEBRATORS),
        **_forms(review, given),
    ), status


@bp.route("/<int:review_id>")
@signed_in
def review(review_id: int):
    return _detail(_review_or_404(review_id))


def _require_participant(review) -> None:
    """Only participants edit a review (a 403 before any form is read)."""
    if review.participant(current_user) is None:
        abort(403, description="Only the review's participants can change it.")


def _submit(review_id: int, form, form_name: str, write: Callable[[], object], success: str):
    """Validate one of the review page's forms and run its write: back to the review, or the page with errors."""
    review = _review_or_404(review_id)
    _require_participant(review)
    if form.validate_on_submit() and commit_or_show(form, write) is not None:
        flash(success, "success")
        return redirect(url_for("joint_reviews.review", review_id=review_id), code=303)
    return _detail(_review_or_404(review_id), 400, **{form_name: form})


def _transition(review_id: int, write: Callable[[], object], success: str, anchor: str = ""):
    """One change without a form, through the shared transaction boundary: back to the review, or 400 with why."""
    if commit_or_flash(write, success) is None:
        return _detail(_review_or_404(review_id), 400)
    return redirect(url_for("joint_reviews.review", review_id=review_id) + anchor, code=303)


def _local_to_utc(moment: datetime) -> datetime:
    """A time typed in the organisation's zone, as aware UTC."""
    return moment.replace(tzinfo=clock.zone()).astimezone(UTC)


@bp.route("/<int:review_id>/entries", methods=["POST"])
@signed_in
def add_entry(review_id: int):
    form = EntryForm(prefix="entry")
    review = _review_or_404(review_id)
    return _submit(review_id, form, "entry_form", lambda: services.add_entry(
        current_user, review, _local_to_utc(form.at.data), form.topic.data.strip(), (form.text.data or "").strip(),
        form.idempotency_key.data), "Added to your function's timeline.")


@bp.route("/<int:review_id>/entries/<int:entry_id>/delete", methods=["POST"])
@signed_in
def delete_entry(review_id: int, entry_id: int):
    entry = db.session.get(TimelineEntry, entry_id)
    if entry is None or entry.review_id != review_id:
        abort(404)
    return _transition(review_id, lambda: services.delete_entry(current_user, entry),
                       "Removed from your function's timeline.")


@bp.route("/<int:review_id>/findings", methods=["POST"])
@signed_in
def add_finding(review_id: int):
    form = FindingForm(prefix="finding")
    review = _review_or_404(review_id)
    return _submit(review_id, form, "finding_form", lambda: services.add_finding(
        current_user, review, form.kind.data, form.tag.data or None, form.text.data.strip(),
        form.idempotency_key.data), "Saved.")


@bp.route("/<int:review_id>/actions", methods=["POST"])
@signed_in
def add_action(review_id: int):
    review = _review_or_404(review_id)
    form = ActionForm(prefix="action")
    form.owner_id.choices = [SelectChoice(p.user_id, p.user.name) for p in review.participants]
    return _submit(review_id, form, "action_form", lambda: services.add_action(
        current_user, review, form.description.data.strip(), form.owner_id.data, form.due_on.data, clock.today(),
        form.idempotency_key.data), "The action is added; its owner is told.")


@bp.route("/actions/<int:action_id>", methods=["POST"])
@signed_in
def set_action(action_id: int):
    action = db.get_or_404(Action, action_id)
    done = request.form.get("done") == "1"
    return _transition(action.review_id, lambda: services.set_action_done(current_user, action, done, clock.now()),
                       "The action is done." if done else "The action is open again.", f"#action-{action.id}")


@bp.route("/<int:review_id>/sign-off", methods=["POST"])
@signed_in
def sign_off(review_id: int):
    form = SignOffForm(prefix="sign")
    review = _review_or_404(review_id)
    fair = form.fair.data == "yes"
    return _submit(review_id, form, "sign_off_form", lambda: services.sign_off(
        current_user, review, fair, (form.comment.data or "").strip(), clock.now()) or True,
        "Signed off for your function." if fair else "Nothing is signed; the others hear what is missing.")


@bp.route("/<int:review_id>/link", methods=["POST"])
@signed_in
def link_record(review_id: int):
    review = _review_or_404(review_id)
    _require_participant(review)
    if services.linkable_records(review) is None:
        abort(404)
    text = request.form.get("link-record_id", "")
    record_id = parse_id(text)
    if text and record_id is None:
        flash("Choose one of the pair's earlier warnings in the list.", "danger")
        return _detail(review, 400)
    if commit_or_flash(lambda: services.link_record(current_user, review, record_id), "The link is saved.") is None:
        return _detail(_review_or_404(review_id), 400)
    return redirect(url_for("joint_reviews.review", review_id=review_id), code=303)


# --- blameless nudges ------------------------------------------------------------------------------

@bp.route("/<int:review_id>/nudges", methods=["POST"])
@signed_in
def nudge_preview(review_id: int):
    """The editor's live nudges for the text being typed (htmx), never stored."""
    review = _review_or_404(review_id)
    _require_participant(review)
    text = next((value for name, value in request.form.items() if name.endswith("text")), "")[:NUDGE_TEXT_MAX]
    return render_template("joint_reviews/_nudges.html", review=review,
                           found=blameless.nudges(text, _function_names()), live=True)


@bp.route("/<int:review_id>/nudges/dismiss", methods=["POST"])
@signed_in
def dismiss_live_nudge(review_id: int):
    review = _review_or_404(review_id)
    commit_or_flash(lambda: services.count_live_dismissal(current_user, review))
    if wants_fragment():
        return ""
    return redirect(url_for("joint_reviews.review", review_id=review_id), code=303)


def _saved_text(kind: str, item_id: int) -> TimelineEntry | Finding | None:
    """The saved timeline entry or finding a nudge was shown on (None for an unknown kind or id)."""
    if kind == "entry":
        return db.session.get(TimelineEntry, item_id)
    if kind == "finding":
        return db.session.get(Finding, item_id)
    return None


@bp.route("/<int:review_id>/nudges/<kind>/<int:item_id>/dismiss", methods=["POST"])
@signed_in
def dismiss_saved_nudge(review_id: int, kind: str, item_id: int):
    item = _saved_text(kind, item_id)
    if item is None or item.review_id != review_id:
        abort(404)
    if wants_fragment():
        return "" if commit_or_flash(lambda: services.dismiss_saved_nudge(current_user, item)) else ("", 400)
    return _transition(review_id, lambda: services.dismiss_saved_nudge(current_user, item), "The pointer is dismissed.")


# --- the library and the completion list -------------------------------------------------------------

def _library_filter() -> tuple[queries.LibraryFilter, list[str]]:
    """The library's filters from the query string; an unknown value is refused with a message, not ignored."""
    problems = []
    pair_text = request.args.get("pair", "")
    pair: tuple[int, int] | None = None
    if pair_text:
        first, _, second = pair_text.partition("-")
        one, other = parse_id(first), parse_id(second)
        if one is None or other is None or one == other or not {one, other} <= queries.function_names().keys():
            problems.append("Choose a pair of functions from the list.")
        else:
            pair = (min(one, other), max(one, other))
    tag = request.args.get("tag", "")
    if tag and tag not in TAG_LABELS:
        problems.append("Choose a factor from the list.")
        tag = ""
    quarter = request.args.get("quarter", "")
    if quarter and Quarter.parse(quarter) is None:
        problems.append("Choose a quarter like 2026-Q3.")
        quarter = ""
    return queries.LibraryFilter(pair, tag, quarter, request.args.get("q", "").strip()[:QUERY_MAX]), problems


@bp.route("/library")
@signed_in
def library():
    criteria, problems = _library_filter()
    before = parse_id(request.args.get("before"))
    rows = [] if problems else db.session.scalars(queries.library(criteria, before).limit(PAGE_SIZE + 1)).all()
    names = queries.function_names()
    pairs = [(f"{a}-{b}", f"{names[a]} and {names[b]}") for a in sorted(names) for b in sorted(names) if a < b]
    context = {"reviews": rows[:PAGE_SIZE], "has_more": len(rows) > PAGE_SIZE, "criteria": criteria,
               "problems": problems, "pairs": pairs, "tags": TAG_LABELS, "quarters": queries.library_quarters(),
               "functions": names, "kinds": KIND_LABELS, "statuses": queries.STATUS_LABELS,
               "pair_value": request.args.get("pair", "") if criteria.pair else ""}
    status = 400 if problems else 200
    return render_page_or_fragment("joint_reviews/library.html", "joint_reviews/_library_results.html",
                                   **context), status


@bp.route("/actions")
@signed_in
def completion():
    rows, total = queries.action_completion(clock.today())
    return render_template("joint_reviews/completion.html", rows=rows, total=total, statuses=queries.STATUS_LABELS)

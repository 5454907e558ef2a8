"""Routes: the feed and its poll, kudos, wins and co-signs, reactions, comments, boards, flow, settings."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from recognition import bp, queries, rules, services
from recognition.forms import AddonForm, BadgeForm, CommentForm, KudosForm, PolicyForm, ReasonForm, WinForm, new_key
from recognition.markup import story_html
from recognition.models import BadgeDefinition, FeedItem, Kudos, KudosAddon, Win
from webapp import clock
from webapp.auth.access import roles_required, signed_in
from webapp.cache import FEED, remember
from webapp.extensions import db
from webapp.rendering import redirect_back, render_page_or_fragment, show_rule_error, wants_fragment
from webapp.roles import Role

COSIGNERS = (Role.MANAGER, Role.LEADER)
OVERSEERS = (Role.HR, Role.LEADER, Role.ADMIN)
REPLAYED = "That was already recorded; nothing changed."
_anniversaries_checked: set[date] = set()


@bp.app_template_global("new_idempotency_key")
def new_idempotency_key() -> str:
    """A fresh key for a form that must not be applied twice."""
    return new_key()




def _save(form, action, success: str, next_url: str):
    """Run a service call for a form: commit and redirect, or roll back and show the error beside its field."""
    try:
        action()
    except services.RecognitionError as error:
        db.session.rollback()
        show_rule_error(form, error)
        return None
    db.session.commit()
    flash(success, "success")
    return redirect(next_url, code=303)


def _commit_or_replay() -> bool:
    """Commit; a unique-key clash (a replay racing the first request) rolls back and returns False."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


# --- the feed ------------------------------------------------------------------------------

def _feed_filter() -> queries.FeedFilter:
    scope = request.args.get("scope", "everyone")
    tag = request.args.get("tag", "")
    return queries.FeedFilter(scope if scope in queries.FILTERS else "everyone",
                              tag if tag in rules.COMPANY_VALUES else "", current_user.function_id)


def _ensure_anniversaries() -> None:
    """Add today's work anniversaries once per day per process."""
    today = clock.today()
    if today not in _anniversaries_checked:
        services.record_anniversaries(today)
        _commit_or_replay()  # another worker may have added the same anniversaries a moment ago
        _anniversaries_checked.add(today)


@bp.route("/recognition")
@signed_in
def feed():
    _ensure_anniversaries()
    flt = _feed_filter()
    size = current_app.config.get("RECOGNITION_FEED_PAGE_SIZE", 20)
    before = request.args.get("before", type=int)
    rows = db.session.scalars(queries.feed_items(flt, before, size + 1)).all()
    items = rows[:size]
    context = {
        "items": items, "has_more": len(rows) > size, "flt": flt, "values": rules.COMPANY_VALUES,
        "extras": queries.item_extras([i.id for i in items], current_user.id), "reactions": rules.REACTIONS,
    }
    if before is not None and wants_fragment():
        return render_template("recognition/_feed_items.html", **context)
    context["newest_id"] = items[0].id if items and before is None else queries.latest_item_id()
    context["poll_seconds"] = _poll_seconds()
    if wants_fragment():
        return render_template("recognition/_feed.html", **context)
    return render_template("recognition/feed.html", pending_wins=queries.my_pending_wins(current_user), **context)


def _poll_seconds() -> int:
    """How often an open feed asks for news (config RECOGNITION_POLL_SECONDS, default 10)."""
    return current_app.config.get("RECOGNITION_POLL_SECONDS", 10)


@bp.route("/recognition/poll")
@signed_in
def poll():
    """204 when nothing new (htmx keeps the old banner); else the "N new celebrations" banner."""
    flt = _feed_filter()
    after = request.args.get("after", 0, type=int)
    if after >= remember([FEED], "feed:newest-id", queries.latest_item_id):
        return Response(status=204)  # nothing newer than the newest visible item: no query (webapp/cache.py)
    count = queries.count_new_items(flt, after, current_user.id)
    if not count:
        return Response(status=204)
    return render_template("recognition/_new_banner.html", count=count, flt=flt, newest_id=after,
                           poll_seconds=_poll_seconds())


def _item_or_404(item_id: int) -> FeedItem:
    item = db.get_or_404(FeedItem, item_id)
    if item.state != "visible" and not current_user.has_role(Role.ADMIN):
        abort(404)
    return item


def _render_item_part(item: FeedItem, template: str, status: int = 200, **extra):
    extras = queries.item_extras([item.id], current_user.id)
    context = {"item": item, "extras": extras, "reactions": rules.REACTIONS, **extra}
    if wants_fragment():
        return render_template(template, **context), status
    return redirect(url_for("recognition.feed") + f"#feed-item-{item.id}", code=303)


@bp.route("/recognition/items/<int:item_id>/react", methods=["POST"])
@signed_in
def react(item_id: int):
    item = _item_or_404(item_id)
    try:
        services.toggle_reaction(current_user, item, request.form.get("emoji", ""))
    except services.RecognitionError as error:
        db.session.rollback()
        return Response(str(error), status=400)
    if not _commit_or_replay():
        return Response(REPLAYED, status=409)
    return _render_item_part(item, "recognition/_reactions.html")


@bp.route("/recognition/items/<int:item_id>/comments", methods=["POST"])
@signed_in
def comment(item_id: int):
    item = _item_or_404(item_id)
    form = CommentForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.add_comment(current_user, item, form.body.data)
        except services.RecognitionError as error:
            db.session.rollback()
            show_rule_error(form, error)
            status = 400
        else:
            db.session.commit()
            form = CommentForm(formdata=None)
    else:
        status = 400
        if not wants_fragment():
            flash(" ".join(form.body.errors) or "Write a comment first.", "danger")
    return _render_item_part(item, "recognition/_comments.html", status, form=form)


@bp.route("/recognition/items/<int:item_id>/delete", methods=["POST"])
@signed_in
def delete_item(item_id: int):
    item = _item_or_404(item_id)
    try:
        services.delete_own_item(current_user, item)
    except services.RecognitionError as error:
        db.session.rollback()
        if wants_fragment():
            return Response(str(error), status=403)
        flash(str(error), "danger")
        return redirect(url_for("recognition.feed"), code=303)
    db.session.commit()
    if wants_fragment():
        return render_template("recognition/_item_removed.html", item=item)
    flash("Your post is deleted.", "success")
    return redirect(url_for("recognition.feed"), code=303)


@bp.route("/recognition/items/<int:item_id>/hide", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def hide_item(item_id: int):
    item = _item_or_404(item_id)
    form = ReasonForm()
    if form.validate_on_submit():
        done = _save(form, lambda: services.hide_item(current_user, item, form.reason.data),
                     "The post is hidden; the audit log has the reason.", url_for("recognition.feed"))
        if done:
            return done
    return render_template("recognition/hide.html", item=item, form=form), 400 if form.errors else 200


def _colleague_choices() -> list[SelectChoice]:
    return [SelectChoice(uid, label) for uid, label in queries.colleague_choices(current_user)]


# --- kudos -----------------------------------------------------------------------------------

@bp.route("/recognition/kudos/new", methods=["GET", "POST"])
@signed_in
def give_kudos():
    form = KudosForm()
    form.recipients.choices = _colleague_choices()
    policy = services.get_policy()
    form.message.description = f"At least {policy.message_min} characters: what they did and why it mattered."
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        replay = queries.key_was_used(Kudos, form.idempotency_key.data)
        try:
            kudos = services.give_kudos(current_user, form.recipients.data, form.message.data, form.value_tag.data,
                                        form.points.data, form.idempotency_key.data)
        except services.RecognitionError as error:
            db.session.rollback()
            show_rule_error(form, error)
        else:
            sent = (f"Kudos sent to {', '.join(r.user.name for r in kudos.recipients)}."
                    if _commit_or_replay() and not replay else REPLAYED)
            if wants_fragment():
                fresh = KudosForm(formdata=None)
                fresh.recipients.choices, fresh.message.description = form.recipients.choices, form.message.description
                return render_template("recognition/_kudos_form.html", form=fresh, sent=sent,
                                       **_kudos_context())
            flash(sent, "success")
            return redirect(url_for("recognition.feed"), code=303)
    return render_page_or_fragment("recognition/kudos.html", "recognition/_kudos_form.html", form=form,
                                   **_kudos_context()), status


def _kudos_context() -> dict:
    policy = services.get_policy()  # again: a rolled-back attempt may have created it
    period = rules.period_of(clock.now())
    left = queries.allowance_left(current_user, period, policy.monthly_allowance, policy.per_report_extra)
    return {"allowance_left": left, "policy": policy}


@bp.route("/recognition/kudos/<int:kudos_id>/addon", methods=["POST"])
@signed_in
def add_kudos_points(kudos_id: int):
    kudos = db.get_or_404(Kudos, kudos_id)
    form = AddonForm()
    message, category = REPLAYED, "info"
    if not form.validate_on_submit():
        message, category = "Choose between 1 and 100 points.", "danger"
    elif not queries.key_was_used(KudosAddon, form.idempotency_key.data):
        try:
            services.add_to_kudos(current_user, kudos, form.points.data, form.idempotency_key.data)
        except services.RecognitionError as error:
            db.session.rollback()
            message, category = str(error), "danger"
        else:
            if _commit_or_replay():
                message, category = f"You added {form.points.data} points for each receiver.", "success"
    flash(message, category)
    return redirect(url_for("recognition.feed"), code=303)


# --- wins ------------------------------------------------------------------------------------

@bp.route("/recognition/wins/new", methods=["GET", "POST"])
@roles_required(*COSIGNERS)
def log_win():
    form = WinForm()
    form.credited.choices = [*_colleague_choices(), SelectChoice(current_user.id, f"{current_user.name} (you)")]
    if form.validate_on_submit():
        impact = (form.impact_amount.data, form.impact_unit.data or "", form.impact_outcome.data or "")
        replay = queries.key_was_used(Win, form.idempotency_key.data)
        try:
            win = services.log_win(current_user, form.title.data, form.story.data, form.credited.data,
                                   form.value_tags.data, impact, form.idempotency_key.data)
        except services.RecognitionError as error:
            db.session.rollback()
            show_rule_error(form, error)
        else:
            if not _commit_or_replay() or replay:
                flash(REPLAYED, "info")
                return redirect(url_for("recognition.feed"), code=303)
            flash("The win is published." if win.status == "published"
                  else "The win waits for the other functions' co-signs.", "success")
            return redirect(url_for("recognition.win_detail", win_id=win.id), code=303)
    return render_template("recognition/win_form.html", form=form), 400 if form.errors else 200


def _visible_win(win_id: int) -> Win:
    win = db.get_or_404(Win, win_id)
    if not queries.may_see_win(current_user, win):
        abort(404)
    return win


@bp.route("/recognition/wins/<int:win_id>")
@signed_in
def win_detail(win_id: int):
    return _win_page(_visible_win(win_id), ReasonForm())


def _win_page(win: Win, form: ReasonForm, status: int = 200):
    can_cosign = bool(services.may_cosign(current_user, win))
    return render_template("recognition/win.html", win=win, can_cosign=can_cosign, form=form,
                           story=story_html(win.story)), status


@bp.route("/recognition/wins/<int:win_id>/cosign", methods=["POST"])
@roles_required(*COSIGNERS)
def cosign(win_id: int):
    win = _visible_win(win_id)
    try:
        services.cosign_win(current_user, win)
    except services.RecognitionError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(url_for("recognition.win_detail", win_id=win.id), code=303)
    db.session.commit()
    flash("Co-signed. The win is published." if win.status == "published" else "Co-signed.", "success")
    return redirect_back(url_for("recognition.win_detail", win_id=win.id))


@bp.route("/recognition/wins/<int:win_id>/decline", methods=["POST"])
@roles_required(*COSIGNERS)
def decline(win_id: int):
    win = _visible_win(win_id)
    form = ReasonForm()
    try:
        if not form.validate_on_submit():
            raise services.RecognitionError("Say why you decline.", "reason")
        services.decline_win(current_user, win, form.reason.data)
    except services.RecognitionError as error:
        db.session.rollback()
        show_rule_error(form, error)
        return _win_page(win, form, 400)
    db.session.commit()
    flash("You declined the win; its logger can see your reason.", "success")
    return redirect_back(url_for("recognition.approvals"))


@bp.route("/recognition/approvals")
@roles_required(*COSIGNERS)
def approvals():
    return render_template("recognition/approvals.html", queue=queries.approval_queue(current_user),
                           mine=queries.my_pending_wins(current_user))


# --- boards, flow matrix, settings -------------------------------------------------------------

@bp.route("/recognition/leaderboards")
@signed_in
def leaderboards():
    quarter = rules.parse_quarter(request.args.get("quarter", ""), rules.quarter_of(clock.now()))
    boards = {name: queries.leaderboard(name, quarter) for name in queries.BOARDS}
    return render_template("recognition/leaderboards.html", boards=boards, quarter=quarter,
                           opted_out=queries.is_opted_out(current_user.id))


@bp.route("/recognition/leaderboards/opt-out", methods=["POST"])
@signed_in
def opt_out():
    choice = request.form.get("opt_out")
    if choice not in ("0", "1"):
        abort(400)
    services.set_leaderboard_opt_out(current_user, choice == "1")
    db.session.commit()
    flash("You are off the individual leaderboard." if choice == "1" else "You are back on the leaderboard.", "success")
    return redirect(url_for("recognition.leaderboards"), code=303)


@bp.route("/recognition/flow")
@roles_required(*OVERSEERS)
def flow():
    quarter = rules.parse_quarter(request.args.get("quarter", ""), rules.quarter_of(clock.now()))
    functions, flows = queries.flow_matrix(rules.months_of_quarter(quarter))
    return render_template("recognition/flow.html", quarter=quarter, functions=functions, flows=flows,
                           one_way=rules.one_way_pairs(flows))


@bp.route("/recognition/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings():
    policy = services.get_policy()
    form = PolicyForm(obj=policy)
    if form.validate_on_submit():
        services.save_policy(current_user, {name: getattr(form, name).data or 0 for name in services.POLICY_FIELDS})
        db.session.commit()
        flash("Recognition settings saved.", "success")
        return redirect(url_for("recognition.settings"), code=303)
    return render_template("recognition/settings.html", form=form), 400 if form.errors else 200


@bp.route("/recognition/badges")
@signed_in
def badges():
    return render_template("recognition/badges.html", catalogue=queries.badge_catalogue())


@bp.route("/recognition/badges/new", methods=["GET", "POST"], defaults={"badge_id": None})
@bp.route("/recognition/badges/<int:badge_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def badge_form(badge_id: int | None):
    badge = db.get_or_404(BadgeDefinition, badge_id) if badge_id else None
    form = BadgeForm(obj=badge)
    if form.validate_on_submit():
        done = _save(form, lambda: services.save_badge(current_user, badge, form.name.data.strip(),
                                                       form.description.data.strip(), form.event.data,
                                                       form.threshold.data),
                     "Badge saved.", url_for("recognition.badges"))
        if done:
            return done
    title = f"Edit {badge.name}" if badge else "Add a badge"
    return render_template("recognition/badge_form.html", form=form, title=title), 400 if form.errors else 200

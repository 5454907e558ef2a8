"""Routes: the feed and its poll, kudos, wins and co-signs, reactions, comments, boards, flow, settings."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, get_flashed_messages, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from recognition import bp, queries, rules, services
from recognition.forms import AddonForm, BadgeForm, CommentForm, KudosForm, PolicyForm, ReasonForm, WinForm
from recognition.markup import story_html
from recognition.models import BadgeDefinition, FeedItem, FeedItemState, Kudos, Win, WinStatus
from recognition.values import value_choices
from webapp import clock
from webapp.auth.access import roles_required, signed_in
from webapp.cache import FEED, remember
from webapp.extensions import db
from webapp.forms import new_key
from webapp.paging import page_of_objects
from webapp.periods import Quarter, month_label, quarter_label, quarter_months
from webapp.rendering import (
    commit_or_flash,
    commit_or_show,
    form_status,
    redirect_back,
    render_page_or_fragment,
    wants_fragment,
)
from webapp.roles import Role

COSIGNERS = (Role.MANAGER, Role.LEADER)
OVERSEERS = (Role.HR, Role.LEADER, Role.ADMIN)


@bp.app_template_global("new_idempotency_key")
def new_idempotency_key() -> str:
    """A fresh key for a form that must not be applied twice."""
    return new_key()




# --- the feed ------------------------------------------------------------------------------

def _feed_filter() -> queries.FeedFilter:
    scope = request.args.get("scope", "everyone")
    tag = request.args.get("tag", "")
    return queries.FeedFilter(scope if scope in queries.FILTERS else "everyone",
                              tag if tag in services.company_values() else "", current_user.function_id)


@bp.route("/recognition")
@signed_in
def feed():
    flt = _feed_filter()
    size = current_app.config.get("RECOGNITION_FEED_PAGE_SIZE", 20)
    before = request.args.get("before", type=int)
    page = page_of_objects(queries.feed_items(flt, before), size)
    items = page.items
    context = {
        "items": items, "has_more": page.has_more, "flt": flt, "values": services.company_values(),
        "extras": queries.item_extras([i.id for i in items], current_user.id), "reactions": rules.REACTIONS,
    }
    if before is not None and wants_fragment():
        return render_template("recognition/_feed_items.html", **context)
    context["newest_id"] = queries.latest_item_id()  # the poll's watermark: by arrival (id), not by event time
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
    after = request.args.get("after", 0, type=int)
    if after >= remember([FEED], "feed:newest-id", queries.latest_item_id, local=True):
        return Response(status=204)  # nothing newer than the newest visible item: no query (webapp/cache.py)
    flt = _feed_filter()
    count = queries.count_new_items(flt, after, current_user.id)
    if not count:
        return Response(status=204)
    return render_template("recognition/_new_banner.html", count=count, flt=flt, newest_id=after,
                           poll_seconds=_poll_seconds())


def _item_or_404(item_id: int) -> FeedItem:
    item = db.get_or_404(FeedItem, item_id)
    if item.state != FeedItemState.VISIBLE.value and not current_user.has_role(Role.ADMIN):
        abort(404)
    return item


def _render_item_part(item: FeedItem, template: str, status: int = 200, **extra):
    extras = queries.item_extras([item.id], current_user.id)
    context = {"item": item, "extras": extras, "reactions": rules.REACTIONS, **extra}
    if wants_fragment():
        return render_template(template, **context), status
    return redirect(url_for("recognition.feed") + f"#feed-item-{item.id}", code=303)


def _flashed_text() -> str:
    """The messages just flashed, taken off the queue: a fragment answers with them instead."""
    return " ".join(str(message) for message in get_flashed_messages())


@bp.route("/recognition/items/<int:item_id>/react", methods=["POST"])
@signed_in
def react(item_id: int):
    item = _item_or_404(item_id)
    if commit_or_flash(lambda: services.toggle_reaction(current_user, item, request.form.get("emoji", ""))) is None:
        return Response(_flashed_text(), status=400)
    return _render_item_part(item, "recognition/_reactions.html")


@bp.route("/recognition/items/<int:item_id>/comments", methods=["POST"])
@signed_in
def comment(item_id: int):
    item = _item_or_404(item_id)
    form = CommentForm()
    if not form.validate_on_submit():
        if not wants_fragment():
            flash(" ".join(form.body.errors or form.idempotency_key.errors) or "Write a comment first.", "danger")
    elif commit_or_show(form, lambda: services.add_comment(current_user, item, form.body.data,
                                                           form.idempotency_key.data)) is not None:
        form = CommentForm(formdata=None)
    elif wants_fragment():
        _flashed_text()  # the fragment shows the form's errors itself
    return _render_item_part(item, "recognition/_comments.html", form_status(form), form=form)


@bp.route("/recognition/items/<int:item_id>/delete", methods=["POST"])
@signed_in
def delete_item(item_id: int):
    item = _item_or_404(item_id)
    done = commit_or_flash(lambda: services.delete_own_item(current_user, item))
    if wants_fragment():
        if done is None:
            return Response(_flashed_text(), status=409)
        return render_template("recognition/_item_removed.html", item=item)
    if done:
        flash("Your post is deleted.", "success")
    return redirect(url_for("recognition.feed"), code=303)


@bp.route("/recognition/items/<int:item_id>/hide", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def hide_item(item_id: int):
    item = _item_or_404(item_id)
    form = ReasonForm()
    if form.validate_on_submit() and commit_or_show(
            form, lambda: services.hide_item(current_user, item, form.reason.data)):
        flash("The post is hidden; the audit log has the reason.", "success")
        return redirect(url_for("recognition.feed"), code=303)
    return render_template("recognition/hide.html", item=item, form=form), form_status(form)


def _colleague_choices() -> list[SelectChoice]:
    return [SelectChoice(uid, label) for uid, label in queries.colleague_choices(current_user)]


# --- kudos -----------------------------------------------------------------------------------

@bp.route("/recognition/kudos/new", methods=["GET", "POST"])
@signed_in
def give_kudos():
    form = KudosForm()
    form.recipients.choices, form.value_tag.choices = _colleague_choices(), value_choices()
    policy = services.get_policy()
    form.message.description = (f"At least {policy.message_min} letters or digits (spaces, punctuation and repeats "
                                "do not count): what they did and why it mattered.")
    if form.validate_on_submit():
        kudos = commit_or_show(form, lambda: services.give_kudos(
            current_user, form.recipients.data, form.message.data, form.value_tag.data, form.points.data,
            form.idempotency_key.data))
        if kudos is not None:
            sent = f"Kudos sent to {', '.join(r.user.name for r in kudos.recipients)}."
            if wants_fragment():
                fresh = KudosForm(formdata=None)
                fresh.recipients.choices, fresh.message.description = form.recipients.choices, form.message.description
                fresh.value_tag.choices = form.value_tag.choices
                return render_template("recognition/_kudos_form.html", form=fresh, sent=sent, **_kudos_context())
            flash(sent, "success")
            return redirect(url_for("recognition.feed"), code=303)
        _flashed_text()  # the form shows its errors itself (page and fragment alike)
    return render_page_or_fragment("recognition/kudos.html", "recognition/_kudos_form.html", form=form,
                                   **_kudos_context()), 400 if request.method == "POST" else 200


def _kudos_context() -> dict:
    policy = services.get_policy()  # again: a rolled-back attempt may have created it
    now = clock.now()
    left = queries.allowance_left(current_user, month_label(now), policy.monthly_allowance,
                                  policy.per_report_extra)
    return {"allowance_left": left, "policy": policy, "expiry": queries.allowance_expiry(now),
            "trading": queries.trading_partners(current_user, now, policy.reciprocity_window_days)}


@bp.route("/recognition/kudos/<int:kudos_id>/addon", methods=["POST"])
@signed_in
def add_kudos_points(kudos_id: int):
    kudos = db.get_or_404(Kudos, kudos_id)
    form = AddonForm()
    if not form.validate_on_submit():
        flash(" ".join(form.idempotency_key.errors) or "Choose between 1 and 100 points.", "danger")
    else:
        commit_or_flash(lambda: services.add_to_kudos(current_user, kudos, form.points.data, form.idempotency_key.data),
                        f"You added {form.points.data} points for each receiver.")
    return redirect(url_for("recognition.feed"), code=303)


# --- wins ------------------------------------------------------------------------------------

@bp.route("/recognition/wins/new", methods=["GET", "POST"])
@roles_required(*COSIGNERS)
def log_win():
    form = WinForm()
    form.credited.choices, form.value_tags.choices = _colleague_choices(), value_choices()
    if request.method == "GET":  # another programme's "celebrate as a joint win" button prefills the story
        form.title.data, form.story.data = request.args.get("title", "")[:160], request.args.get("story", "")[:5000]
    if form.validate_on_submit():
        impact = (form.impact_amount.data, form.impact_unit.data or "", form.impact_outcome.data or "")
        win = commit_or_show(form, lambda: services.log_win(current_user, form.title.data, form.story.data,
                                                            form.credited.data, form.value_tags.data, impact,
                                                            form.idempotency_key.data))
        if win is not None:
            flash("The win waits for the co-signs of the other functions.", "success")
            return redirect(url_for("recognition.win_detail", win_id=win.id), code=303)
    return render_template("recognition/win_form.html", form=form), form_status(form)


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
    if commit_or_flash(lambda: services.cosign_win(current_user, win)) is None:
        return redirect(url_for("recognition.win_detail", win_id=win.id), code=303)
    flash("Co-signed. The win is published." if win.status == WinStatus.PUBLISHED.value else "Co-signed.", "success")
    return redirect_back(url_for("recognition.win_detail", win_id=win.id))


@bp.route("/recognition/wins/<int:win_id>/decline", methods=["POST"])
@roles_required(*COSIGNERS)
def decline(win_id: int):
    win = _visible_win(win_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        form.reason.errors = ["Say why you decline."]
        return _win_page(win, form, 400)
    if commit_or_show(form, lambda: services.decline_win(current_user, win, form.reason.data)) is None:
        return _win_page(win, form, 400)
    flash("You declined the win; whoever logged it can see your reason.", "success")
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
    quarter = str(Quarter.parse(request.args.get("quarter", "")) or quarter_label(clock.now()))
    boards = {name: queries.leaderboard(name, quarter) for name in queries.BOARDS}
    return render_template("recognition/leaderboards.html", boards=boards, quarter=quarter,
                           opted_out=queries.is_opted_out(current_user.id))


@bp.route("/recognition/leaderboards/opt-out", methods=["POST"])
@signed_in
def opt_out():
    choice = request.form.get("opt_out")
    if choice not in ("0", "1"):
        abort(400)
    commit_or_flash(lambda: services.set_leaderboard_opt_out(current_user, choice == "1"),
                    "You are off the leaderboards." if choice == "1" else "You are back on the leaderboards.")
    return redirect(url_for("recognition.leaderboards"), code=303)


@bp.route("/recognition/flow")
@roles_required(*OVERSEERS)
def flow():
    quarter = str(Quarter.parse(request.args.get("quarter", "")) or quarter_label(clock.now()))
    functions, flows = queries.flow_matrix(quarter_months(quarter))
    return render_template("recognition/flow.html", quarter=quarter, functions=functions, flows=flows,
                           one_way=rules.one_way_pairs(flows))


@bp.route("/recognition/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings():
    policy = services.get_policy()
    form = PolicyForm(obj=policy, value_names="\n".join(services.company_values().values()))
    values = {name: getattr(form, name).data or 0 for name in services.POLICY_FIELDS}
    values["value_names"] = form.value_names.data or ""
    if form.validate_on_submit() and commit_or_show(form, lambda: services.save_policy(current_user, values)):
        flash("Recognition settings saved.", "success")
        return redirect(url_for("recognition.settings"), code=303)
    return render_template("recognition/settings.html", form=form), form_status(form)


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
    saved = form.validate_on_submit() and commit_or_show(form, lambda: services.save_badge(
        current_user, badge, form.name.data.strip(), form.description.data.strip(), form.event.data,
        form.threshold.data))
    if saved:
        flash(f"Badge saved; {saved[1]} who already qualified by their history now hold it.", "success")
        return redirect(url_for("recognition.badges"), code=303)
    title = f"Edit {badge.name}" if badge else "Add a badge"
    return render_template("recognition/badge_form.html", form=form, title=title), form_status(form)


@bp.route("/recognition/badges/award-from-history", methods=["POST"])
@roles_required(Role.ADMIN)
def award_badges_from_history():
    """Give every badge to everyone whose history already meets it (no notifications, no feed posts)."""
    awarded = commit_or_flash(lambda: services.award_all_badges_from_history(current_user))
    if awarded is not None:
        flash(f"{awarded} badge(s) awarded to people whose history already met them (quietly).", "success")
    return redirect(url_for("recognition.badges"), code=303)

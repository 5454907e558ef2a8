"""What recognition adds to the shell: navigation, the profile and home tiles, demo history."""
from __future__ import annotations

from sqlalchemy import select

from recognition import queries, rules, services
from recognition.models import Kudos
from recognition.scorecard import bridge_share_figure, joint_win_figure, kudos_flow_figure
from webapp import clock
from webapp.main.checklist import any_row, register_setup_step
from webapp.main.navigation import register_nav_item
from webapp.main.scorecard import register_scorecard_figure
from webapp.main.tiles import register_tile
from webapp.people.models import User
from webapp.periods import month_label
from webapp.roles import Role


def profile_tile(viewer: User, subject: User) -> dict:
    """Balance, allowance left this month (and when it expires), badges, and recognition given and received.

    Someone who opted out of the leaderboard shows their points to nobody but themselves."""
    policy = services.get_policy()
    own = viewer.id == subject.id
    figures = queries.profile_figures(subject.id, month_label(clock.now()))
    granted = figures.granted if figures.granted is not None else rules.allowance_for(
        policy.monthly_allowance, policy.per_report_extra, figures.direct_reports)
    return {
        "person": subject,
        "balance": figures.balance if own or not figures.opted_out else None,
        "given": figures.given,
        "received": figures.received,
        "allowance_left": granted - figures.spent if own else None,
        "expiry": queries.allowance_expiry(clock.now()),
        "badges": queries.badges_of(subject.id),
    }


def cosign_tile(viewer: User, subject: User) -> dict | None:
    """Joint wins waiting for the viewer's function's co-sign, with inline co-sign and decline."""
    queue = queries.approval_queue(viewer)
    return {"queue": queue} if queue else None


def register() -> None:
    from recognition.demo import seed_recognition
    from webapp.cli import register_demo_seeder

    register_demo_seeder(30, "recognition", seed_recognition)
    register_nav_item("Celebrate", "recognition.feed", group="Recognition")
    register_setup_step(
        "kudos", "Give the first kudos", "Thank someone from another function, in public: it shows how recognition "
        "works.", "recognition.give_kudos", lambda: any_row(select(Kudos.id)), order=80)
    register_nav_item("Leaderboards", "recognition.leaderboards", group="Recognition")
    register_nav_item("Badges", "recognition.badges", group="Recognition")
    register_nav_item("Co-signs", "recognition.approvals", Role.MANAGER, Role.LEADER, group="Recognition")
    register_nav_item("Recognition flow", "recognition.flow", Role.HR, Role.LEADER, Role.ADMIN, group="Recognition")
    register_nav_item("Recognition settings", "recognition.settings", Role.ADMIN, group="Recognition")
    register_tile("profile", "recognition", "recognition/_tile_profile.html", profile_tile, order=20)
    register_tile("home", "recognition", "recognition/_tile_profile.html", profile_tile, order=20)
    register_tile("home", "cosigns", "recognition/_tile_cosigns.html", cosign_tile, Role.MANAGER, Role.LEADER, order=3)
    register_scorecard_figure("Collaboration", "joint-wins", joint_win_figure, order=10)
    register_scorecard_figure("Collaboration", "kudos-flow", kudos_flow_figure, order=20)
    register_scorecard_figure("Engagement", "bridge-share", bridge_share_figure, order=20)

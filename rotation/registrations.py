"""What the rotation package adds to the shell: navigation, home and profile tiles, demo data."""
from __future__ import annotations

from sqlalchemy import select

from rotation import queries
from rotation.models import Cohort, PlacementStatus, Program
from rotation.scorecard import rotation_figures
from webapp import clock
from webapp.extensions import db
from webapp.main.checklist import any_row, register_setup_step
from webapp.main.navigation import register_nav_item
from webapp.main.scorecard import register_scorecard_figure
from webapp.main.tiles import register_tile
from webapp.people.models import User
from webapp.roles import Role


def my_rotation_tile(viewer: User, subject: User) -> dict | None:
    """My latest application and placement, and cohorts open for applications today."""
    today = clock.today()
    application = db.session.scalars(queries.list_my_applications(subject).limit(1)).first()
    placement = queries.placement_for(application) if application else None
    open_cohorts = db.session.scalars(select(Cohort).where(
        Cohort.applications_open_on <= today, Cohort.applications_close_on >= today).order_by(Cohort.starts_on)).all()
    if application is None and not open_cohorts:
        return None
    return {"application": application, "placement": placement, "open_cohorts": open_cohorts, "today": today}


def approvals_tile(viewer: User, subject: User) -> dict | None:
    """Applications waiting for my decision, and openings I host with applicants to rank."""
    waiting = db.session.scalars(queries.list_waiting_approvals(subject)).all()
    hosted = [o for o in db.session.scalars(queries.list_hosted_openings(subject))
              if o.cohort.matching_on >= clock.today()]
    if not waiting and not hosted:
        return None
    return {"waiting": waiting, "hosted": hosted}


def rotations_profile_tile(viewer: User, subject: User) -> dict | None:
    """The rotations a person completed (alumni)."""
    completed = [p for p in db.session.scalars(queries.list_my_placements(subject))
                 if p.status == PlacementStatus.COMPLETED.value and p.application.applicant_id == subject.id]
    return {"completed": completed, "person": subject} if completed else None


def cohorts_tile(viewer: User, subject: User) -> dict | None:
    """HR: every cohort not yet over, its phase, and applications still waiting for a manager."""
    cohorts = queries.cohort_status(clock.today())
    return {"cohorts": cohorts} if cohorts else None


def register() -> None:
    from rotation.demo import seed_rotations
    from webapp.cli import register_demo_seeder

    register_demo_seeder(20, "rotations", seed_rotations)
    register_nav_item("Rotations", "rotation.index", group="Rotations")
    register_setup_step(
        "rotation-program", "Start a first rotation program", "Who may rotate, into which functions, for how long; "
        "then open a cohort and host managers post openings.", "rotation.program_form",
        lambda: any_row(select(Program.id)), order=60)
    register_nav_item("Rotation approvals", "rotation.approvals", Role.MANAGER, group="Rotations")
    register_nav_item("Rotation settings", "rotation.settings", Role.ADMIN, group="Rotations")
    register_tile("home", "my-rotation", "rotation/_tile_my_rotation.html", my_rotation_tile, order=20)
    register_tile("home", "rotation-approvals", "rotation/_tile_approvals.html", approvals_tile, order=4)
    register_tile("profile", "rotations", "rotation/_tile_rotations.html", rotations_profile_tile, order=20)
    register_scorecard_figure("Collaboration", "rotations", rotation_figures, order=30)
    register_tile("home", "rotation-cohorts", "rotation/_tile_cohorts.html", cohorts_tile, Role.HR, order=40)

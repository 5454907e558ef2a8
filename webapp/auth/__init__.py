"""Sign-in, sign-out, passwords, role checks and the audit log."""
from flask import Blueprint, Flask

bp = Blueprint("auth", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Attach the routes, register what this package adds to the shell, then the blueprint."""
    from webapp.auth import views  # noqa: F401  (their routes and commands attach to bp)
    from webapp.auth.invitations import everyone_can_get_in
    from webapp.main.checklist import register_setup_step
    from webapp.main.navigation import register_nav_item
    from webapp.roles import Role

    register_nav_item("Audit log", "auth.audit_log", Role.ADMIN, group="People")
    register_nav_item("Invite people", "auth.invitations", Role.ADMIN, Role.HR, group="People")
    register_setup_step(
        "invitations", "Invite people to sign in", "Each person gets a link to choose a password (by e-mail, or "
        "for you to pass on).", "auth.invitations", everyone_can_get_in, order=50)

    app.register_blueprint(bp)

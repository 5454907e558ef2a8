"""Sign-in, sign-out, passwords, role checks and the audit log."""
from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from webapp.auth import views  # noqa: E402,F401

from webapp.main.navigation import register_nav_item  # noqa: E402
from webapp.roles import Role  # noqa: E402

register_nav_item("Audit log", "auth.audit_log", Role.ADMIN, group="People")

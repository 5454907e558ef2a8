"""Sign-in, sign-out, passwords, role checks and the audit log."""
from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from webapp.auth import views  # noqa: F401
from webapp.main.navigation import register_nav_item
from webapp.roles import Role

register_nav_item("Audit log", "auth.audit_log", Role.ADMIN, group="People")

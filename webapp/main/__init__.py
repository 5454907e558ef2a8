"""Home pages: render the tiles that domains register; never import a domain."""
from flask import Blueprint

bp = Blueprint("main", __name__, template_folder="templates")

from webapp.main import views  # noqa: E402,F401

from webapp.main.navigation import register_nav_item  # noqa: E402
from webapp.people.roles import Role  # noqa: E402

register_nav_item("Home", "main.home")
register_nav_item("Scorecard", "main.scorecard", Role.LEADER, Role.HR, Role.ADMIN)

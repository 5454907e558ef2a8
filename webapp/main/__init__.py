"""Home pages and the leadership scorecard: render the tiles and figures that domains register."""
from flask import Blueprint

bp = Blueprint("main", __name__, template_folder="templates")

from webapp.main import views  # noqa: F401
from webapp.main.registrations import register

register()

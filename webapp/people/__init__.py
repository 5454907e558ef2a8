"""People: functions (departments), teams, people, roles, the directory and the CSV import."""
from flask import Blueprint

bp = Blueprint("people", __name__, template_folder="templates")

from webapp.people import views  # noqa: F401
from webapp.people.registrations import register

register()

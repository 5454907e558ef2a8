"""Rotations: programs, cohorts, host openings, applications, a stable matching, placements and completion."""
from flask import Blueprint

import webapp.people  # noqa: F401  (people before auth, as create_app loads them; lets rotation.matching load cold)

bp = Blueprint("rotation", __name__, template_folder="templates")

from rotation import views  # noqa: F401
from rotation.registrations import register

register()

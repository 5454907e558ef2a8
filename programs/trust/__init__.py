"""Trust pulse: anonymous function-to-function surveys, trust indices over time, business outcomes."""
from flask import Blueprint

bp = Blueprint("trust", __name__, template_folder="templates")

from programs.trust import commands, views  # noqa: F401
from programs.trust.registrations import register

register()

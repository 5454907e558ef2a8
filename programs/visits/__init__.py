"""Joint customer visits: accounts, visits attended by several functions, notes, learnings, follow-ups, coverage."""
from flask import Blueprint

bp = Blueprint("visits", __name__, template_folder="templates")

from programs.visits import commands, views  # noqa: F401
from programs.visits.registrations import register

register()

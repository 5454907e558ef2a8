"""Recognition: joint wins, kudos, the celebration feed, the points ledger, badges and leaderboards."""
from flask import Blueprint

import webapp.people  # noqa: F401  (people before auth, in the order create_app loads them)

bp = Blueprint("recognition", __name__, template_folder="templates")

from recognition import views  # noqa: F401
from recognition.registrations import register
from recognition.services import connect_receivers

register()
connect_receivers()

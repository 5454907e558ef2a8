"""The notification centre: in-app notifications, optional e-mail, and the joint-win webhook."""
from flask import Blueprint

bp = Blueprint("notifications", __name__, template_folder="templates")

from webapp.notifications import views  # noqa: F401
from webapp.notifications.delivery import connect_receivers

connect_receivers()

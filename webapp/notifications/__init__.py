"""The notification centre: in-app notifications, and the outbox of optional e-mail and the joint-win webhook."""
from flask import Blueprint, Flask

bp = Blueprint("notifications", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Attach the routes, register what this package adds to the shell, then the blueprint."""
    from webapp.notifications import views  # noqa: F401  (their routes and commands attach to bp)
    from webapp.notifications.services import connect_receivers
    connect_receivers()

    app.register_blueprint(bp)

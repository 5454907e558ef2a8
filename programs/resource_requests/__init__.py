""""Yes, if..." resource requests between two functions: options with conditions as data, a what-if table with its
flip point, deciding together, escalation to leaders at the deadline, and a look-back."""
from flask import Blueprint, Flask

bp = Blueprint("resource_requests", __name__, template_folder="templates", url_prefix="/requests",
               cli_group="requests")


def init_app(app: Flask) -> None:
    """Attach the routes, register what this package adds to the shell, then the blueprint."""
    from programs.resource_requests import commands, views  # noqa: F401  (their routes and commands attach to bp)
    from programs.resource_requests.registrations import register
    register()

    app.register_blueprint(bp)

"""The monthly business review: one balanced scorecard two functions review together every month, with targets,
amber and red thresholds, notes from both sides, decisions, the leaders' sign-off, a frozen pack, and alerts."""
from flask import Blueprint, Flask

bp = Blueprint("business_review", __name__, template_folder="templates", url_prefix="/business-review")


def init_app(app: Flask) -> None:
    """Attach the routes, register what this package adds to the shell, then the blueprint."""
    from programs.business_review import commands, views  # noqa: F401  (their routes and commands attach to bp)
    from programs.business_review.registrations import register
    register()

    app.register_blueprint(bp)

"""Joint problem-solving reviews: blameless, written by two or more functions, signed off by each, with actions."""
from flask import Blueprint, Flask

bp = Blueprint("joint_reviews", __name__, template_folder="templates", url_prefix="/reviews")


def init_app(app: Flask) -> None:
    """Attach the routes and commands, register what this package adds to the shell, then the blueprint."""
    from programs.joint_reviews import commands, views  # noqa: F401  (their routes and commands attach to bp)
    from programs.joint_reviews.registrations import register
    register()

    app.register_blueprint(bp)

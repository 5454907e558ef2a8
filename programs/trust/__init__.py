"""Trust pulse: anonymous function-to-function surveys, trust indices over time, business outcomes."""
from flask import Blueprint, Flask

bp = Blueprint("trust", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Attach the routes, register what this package adds to the shell, then the blueprint."""
    from programs.trust import commands, views  # noqa: F401  (their routes and commands attach to bp)
    from programs.trust.registrations import register
    register()

    app.register_blueprint(bp)

"""Joint customer visits: accounts, visits attended by several functions, notes, learnings, follow-ups, coverage."""
from flask import Blueprint, Flask

bp = Blueprint("visits", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Attach the routes, register what this package adds to the shell, then the blueprint."""
    from programs.visits import commands, views  # noqa: F401  (their routes and commands attach to bp)
    from programs.visits.registrations import register
    register()

    app.register_blueprint(bp)

"""Rotations: programs, cohorts, host openings, applications, a stable matching, placements and completion."""
from flask import Blueprint, Flask

bp = Blueprint("rotation", __name__, template_folder="templates", static_folder="static",
               static_url_path="/rotation/static")


def init_app(app: Flask) -> None:
    """Attach the routes, register what this package adds to the shell, then the blueprint."""
    from rotation import commands, views  # noqa: F401  (their routes and commands attach to bp)
    from rotation.registrations import register
    register()

    app.register_blueprint(bp)

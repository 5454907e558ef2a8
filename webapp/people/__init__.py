"""People: functions (departments), teams, people, roles, the directory and the CSV import."""
from flask import Blueprint, Flask

bp = Blueprint("people", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Attach the routes, register what this package adds to the shell, then the blueprint."""
    from webapp.people import views  # noqa: F401  (their routes and commands attach to bp)
    from webapp.people.registrations import register
    register()

    app.register_blueprint(bp)

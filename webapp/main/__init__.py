"""Home pages and the leadership scorecard: render the tiles and figures that domains register."""
from flask import Blueprint, Flask

bp = Blueprint("main", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Attach the routes, register what this package adds to the shell, then the blueprint."""
    from webapp.main import views  # noqa: F401  (their routes and commands attach to bp)
    from webapp.main.registrations import register
    register()

    app.register_blueprint(bp)

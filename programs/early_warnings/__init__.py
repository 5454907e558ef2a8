"""Early warnings: one function tells another early about a problem that will hit the numbers; acknowledged, discussed,
closed with what happened, and reconciled with the numbers at period close."""
from flask import Blueprint, Flask

bp = Blueprint("early_warnings", __name__, template_folder="templates", url_prefix="/warnings")


def init_app(app: Flask) -> None:
    """Attach the routes and commands, register what this package adds to the shell, then the blueprint."""
    from programs.early_warnings import commands, views  # noqa: F401  (their routes and commands attach to bp)
    from programs.early_warnings.registrations import register
    register()

    app.register_blueprint(bp)

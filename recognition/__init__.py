"""Recognition: joint wins, kudos, the celebration feed, the points ledger, badges and leaderboards."""
from flask import Blueprint, Flask

bp = Blueprint("recognition", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Attach the routes, register what this package adds to the shell, then the blueprint."""
    from recognition import commands, views  # noqa: F401  (their routes and commands attach to bp)
    from recognition.registrations import register
    from recognition.services import connect_receivers
    from recognition.values import company_value_name

    register()
    connect_receivers()
    app.jinja_env.filters["company_value"] = company_value_name

    app.register_blueprint(bp)

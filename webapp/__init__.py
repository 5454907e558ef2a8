"""The Flask shell of Common Ground: create_app is the one place that knows every package."""
from __future__ import annotations

import importlib

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import extensions as ext
from webapp import formatting
from webapp.cache import init_cache
from webapp.config import DEFAULT_SECRET_KEY, INSTANCE_DIR, Config, config_from_environment
from webapp.input_guard import BoundedIntConverter
from webapp.logs import configure_logging


def create_app(config: type[Config] | None = None) -> Flask:
    """Build the application from a config class (default: chosen by COMMONGROUND_ENV)."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.from_object(config or config_from_environment())
    refuse_insecure_production(app)
    configure_logging(app)
    INSTANCE_DIR.mkdir(exist_ok=True)
    app.url_map.converters["int"] = BoundedIntConverter
    trust_proxies(app)

    _init_extensions(app)
    formatting.init_app(app)
    _init_packages(app)
    _register_hooks(app)

    from webapp.cli import register_commands

    register_commands(app)
    return app


def refuse_insecure_production(app: Flask) -> None:
    """Production must not run with the default (public) secret key."""
    key = app.config.get("SECRET_KEY") or ""
    if app.config["ENV_NAME"] == "production" and (key == DEFAULT_SECRET_KEY or len(key) < 32):
        raise RuntimeError(
            "Refusing to start in production without a real SECRET_KEY "
            "(set SECRET_KEY to a random string of at least 32 characters)."
        )


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address, scheme and host from their headers."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _init_extensions(app: Flask) -> None:
    ext.db.init_app(app)
    ext.migrate.init_app(app, ext.db, directory=str(INSTANCE_DIR.parent / "migrations"), render_as_batch=True)
    for extension in (ext.csrf, ext.htmx, ext.limiter, ext.login_manager):
        extension.init_app(app)
    init_cache(app)

    from webapp.people.queries import load_session_user

    ext.login_manager.user_loader(load_session_user)
    ext.login_manager.login_view = "auth.login"
    ext.login_manager.login_message = "Please sign in to see that page."
    ext.login_manager.login_message_category = "info"
    ext.login_manager.session_protection = "basic"


# Every package of the product, in wiring order; each init_app(app) registers its blueprint, navigation,
# tiles, scorecard figures, demo seeders and receivers. Importing a package registers nothing.
PACKAGES = (
    "webapp.main",
    "webapp.people",
    "webapp.auth",
    "webapp.notifications",
    "rotation",
    "programs.visits",
    "programs.resource_requests",
    "recognition",
    "programs.trust",
    "programs.joint_reviews",
    "programs.business_review",
    "programs.early_warnings",
)


def _init_packages(app: Flask) -> None:
    for package in PACKAGES:
        importlib.import_module(package).init_app(app)


def _register_hooks(app: Flask) -> None:
    from webapp.auth.access import refuse_undeclared_views
    from webapp.input_guard import refuse_hostile_input
    from webapp.main.errors import register_error_handlers
    from webapp.main.navigation import inject_navigation
    from webapp.main.security import set_security_headers
    from webapp.rendering import field_aria, icon, sparkline_points

    app.before_request(refuse_undeclared_views)
    app.before_request(refuse_hostile_input)
    app.after_request(set_security_headers)
    app.context_processor(inject_navigation)
    app.jinja_env.globals.update(field_aria=field_aria, icon=icon, sparkline_points=sparkline_points)
    register_error_handlers(app)

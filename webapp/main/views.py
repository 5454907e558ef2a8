"""Home page and a bare health route."""
from flask import render_template
from flask_login import current_user

from webapp.auth.access import public, signed_in
from webapp.main import bp
from webapp.main.tiles import tiles_for


@bp.route("/")
@signed_in
def home():
    return render_template("main/home.html", tiles=tiles_for("home", current_user))


@bp.route("/health")
@public
def health():
    """Bare route: liveness probe, and the baseline of the throughput benchmarks."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}

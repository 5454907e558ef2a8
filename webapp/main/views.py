"""Home page, the leadership scorecard (page and CSV), and a bare health route."""
from __future__ import annotations

import csv
import io

from flask import Response, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup

from webapp import clock
from webapp.auth.access import public, roles_required, signed_in
from webapp.cache import DATA, remember
from webapp.main import bp
from webapp.main.scorecard import ROWS, active_functions, build_scorecard, default_pair
from webapp.main.tiles import rendered_home_tiles
from webapp.people.models import Function
from webapp.periods import FIRST_YEAR, LAST_YEAR, Quarter, last_complete_quarter
from webapp.roles import Role

SCORECARD_ROLES = (Role.LEADER, Role.HR, Role.ADMIN)


@bp.route("/")
@signed_in
def home():
    return render_template("main/home.html", tiles=rendered_home_tiles(current_user))


@bp.route("/health")
@public
def health():
    """Bare route: liveness probe, and the baseline of the throughput benchmarks."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


def _scorecard_choice() -> tuple[Quarter, tuple[int, int] | None, list[Function], list[str]]:
    """The quarter and function pair asked for (or the defaults), with messages for bad input."""
    functions = active_functions()
    problems = []
    quarter = Quarter.parse(request.args.get("quarter", "")) if request.args.get("quarter") else None
    if request.args.get("quarter") and quarter is None:
        problems.append(f"Choose a quarter like 2026-Q3, between {FIRST_YEAR} and {LAST_YEAR}.")
    quarter = quarter or last_complete_quarter()
    ids = {f.id for f in functions}
    default = default_pair(functions)
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    if not any(request.args.get(k) for k in ("a", "b")):
        return quarter, default, functions, problems
    if a is None or b is None or a not in ids or b not in ids or a == b:
        problems.append("Choose two different functions.")
        return quarter, default, functions, problems
    return quarter, (a, b), functions, problems


@bp.route("/scorecard")
@roles_required(*SCORECARD_ROLES)
def scorecard():
    quarter, pair, functions, problems = _scorecard_choice()
    names = {f.id: f.name for f in functions}
    quarters = [str(q) for q in Quarter.containing(clock.today()).trailing(8)][::-1]
    return render_template(
        "main/scorecard.html", quarter=quarter, pair=pair, names=names, functions=functions,
        rows_markup=_scorecard_rows(quarter, pair), quarters=quarters, problems=problems,
    ), 400 if problems else 200


def _scorecard_rows(quarter: Quarter, pair: tuple[int, int] | None) -> Markup:
    """The rows' markup, cached with the figures it shows until a write changes them (it holds nothing of the
    viewer): a page read again formats none of its numbers."""
    if pair is None:
        return Markup(render_template("main/_scorecard_rows.html", rows={row: [] for row in ROWS}, quarter=quarter))
    key = f"scorecard-rows:{quarter}:{pair[0]}-{pair[1]}:{current_app.config['ORG_LOCALE']}"
    return Markup(remember([DATA], key, lambda: render_template(
        "main/_scorecard_rows.html", rows=build_scorecard(quarter, pair), quarter=quarter)))


@bp.route("/scorecard.csv")
@roles_required(*SCORECARD_ROLES)
def scorecard_csv():
    quarter, pair, _, problems = _scorecard_choice()
    if problems or pair is None:
        return Response("; ".join(problems) or "no function pair", status=400, mimetype="text/plain")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "figure", "quarter", "value", "unit", "previous quarter", "change"])
    for row, figures in build_scorecard(quarter, pair).items():
        for figure in figures:
            writer.writerow([row, figure.label, str(quarter), _csv_number(figure.value), figure.unit,
                             _csv_number(figure.previous), _csv_number(figure.change)])
    filename = f"scorecard-{quarter}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


def _csv_number(value: float | None) -> str:
    """The precision the scorecard page shows (whole numbers as they are, else one decimal), never more."""
    if value is None:
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"

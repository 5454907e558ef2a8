"""The outcome page's tables and scatter chart, from analysis.py's frames (no Flask).

Numbers as people read them: counts as whole numbers, r to two decimals, p as "p < 0.001",
a constant series or a test with too few points says so instead of showing figures.
"""
from __future__ import annotations

import math

import altair as alt
import pandas as pd

from programs.trust import analysis
from programs.trust.presenting import Table, fmt

CHANGES_TITLE = "Outcome later by"


def _r(value: float) -> str:
    return "" if value is None or math.isnan(value) else f"{value:+.2f}".replace("+", "")


def _interval(row: dict) -> str:
    return "" if math.isnan(row["ci_low"]) else f"{row['ci_low']:.2f} to {row['ci_high']:.2f}"


def _p(row: dict) -> str:
    return "" if math.isnan(row["p_adjusted"]) else analysis.format_p(row["p_adjusted"])


def _lag(lag: int) -> str:
    return f"{lag} quarter{'s' if lag != 1 else ''}"


def _n_eff(value: float) -> str:
    return "" if value is None or math.isnan(value) else f"{value:.1f}"


def lags_table(frame: pd.DataFrame, outcome: analysis.Outcome) -> Table:
    """Per lag: levels r with its effective n (descriptive) beside the tested correlation of changes."""
    rows = [{"lag": _lag(row["lag"]), "levels_n": row["levels_n"],
             "levels_r": "constant" if row["levels_constant"] else _r(row["levels_r"]),
             "levels_n_eff": _n_eff(row["levels_n_eff"]), "n": row["n"],
             "r": _r(row["r"]), "ci": _interval(row), "p": _p(row), "verdict": analysis.verdict(row, outcome)}
            for row in frame.to_dict("records")]
    return Table(
        "lags",
        "Trust and the outcome: levels (shared trends included) and quarter-on-quarter changes (tested)",
        [
            ("lag", CHANGES_TITLE),
            ("levels_n", "Quarters paired"),
            ("levels_r", "r of levels"),
            ("levels_n_eff", "Effective n of levels"),
            ("n", "Changes paired"),
            ("r", "r of changes"),
            ("ci", "95% interval"),
            ("p", "p (Holm-corrected)"),
            ("verdict", "What it says"),
        ],
        rows,
    )


def pooled_table(frame: pd.DataFrame, outcome: analysis.Outcome) -> Table:
    rows = [{"lag": _lag(row["lag"]), "n": row["n"], "functions": row["functions"], "quarters": row["quarters"],
             "r": _r(row["r"]), "ci": _interval(row), "p": _p(row),
             "verdict": analysis.verdict(row, outcome, pooled=True)}
            for row in frame.to_dict("records")]
    return Table("pooled", "All functions together, each function's level and each quarter's shared movement removed", [
        ("lag", CHANGES_TITLE), ("n", "Points"), ("functions", "Functions"), ("quarters", "Quarters"),
        ("r", "Partial r"), ("ci", "95% interval"), ("p", "p (Holm-corrected)"), ("verdict", "What it says")], rows)


def aligned_table(aligned: pd.DataFrame, metric_label: str) -> Table:
    """Index and outcome per quarter; a partial quarter says how many months it has and that tests leave it out."""
    rows = [
        {
            "quarter": r["quarter"],
            "index": fmt(r["index"]),
            "value": fmt(r["value"], 2),
            "note": "" if r["complete"] or pd.isna(r["value"]) else f"{r['months']} of 3 months: left out of the tests",
        }
        for r in aligned.to_dict("records")
    ]
    return Table("aligned", "Index and outcome per quarter", [
        ("quarter", "Quarter"), ("index", "Trust index"), ("value", metric_label), ("note", "Note")], rows)


def points_table(points: pd.DataFrame, metric_label: str) -> Table:
    rows = [{"quarter": r["quarter"], "x": fmt(r["x"], 1), "y": fmt(r["y"], 2)} for r in points.to_dict("records")]
    return Table("points", "Quarter-on-quarter changes, same quarter (the points of the scatter)", [
        ("quarter", "Quarter"), ("x", "Change in trust index"), ("y", f"Change in {metric_label}")], rows)


def scatter_chart(points: pd.DataFrame, metric_label: str) -> dict:
    """The paired changes, the least-squares line and its 95% band (rounded as the table shows them)."""
    line = analysis.fit_line(points["x"].to_numpy(float), points["y"].to_numpy(float))
    dots = [{"quarter": r["quarter"], "x": round(r["x"], 1), "y": round(r["y"], 2)} for r in points.to_dict("records")]
    band = [{key: round(float(value), 2) for key, value in r.items()} for r in line.to_dict("records")]
    x = alt.X("x:Q", title="Change in trust index")
    y_title = f"Change in {metric_label}"
    area = alt.Chart(alt.Data(values=band)).mark_area(opacity=0.2, color="#1f77b4").encode(
        x=x, y=alt.Y("low:Q", title=y_title), y2="high:Q")
    fit = alt.Chart(alt.Data(values=band)).mark_line(color="#1f77b4").encode(x=x, y=alt.Y("fit:Q", title=y_title))
    scatter = alt.Chart(alt.Data(values=dots)).mark_point(filled=True, size=60, color="#d95f02").encode(
        x=x, y=alt.Y("y:Q", title=y_title), tooltip=["quarter:N", "x:Q", "y:Q"])
    return alt.layer(area, fit, scatter).properties(width="container", height=260).to_dict()

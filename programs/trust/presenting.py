"""Stored reports and outcome series turned into page tables and Altair (Vega-Lite) chart specs.

No Flask: plain data in, Table objects (rendered on the page and exported as CSV from one
definition) and JSON-ready chart specs out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import altair as alt
import pandas as pd

from programs.trust import analysis

SUPPRESSED = "fewer than {k} responses"


@dataclass
class Table:
    name: str
    caption: str
    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[dict]

    def to_csv(self) -> str:
        frame = pd.DataFrame(self.rows, columns=[key for key, _ in self.columns])
        return frame.rename(columns=dict(self.columns)).to_csv(index=False)


def fmt(value, digits: int = 0, percent: bool = False) -> str:
    """A number for a table cell; empty for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value * 100:.0f}%" if percent else f"{value:.{digits}f}"


ALIKE = "none: every answer alike"


def _interval(row: dict) -> str:
    if row.get("alike"):
        return ALIKE
    return f"{fmt(row.get('ci_low'))}–{fmt(row.get('ci_high'))}" if row.get("ci_low") is not None else ""


def pairs_table(report: dict, names: dict[int, str]) -> Table:
    """Every rater-target cell, with "fewer than k responses" where it is hidden."""
    hidden_text = SUPPRESSED.format(k=report["k"])
    rows = []
    for cell in sorted(report["cells"], key=lambda c: (names[c["rater"]], names[c["target"]])):
        rows.append({"rater": names[cell["rater"]], "target": names[cell["target"]],
                     "index": hidden_text if cell["hidden"] else fmt(cell["index"]),
                     "ci": "" if cell["hidden"] else _interval(cell),
                     "favourable": "" if cell["hidden"] else fmt(cell["favourable"], percent=True),
                     "n": "" if cell["hidden"] else cell["n"]})
    return Table("pairs", "Trust index per pair (rows rate columns)", [
        ("rater", "Rater function"), ("target", "Rated function"), ("index", "Index (0-100)"),
        ("ci", "95% interval"), ("favourable", "Favourable"), ("n", "Respondents")], rows)


def matrix_grid(report: dict, names: dict[int, str]) -> dict:
    """The matrix as rows of (rater, [cell text per target]) for the page."""
    hidden_text = SUPPRESSED.format(k=report["k"])
    raters = sorted({c["rater"] for c in report["cells"]}, key=lambda f: names.get(f, ""))
    targets = sorted({c["target"] for c in report["cells"]}, key=lambda f: names.get(f, ""))
    cells = {(c["rater"], c["target"]): c for c in report["cells"]}

    def text(rater, target):
        cell = cells.get((rater, target))
        if cell is None:
            return {"text": "—", "hidden": False}
        if cell["hidden"]:
            return {"text": hidden_text, "hidden": True}
        return {"text": f"{fmt(cell['index'])} (n {cell['n']})", "hidden": False}

    return {"targets": [names[t] for t in targets],
            "rows": [(names[r], [text(r, t) for t in targets]) for r in raters]}


def dimensions_table(report: dict, names: dict[int, str]) -> Table:
    rows = []
    for cell in sorted(report["cells"], key=lambda c: (names[c["rater"]], names[c["target"]])):
        for dimension, figure in sorted(cell["dimensions"].items()):
            rows.append({"rater": names[cell["rater"]], "target": names[cell["target"]], "dimension": dimension,
                         "index": fmt(figure["index"]), "ci": _interval(figure),
                         "favourable": fmt(figure["favourable"], percent=True), "n": figure["n"]})
    return Table("dimensions", "Index per dimension (shown pairs only)", [
        ("rater", "Rater function"), ("target", "Rated function"), ("dimension", "Dimension"),
        ("index", "Index"), ("ci", "95% interval"), ("favourable", "Favourable"), ("n", "Respondents")], rows)


def enps_table(report: dict, names: dict[int, str]) -> Table:
    hidden_text = SUPPRESSED.format(k=report["k"])
    rows = [{"target": names[row["target"]],
             "enps": hidden_text if row["hidden"] else fmt(row["enps"]),
             "promoters": "" if row["hidden"] else row["promoters"],
             "detractors": "" if row["hidden"] else row["detractors"],
             "n": "" if row["hidden"] else row["n"]}
            for row in sorted(report["enps"], key=lambda r: names[r["target"]])]
    return Table("enps", "eNPS per rated function (promoters 9-10 minus detractors 0-6)", [
        ("target", "Rated function"), ("enps", "eNPS"), ("promoters", "Promoters"), ("detractors", "Detractors"),
        ("n", "Answers")], rows)


def alpha_table(report: dict) -> Table:
    rows = [{"dimension": row["dimension"], "items": row["items"], "n": row["n"], "alpha": fmt(row["alpha"], 2),
             "flag": "below 0.7: items may not measure one thing" if row["low"] else ""}
            for row in report["alpha"]]
    return Table("alpha", "Internal consistency per dimension (Cronbach's alpha)", [
        ("dimension", "Dimension"), ("items", "Items"), ("n", "Ratings"), ("alpha", "Alpha"), ("flag", "Flag")], rows)


def asymmetry_table(report: dict, names: dict[int, str]) -> Table:
    rows = [{"a": names[row["a"]], "b": names[row["b"]], "a_rates_b": fmt(row["a_rates_b"]),
             "b_rates_a": fmt(row["b_rates_a"]), "gap": fmt(row["gap"])}
            for row in report["asymmetry"]]
    return Table("asymmetry", "Asymmetry: the two directions of each pair", [
        ("a", "Function A"), ("b", "Function B"), ("a_rates_b", "A rates B"), ("b_rates_a", "B rates A"),
        ("gap", "Gap (A→B minus B→A)")], rows)


def rates_table(rates: list[dict]) -> Table:
    rows = [{**row, "rate": fmt(row["rate"], percent=True)} for row in rates]
    return Table("rates", "Response rate per answering function", [
        ("function", "Function"), ("people", "People"), ("answered", "Answered"), ("rate", "Rate")], rows)


def trend_frame(waves: list[tuple[str, dict]], names: dict[int, str]) -> pd.DataFrame:
    """Shown pair indices per wave: waves is [(period, report)] in time order."""
    rows = [{"wave_order": order, "period": period, "rater": names[c["rater"]], "target": names[c["target"]],
             "dimension": analysis.ALL, "index": c["index"], "se": math.nan if c.get("se") is None else c["se"]}
            for order, (period, report) in enumerate(waves) for c in report["cells"] if not c["hidden"]]
    columns = ["wave_order", "period", "rater", "target", "dimension", "index", "se"]
    return analysis.trends(pd.DataFrame(rows, columns=columns))


def _change_verdict(row: dict) -> str:
    if pd.isna(row["change"]):
        return ""
    if pd.isna(row["change_margin"]):
        return f"no interval (answers alike){row['since']}"
    return ("larger than its uncertainty" if row["significant"] else "within its uncertainty") + row["since"]


def _spans(trend: pd.DataFrame, periods: list[str]) -> list[str]:
    """For each trend row: a note when its change skips a wave in which the pair is not shown."""
    previous = trend.groupby(["rater", "target"], sort=False)["wave_order"].shift()
    return ["" if pd.isna(before) or order - before <= 1 else
            f"; since {periods[int(before)]}: the pair is hidden (or was not asked) in the wave between"
            for order, before in zip(trend["wave_order"], previous, strict=True)]


def trends_table(trend: pd.DataFrame, periods: list[str] | None = None) -> Table:
    """periods: the period of every closed wave in order (wave_order indexes it), to name a skipped wave."""
    trend = trend.assign(since=_spans(trend, periods or []) if periods else "")
    rows = [{"period": row["period"], "rater": row["rater"], "target": row["target"], "index": fmt(row["index"]),
             "change": fmt(row["change"]), "margin": fmt(row["change_margin"]), "verdict": _change_verdict(row)}
            for row in trend.to_dict("records")]
    return Table("trends", "Trend per pair over waves", [
        ("period", "Quarter"), ("rater", "Rater"), ("target", "Rated"), ("index", "Index"),
        ("change", "Change"), ("margin", "± 95% margin"), ("verdict", "Change is")], rows)


# --- charts ---------------------------------------------------------------------------------

def _spec(chart: alt.Chart) -> dict:
    """The Vega-Lite spec, not validated against the JSON schema on every request (70% of a results page);
    tests/trust/test_trust_chart_specs.py validates what the pages draw."""
    return chart.properties(width="container").to_dict(validate=False)


def matrix_chart(report: dict, names: dict[int, str]) -> dict:
    """Heatmap, rows rate columns; a hidden cell shows "< k" and no colour."""
    rows = [{"rater": names[c["rater"]], "target": names[c["target"]],
             "index": None if c["hidden"] else round(c["index"]),
             "label": f"< {report['k']}" if c["hidden"] else f"{c['index']:.0f}"} for c in report["cells"]]
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("target:N", title="Rated function"), y=alt.Y("rater:N", title="Rater function"))
    heat = base.mark_rect().encode(
        color=alt.Color("index:Q", title="Index", scale=alt.Scale(domain=[0, 100], scheme="blues")),
        tooltip=["rater:N", "target:N", "index:Q"])
    text = base.mark_text().encode(text="label:N")
    return _spec((heat + text).properties(height=260))


TREND_PAIRS = 6


def moving_pairs(trend: pd.DataFrame, count: int = TREND_PAIRS) -> pd.DataFrame:
    """The trend rows of the count pairs whose index moved most from their first to their last wave."""
    grouped = trend.groupby(["rater", "target"])["index"]
    movement = (grouped.last() - grouped.first()).abs().sort_values(ascending=False, kind="stable")
    chosen = set(movement.index[:count])
    return trend[[pair in chosen for pair in zip(trend["rater"], trend["target"], strict=True)]]


def trends_chart(trend: pd.DataFrame) -> dict:
    """Lines of the pairs that moved most (the table lists every pair)."""
    rows = [{"period": r["period"], "pair": f"{r['rater']} → {r['target']}", "index": round(r["index"])}
            for r in moving_pairs(trend).to_dict("records")]
    chart = alt.Chart(alt.Data(values=rows)).mark_line(point=True).encode(
        x=alt.X("period:O", title="Quarter"), y=alt.Y("index:Q", title="Index", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("pair:N", title="Pair"), tooltip=["pair:N", "period:O", "index:Q"])
    return _spec(chart.properties(height=280))


def outcome_chart(aligned: pd.DataFrame, metric_label: str) -> dict:
    """The index and the outcome on one quarterly axis, each with its own y scale."""
    rows = [{"quarter": r["quarter"], "index": _num(r["index"], 0), "value": _num(r["value"], 2)}
            for r in aligned.to_dict("records")]
    base = alt.Chart(alt.Data(values=rows)).encode(x=alt.X("quarter:O", title="Quarter"))
    # the points repeat the line (and the table below has every value): hidden from screen readers, so a
    # series with no shown quarter (its figures suppressed) leaves no unnamed empty group behind
    index = base.mark_line(point=alt.OverlayMarkDef(aria=False), color="#1f77b4", description="Trust index").encode(
        y=alt.Y("index:Q", title="Trust index", scale=alt.Scale(domain=[0, 100])))
    value = base.mark_line(point=alt.OverlayMarkDef(aria=False), strokeDash=[4, 3], color="#d95f02",
                           description=metric_label).encode(
        y=alt.Y("value:Q", title=metric_label))
    return _spec(alt.layer(index, value).resolve_scale(y="independent").properties(height=260))


def _num(value, digits: int):
    """A chart value with the precision its table shows, never more."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), digits)


def values_table(values: pd.DataFrame, names: dict[int, str], unit: str) -> Table:
    rows = [
        {
            "period": r["period"],
            "function": names.get(r["function"], "Organisation") if r["function"] else "Organisation",
            "value": fmt(r["value"], 2),
        }
        for r in values.to_dict("records")
    ]
    return Table(
        "values",
        "Values",
        [("period", "Period"), ("function", "For"), ("value", f"Value ({unit})" if unit else "Value")],
        rows,
    )

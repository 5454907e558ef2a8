"""What the results and outcome pages show, built from the stored wave reports and the outcome values (no Flask).

The views render these contexts (and cache the rendered fragments); the CSV exports read their tables.
"""
from __future__ import annotations

from typing import Any

from programs.trust import analysis, outcome_report, plain, presenting, reporting
from programs.trust.models import PER_FUNCTION, TrustMetric, TrustWave
from programs.trust.queries import (
    closed_wave_reports,
    comments_by_cell,
    function_names,
    index_series,
    metric_values,
    response_rates,
)
from webapp.cache import derived


def chosen_wave(waves: list[TrustWave], wave_id: int | None) -> TrustWave:
    """The wave asked for, or the latest one."""
    return next((w for w in waves if w.id == wave_id), waves[-1]) if wave_id else waves[-1]


def headline(history: list, wave: TrustWave, report: dict, names: dict[int, str]) -> dict:
    """What both the results page and everyone's summary open with: what moved, the overall figure, the matrix."""
    trend = presenting.trend_frame([(w.period, r) for w, r in history], names)
    order = next(i for i, (w, _) in enumerate(history) if w.id == wave.id)
    opening = {"trend": trend, "moves": plain.moved_most(trend, order), "overall_text": plain.overall_sentence(report),
               "previous": history[order - 1][0] if order else None}
    if not report["refused"]:
        opening["grid"] = presenting.matrix_grid(report, names)
        opening["matrix_spec"] = derived(presenting.matrix_chart, report, names)
    return opening


def results_context(wave_id: int | None, filter_key: str) -> dict:
    """Everything the results page and its CSV exports show, from the stored reports."""
    history = closed_wave_reports("")
    if not history:
        return {"wave": None, "waves": []}
    waves = [w for w, _ in history]
    wave = chosen_wave(waves, wave_id)
    chosen = reporting.parse_filter(filter_key)
    key = filter_key if chosen else ""
    report = dict(history)[wave] if not key else dict(closed_wave_reports(key))[wave]
    names = function_names()
    opening = headline(history, wave, report, names)
    tables = {
        "pairs": presenting.pairs_table(report, names),
        "dimensions": presenting.dimensions_table(report, names),
        "asymmetry": presenting.asymmetry_table(report, names),
        "enps": presenting.enps_table(report, names),
        "alpha": presenting.alpha_table(report),
        "trends": presenting.trends_table(opening["trend"], [w.period for w in waves]),
        "rates": presenting.rates_table(response_rates(wave)),
    }
    return {"wave": wave, "waves": waves, "report": report, "names": names, "tables": tables, "filter": key,
            "filter_options": reporting.filter_options(), **opening}


def results_page_context(wave_id: int | None, filter_key: str) -> tuple[dict, list[dict] | None]:
    """The results page's context with its trends chart, and the comments it may show (None: none to show; a
    filtered view shows none)."""
    context = results_context(wave_id, filter_key)
    wave = context["wave"]
    if wave is None or context["report"]["refused"]:
        return context, None
    context["trends_spec"] = derived(presenting.trends_chart, context["trend"]) if not context["trend"].empty else None
    return context, None if context["filter"] else visible_comments(wave, context)


def visible_comments(wave: TrustWave, context: dict) -> list[dict]:
    """The comments of the cells large enough to show them, by rater and target name."""
    cells = comments_by_cell(wave.id)
    names = context["names"]
    shown = []
    for cell in context["report"]["cells"]:
        if reporting.comments_visible(cell, wave.min_comment_group) and cells.get((cell["rater"], cell["target"])):
            shown.append({"rater": names[cell["rater"]], "target": names[cell["target"]],
                          "bodies": cells[(cell["rater"], cell["target"])]})
    return sorted(shown, key=lambda c: (c["rater"], c["target"]))


def outcome_context(metric: TrustMetric, series: str) -> dict:
    """The outcome against the index: aligned series, tests on changes, pooled within functions and quarters."""
    names = function_names()
    history = closed_wave_reports("")
    values = metric_values(metric.id)
    label = f"{metric.name} ({metric.unit})" if metric.unit else metric.name
    options = series_options(history, names, metric)
    if series not in dict(options):
        series = options[0][0] if options else ""
    context: dict[str, Any] = {"metric": metric, "names": names, "series_options": options, "series": series,
                               "tables": {"values": presenting.values_table(values, names, metric.unit)},
                               "spec": None}
    if not series or values.empty:
        return context
    outcome = analysis.Outcome(metric.name, metric.higher_is_better, metric.unit)
    kind, _, key = series.partition(":")
    index = index_series(history, kind, tuple(int(k) for k in key.split("-")) if key else ())
    own = values[values["function"] == int(key)] if kind == "target" else values
    aligned = analysis.align(index, own[["period", "value"]])
    frames = [analysis.lagged_correlations(aligned)]
    if metric.scope == PER_FUNCTION:
        per_function = {fid: analysis.align(index_series(history, "target", (fid,)), part[["period", "value"]])
                        for fid, part in values.groupby("function")}
        frames.append(analysis.pooled_within(per_function))
    frames = analysis.adjust_family(frames)
    context["spec"] = derived(presenting.outcome_chart, aligned, label)
    context["tables"]["aligned"] = outcome_report.aligned_table(aligned, label)
    context["tables"]["lags"] = outcome_report.lags_table(frames[0], outcome)
    if len(frames) > 1:
        context["tables"]["pooled"] = outcome_report.pooled_table(frames[1], outcome)
    lag0 = frames[0].iloc[0]
    if not lag0["too_few"] and not lag0["constant"]:
        points = analysis.changes_at(aligned, 0)
        context["scatter_spec"] = derived(outcome_report.scatter_chart, points, label)
        context["tables"]["points"] = outcome_report.points_table(points, label)
    context["partial"] = analysis.partial_quarters(aligned)
    context["tests"] = int(frames[0]["tests"].iloc[0])
    context["timing"] = analysis.lag0_timing([wave.closes_on for wave, _ in history])
    return context


def series_options(history, names: dict[int, str], metric: TrustMetric) -> list[tuple[str, str]]:
    """Which index to lay against the outcome: per function (how others rate it), or overall and pairs."""
    if not history:
        return []
    last = history[-1][1]
    if metric.scope == PER_FUNCTION:
        return [(f"target:{t['target']}", f"How others rate {names[t['target']]}") for t in
                sorted(last["targets"], key=lambda t: names[t["target"]])]
    pairs = sorted(((c["rater"], c["target"]) for c in last["cells"]), key=lambda p: (names[p[0]], names[p[1]]))
    return [("overall:", "Overall index")] + [(f"cell:{r}-{t}", f"{names[r]} rates {names[t]}") for r, t in pairs]

"""A wave's report as plain data: the indices of analysis.py with small groups suppressed.

No Flask, no session. answers and recommend frames (see analysis.py) carry the respondents'
tenure band too, which the optional filter narrows on. There is one filter dimension on purpose:
two overlapping ones (tenure and role, say) could be subtracted from each other by a reader who
knows from elsewhere that two filtered groups do not overlap. Keys name each
reported figure: ("cell", rater, target, value), ("target", target, value), ("rater", rater, value),
("overall", value), ("enps", target, value); value is None without a filter.
"""
from __future__ import annotations

import math
from collections.abc import Hashable

import pandas as pd

from programs.trust import analysis
from programs.trust.anonymity import Group, remainder_refusal, suppress

FILTERS: dict[str, tuple[str, dict[str, str]]] = {
    "tenure": ("Tenure", {"<1y": "Less than a year", "1-3y": "One to three years", "3y+": "More than three years"}),
}
FILTER_DIMENSION = "tenure"


def filter_options() -> list[tuple[str, str]]:
    """("dimension:value", label) for every filter the dashboard offers."""
    return [(f"{dim}:{value}", label) for dim, (_, values) in FILTERS.items() for value, label in values.items()]


def parse_filter(text: str | None) -> tuple[str, str] | None:
    """'tenure:<1y' -> ('tenure', '<1y'); None for no or an unknown filter."""
    dim, _, value = (text or "").partition(":")
    return (dim, value) if dim in FILTERS and value in FILTERS[dim][1] else None


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _figures(answers: pd.DataFrame, recommend: pd.DataFrame, value) -> dict[Hashable, dict]:
    """Every figure of one population (value: the filter value, or None for everyone), by key."""
    figures: dict[Hashable, dict] = {}
    if answers.empty:
        return figures
    pairs = analysis.pair_indices(answers)
    for row in _records(pairs):
        cell = figures.setdefault(("cell", row["rater"], row["target"], value), {"dimensions": {}})
        if row["dimension"] == analysis.ALL:
            cell.update({k: v for k, v in row.items() if k != "dimension"})
        else:
            cell["dimensions"][row["dimension"]] = {k: row[k] for k in ("index", "ci_low", "ci_high", "favourable", "n")}
    for row in _records(analysis.target_indices(answers)):
        figures[("target", row["target"], value)] = row
    for row in _records(analysis.rater_indices(answers)):
        figures[("rater", row["rater"], value)] = row
    figures[("overall", value)] = {k: _clean(v) for k, v in analysis.overall_index(answers).items()}
    for row in _records(analysis.enps(recommend)):
        figures[("enps", row["target"], value)] = row
    return figures


def _groups(figures: dict[Hashable, dict], values: list) -> list[Group]:
    """Partitions among the figures: raters of a target, raters of everyone, filter values of a figure."""
    cells = [key for key in figures if key[0] == "cell"]
    groups = []
    for value in values:
        targets = {key[2] for key in cells if key[3] == value}
        for target in targets:
            members = tuple(key for key in cells if key[2] == target and key[3] == value)
            groups.append(Group(members, ("target", target, value)))
        raters = tuple(key for key in figures if key[0] == "rater" and key[2] == value)
        groups.append(Group(raters, ("overall", value)))
    for key in list(figures):
        if key[-1] is None and len(values) > 1:
            groups.append(Group(tuple((*key[:-1], v) for v in values[1:]), key))
    return groups


def wave_reports(answers: pd.DataFrame, recommend: pd.DataFrame, k: int) -> dict[str, dict]:
    """Every view of one wave, hidden figures marked: "" for everyone, "tenure:<value>" per filter value.

    Suppression is worked out over every view at once, so what one view hides no other view
    gives away. A filter whose group, or what it leaves out, is smaller than k is refused.
    """
    dim = FILTER_DIMENSION
    values = [None, *FILTERS[dim][1]]
    figures = _figures(answers, recommend, None)
    for value in values[1:]:
        figures.update(_figures(answers[answers[dim] == value], recommend[recommend[dim] == value], value))
    counts = {key: fig.get("n") or 0 for key, fig in figures.items()}
    hidden = suppress(counts, _groups(figures, values), k)
    reports = {"": _present(figures, hidden, None, k, None, answers)}
    everyone = counts.get(("overall", None), 0)
    for value in values[1:]:
        selected = answers.loc[answers[dim] == value, "response_id"].nunique()
        refused = remainder_refusal(everyone, selected, k)
        reports[f"{dim}:{value}"] = _present(figures, hidden, value, k, refused, None)
    return reports


def _present(figures: dict, hidden: set, value, k: int, refused: str | None, answers: pd.DataFrame | None) -> dict:
    """Plain JSON-ready data for the page: figures of the shown population, hidden ones without numbers."""
    report = {"k": k, "refused": refused, "cells": [], "targets": [], "raters": [], "enps": [], "overall": None,
              "alpha": [], "asymmetry": []}
    if refused:
        return report
    lists = {"cell": "cells", "target": "targets", "rater": "raters", "enps": "enps"}
    for key, figure in figures.items():
        if key[-1] != value:
            continue
        shown = _without_numbers(figure) if key in hidden else {**figure, "hidden": False}
        if key[0] == "overall":
            report["overall"] = shown
        else:
            report[lists[key[0]]].append(shown)
    overall = report["overall"]
    if answers is not None and overall and not overall["hidden"]:
        report["alpha"] = _records(analysis.cronbach_alpha(answers))
        report["asymmetry"] = _visible_asymmetry(report["cells"])
    return report


def _without_numbers(figure: dict) -> dict:
    """A hidden figure keeps its names and nothing else (not even n)."""
    names = ("rater", "target")
    return {**{k: figure[k] for k in names if k in figure}, "hidden": True, "dimensions": {}}


def _visible_asymmetry(cells: dict) -> list[dict]:
    """Gaps between the two directions of a pair, for pairs whose both cells are shown."""
    rows = [{"rater": c["rater"], "target": c["target"], "dimension": analysis.ALL, "index": c["index"]}
            for c in cells if not c["hidden"]]
    return _records(analysis.asymmetry(pd.DataFrame(rows, columns=["rater", "target", "dimension", "index"])))


def comments_visible(cell: dict, min_comment_group: int) -> bool:
    """Comments of a rater-target cell are shown only when the cell has enough respondents."""
    return not cell["hidden"] and cell["n"] >= min_comment_group

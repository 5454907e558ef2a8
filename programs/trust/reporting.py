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
from typing import Any, cast

import pandas as pd

from programs.trust import analysis
from programs.trust.anonymity import remainder_refusal, suppress_linear

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


def filter_refusal(text: str | None) -> str | None:
    """Why a requested filter cannot be shown (unknown or malformed), or None for none or a known one."""
    if not text or parse_filter(text) is not None:
        return None
    known = ", ".join(label for _, label in filter_options())
    return f"There is no filter “{text[:40]}”. Choose one of: {known}, or everyone."


def _without_false_certainty(figure: dict) -> dict:
    """A group whose answers are all alike gets no interval (a zero-width one would read as certainty):
    "alike" says why it is missing."""
    if (figure.get("n") or 0) > 1 and figure.get("ci_low") is not None and figure["ci_low"] == figure["ci_high"]:
        figure.update({"ci_low": None, "ci_high": None, "se": None, "alike": True})
    return figure


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _clean_key(key: Hashable) -> tuple:
    """A group key of several columns (a tuple; pandas types it Hashable) with plain values."""
    return tuple(_clean(v) for v in cast(tuple, key))


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _figures(answers: pd.DataFrame, recommend: pd.DataFrame, value) -> dict[tuple, dict]:
    """Every figure of one population (value: the filter value, or None for everyone), by key."""
    figures: dict[tuple, dict] = {}
    if answers.empty:
        return figures
    pairs = analysis.pair_indices(answers)
    for row in _records(pairs):
        cell = figures.setdefault(("cell", row["rater"], row["target"], value), {"dimensions": {}})
        if row["dimension"] == analysis.ALL:
            cell.update({k: v for k, v in row.items() if k != "dimension"})
        else:
            cell["dimensions"][row["dimension"]] = {
                k: row[k] for k in ("index", "ci_low", "ci_high", "favourable", "n")
            }
    for row in _records(analysis.target_indices(answers)):
        figures[("target", row["target"], value)] = row
    for row in _records(analysis.rater_indices(answers)):
        figures[("rater", row["rater"], value)] = row
    figures[("overall", value)] = {k: _clean(v) for k, v in analysis.overall_index(answers).items()}
    for row in _records(analysis.enps(recommend)):
        figures[("enps", row["target"], value)] = row
    for figure in figures.values():
        _without_false_certainty(figure)
        for dimension in figure.get("dimensions", {}).values():
            _without_false_certainty(dimension)
    return figures


def _with_rated(frame: pd.DataFrame) -> pd.DataFrame:
    """Each answer with how many functions its respondent rated (they may skip those they do not work with)."""
    return frame.assign(rated=frame.groupby("response_id")["target"].transform("nunique"))


def _atoms(frame: pd.DataFrame, dim: str) -> list[tuple]:
    """The (rater, target, filter cell, functions rated) atoms that have respondents.

    A respondent who rates fewer functions weighs more in their rater's figure and in the overall one
    (their mean over the functions they rate), so respondents who rated different numbers of functions
    are atoms, and groups, of their own: otherwise a lone skipper could be solved from those figures.
    """
    if frame.empty:
        return []
    keys = ["rater", "target", dim, "rated"]
    return [_clean_key(key) for key in _with_rated(frame).groupby(keys).groups]


def _group_sizes(frame: pd.DataFrame, dim: str) -> dict[tuple, int]:
    """People per respondent group (rater, filter cell, functions rated): the fewest of any target, to err on
    the safe side."""
    if frame.empty:
        return {}
    per_atom = _with_rated(frame).groupby(["rater", "target", dim, "rated"])["response_id"].nunique()
    smallest = per_atom.groupby(level=["rater", dim, "rated"]).min()
    return {_clean_key(key): int(n) for key, n in smallest.items()}


def _answer_rows(atoms: list[tuple], views: list) -> dict[tuple, dict[str, dict]]:
    """How each figure of each view depends on the per-atom sums, in the two linear measures.

    points: a cell and a target sum their atoms' respondent means; a rater's figure and the overall index
    sum every respondent's mean over the T functions they rate, so an atom of respondents who rated T
    functions weighs 1/T there. favourable: shares pooled over items, so every atom weighs 1.
    """
    rows: dict[tuple, dict[str, dict]] = {}
    for view in views:
        for atom in (a for a in atoms if view is None or a[2] == view):
            rater, target, _, rated = atom
            per_respondent = 1.0 / rated
            for key, weight in ((("cell", rater, target, view), 1.0), (("target", target, view), 1.0),
                                (("rater", rater, view), per_respondent), (("overall", view), per_respondent)):
                figure = rows.setdefault(key, {"points": {}, "favourable": {}})
                figure["points"][atom] = weight
                figure["favourable"][atom] = 1.0
    return rows


def _enps_rows(atoms: list[tuple], views: list) -> dict[tuple, dict[str, dict]]:
    rows: dict[tuple, dict[str, dict]] = {}
    for view in views:
        for atom in (a for a in atoms if view is None or a[2] == view):
            rows.setdefault(("enps", atom[1], view), {"recommend": {}})["recommend"][atom] = 1.0
    return rows


def _hide_first(key: tuple) -> tuple:
    """Hide filtered figures before those for everyone, and aggregates before pair cells."""
    return (key[-1] is None, key[0] == "cell")


def wave_reports(answers: pd.DataFrame, recommend: pd.DataFrame, k: int) -> dict[str, dict]:
    """Every view of one wave, hidden figures marked: "" for everyone, "tenure:<value>" per filter value.

    Suppression is worked out from the algebra of every figure of every view at once
    (anonymity.suppress_linear over atoms rater x target x tenure band): no combination of what
    is shown depends on fewer than k people. A filter whose group, or what it leaves out, is
    smaller than k is refused (and shows nothing).
    """
    dim = FILTER_DIMENSION
    everyone = answers["response_id"].nunique()
    refusals: dict = {None: None}
    for value in FILTERS[dim][1]:
        selected = answers.loc[answers[dim] == value, "response_id"].nunique()
        refusals[value] = remainder_refusal(everyone, selected, k)
    views = [view for view, refused in refusals.items() if refused is None]
    figures: dict[tuple, dict] = {}
    for view in views:
        figures.update(_figures(_in_view(answers, dim, view), _in_view(recommend, dim, view), view))
    sizes = {key: figure.get("n") or 0 for key, figure in figures.items()}
    hidden = suppress_linear(_answer_rows(_atoms(answers, dim), views), sizes, _group_of,
                             _group_sizes(answers, dim), k, _hide_first)
    hidden |= suppress_linear(_enps_rows(_atoms(recommend, dim), views), sizes, _group_of,
                              _group_sizes(recommend, dim), k, _hide_first)
    return {"" if view is None else f"{dim}:{view}": _present(figures, hidden, view, k, refused,
                                                               answers if view is None else None)
            for view, refused in refusals.items()}


def _group_of(atom: tuple) -> tuple:
    """Whose answers an atom sums: its rater function, filter cell and number of functions rated."""
    return (atom[0], atom[2], atom[3])


def _in_view(frame: pd.DataFrame, dim: str, view) -> pd.DataFrame:
    return frame if view is None else frame[frame[dim] == view]


def _present(figures: dict, hidden: set, value, k: int, refused: str | None, answers: pd.DataFrame | None) -> dict:
    """Plain JSON-ready data for the page: figures of the shown population, hidden ones without numbers."""
    report: dict[str, Any] = {"k": k, "refused": refused, "cells": [], "targets": [], "raters": [], "enps": [],
              "overall": None,
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


def _visible_asymmetry(cells: list[dict]) -> list[dict]:
    """Gaps between the two directions of a pair, for pairs whose both cells are shown."""
    rows = [{"rater": c["rater"], "target": c["target"], "dimension": analysis.ALL, "index": c["index"]}
            for c in cells if not c["hidden"]]
    return _records(analysis.asymmetry(pd.DataFrame(rows, columns=["rater", "target", "dimension", "index"])))


def comments_visible(cell: dict, min_comment_group: int) -> bool:
    """Comments of a rater-target cell are shown only when the cell has enough respondents."""
    return not cell["hidden"] and cell["n"] >= min_comment_group

"""An attacker who solves the linear system of everything a wave publishes learns nothing about a small group.

The unknowns are each respondent's answers: their mean score about each function they rate, their
number of favourable items about it, and their 0-10 category (promoter +1, detractor -1). From the
definitions in analysis.py, every published figure of every view (per pair, per target, per
rater, overall, favourable shares, eNPS, for everyone and for each tenure filter) is a known linear
combination of those unknowns, given the published counts. Several waves close in one quarter;
the quarterly series the outcome page and the scorecard use must be combinations of published
figures. The attacker stacks every row and asks which combinations are solvable: none may be
the sum for a hidden group (rater x target x tenure band of 1..k-1 people), nor anything at all
about a respondent group (rater x tenure band) of fewer than k people.
"""
from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programs.trust import reporting
from programs.trust.queries import index_series

FUNCTIONS = ["A", "B", "C", "D"]
TENURES = list(reporting.FILTERS["tenure"][1])
ITEMS = ((1, "reliability"), (2, "respect"))
ANSWER_COLUMNS = ["response_id", "rater", "target", "item", "dimension", "reverse", "score", "tenure"]
RECOMMEND_COLUMNS = ["response_id", "rater", "target", "score", "tenure"]
MEASURES = ("points", "favourable", "recommend")


def make_wave(wave: int, sizes: dict[str, int], tenures: dict[str, list[str]], targets: set[str], seed: int):
    """answers and recommend frames of one wave: each respondent rates every target but their own function."""
    rng = random.Random(seed)
    answers, recommend = [], []
    for rater, size in sizes.items():
        for n in range(size):
            rid, tenure = f"w{wave}-{rater}{n}", tenures[rater][n]
            for target in sorted(targets - {rater}):
                answers += [(rid, rater, target, item, dim, False, rng.randint(1, 5), tenure) for item, dim in ITEMS]
                if rng.random() < 0.7:
                    recommend.append((rid, rater, target, rng.randint(0, 10), tenure))
    return pd.DataFrame(answers, columns=ANSWER_COLUMNS), pd.DataFrame(recommend, columns=RECOMMEND_COLUMNS)


@st.composite
def quarters(draw):
    """One to two waves in one quarter, each of 2-4 functions of 0-8 respondents, audiences and targets apart."""
    waves = []
    for wave in range(draw(st.integers(1, 2))):
        names = FUNCTIONS[:draw(st.integers(2, 4))]
        targets = draw(st.sets(st.sampled_from(names), min_size=1))
        sizes = {f: draw(st.integers(0, 8)) for f in names if targets - {f}}
        if not sum(sizes.values()):
            sizes[next(iter(sizes))] = 1
        tenures = {f: [draw(st.sampled_from(TENURES)) for _ in range(n)] for f, n in sizes.items()}
        waves.append(make_wave(wave, sizes, tenures, targets, draw(st.integers(0, 2 ** 16))))
    return waves, draw(st.sampled_from([3, 5]))


class Attacker:
    """Rows over the unknowns (measure, respondent, target), one per published number."""

    def __init__(self) -> None:
        self.columns: dict[tuple, int] = {}
        self.rows: list[dict[int, float]] = []

    def column(self, measure: str, respondent: str, target: str) -> int:
        return self.columns.setdefault((measure, respondent, target), len(self.columns))

    def publish(self, weights: dict[tuple, float]) -> None:
        self.rows.append({self.column(*key): w for key, w in weights.items()})

    def matrix(self) -> np.ndarray:
        matrix = np.zeros((len(self.rows), len(self.columns)))
        for line, row in enumerate(self.rows):
            for column, weight in row.items():
                matrix[line, column] = weight
        return matrix

    def solvable(self, vector: dict[tuple, float]) -> bool:
        """True when the combination of unknowns can be computed from the published rows."""
        target = np.zeros(len(self.columns))
        for key, weight in vector.items():
            if key in self.columns:
                target[self.columns[key]] = weight
        if not target.any():
            return False
        published = self.matrix()
        solution = np.linalg.lstsq(published.T, target, rcond=None)[0]
        return bool(np.linalg.norm(published.T @ solution - target) < 1e-6)

    def knows_anything_about(self, keys: list[tuple]) -> bool:
        """True when some non-zero combination of just these unknowns can be computed."""
        columns = [self.columns[key] for key in keys if key in self.columns]
        if not columns:
            return False
        published = self.matrix()
        _, singular, right = np.linalg.svd(published, full_matrices=True)
        null = right[int((singular > 1e-8).sum()):]
        return np.linalg.matrix_rank(null[:, columns], tol=1e-8) < len(columns)


def _respondents(answers: pd.DataFrame, view) -> pd.DataFrame:
    people = answers.drop_duplicates(["response_id", "target"])[["response_id", "rater", "target", "tenure"]]
    return people if view is None else people[people["tenure"] == view]


def publish_wave(attacker: Attacker, answers: pd.DataFrame, recommend: pd.DataFrame, reports: dict) -> None:
    """Every number every view of the wave shows, as rows over the respondents' unknowns."""
    rated = answers.groupby("response_id")["target"].nunique().to_dict()
    for option, report in reports.items():
        if report["refused"]:
            continue
        parsed = reporting.parse_filter(option) if option else None
        view = parsed[1] if parsed else None
        people = _respondents(answers, view)
        for cell in (c for c in report["cells"] if not c["hidden"]):
            who = people[(people["rater"] == cell["rater"]) & (people["target"] == cell["target"])]
            _mean_rows(attacker, who, lambda r: 1.0)
        for row in (t for t in report["targets"] if not t["hidden"]):
            _mean_rows(attacker, people[people["target"] == row["target"]], lambda r: 1.0)
        for row in (r for r in report["raters"] if not r["hidden"]):
            _mean_rows(attacker, people[people["rater"] == row["rater"]], lambda r: 1.0 / rated[r])
        if report["overall"] and not report["overall"]["hidden"]:
            _mean_rows(attacker, people, lambda r: 1.0 / rated[r])
        answered = recommend if view is None else recommend[recommend["tenure"] == view]
        for row in (e for e in report["enps"] if not e["hidden"]):
            who = answered[answered["target"] == row["target"]]
            attacker.publish({("recommend", r, t): 1.0 for r, t in zip(who["response_id"], who["target"], strict=True)})


def _mean_rows(attacker: Attacker, who: pd.DataFrame, weight) -> None:
    """A mean index (respondent means, weighted) and a pooled favourable share over these (respondent, target)s."""
    pairs = list(zip(who["response_id"], who["target"], strict=True))
    attacker.publish({("points", r, t): weight(r) for r, t in pairs})
    attacker.publish({("favourable", r, t): 1.0 for r, t in pairs})


def assert_quarter_series_uses_published_figures(reports: list[dict]) -> None:
    """The quarterly series average the shown figures of the quarter's waves, and nothing else."""
    history: list[tuple[Any, dict]] = [(SimpleNamespace(period="2026-Q1"), report[""]) for report in reports]
    for kind, key in [("overall", ())] + [("target", (t,)) for t in FUNCTIONS] + [
            ("cell", (r, t)) for r in FUNCTIONS for t in FUNCTIONS if r != t]:
        series = index_series(history, kind, key)
        shown = [f["index"] for _, report in history if (f := _find(report, kind, key)) and not f["hidden"]]
        assert len(series) == (1 if shown else 0)
        if shown:
            assert abs(series["index"].iloc[0] - sum(shown) / len(shown)) < 1e-9


def _find(report: dict, kind: str, key: tuple) -> dict | None:
    if kind == "overall":
        return report["overall"]
    rows = report["cells"] if kind == "cell" else report["targets"]
    return next((r for r in rows if (r["rater"], r["target"]) == key or (kind == "target" and r["target"] == key[0])),
                None) if kind == "cell" else next((r for r in rows if r["target"] == key[0]), None)


def hidden_groups(answers: pd.DataFrame, recommend: pd.DataFrame, k: int):
    """(measure, unknowns) of every atom rater x target x tenure of 1..k-1 people.

    And of every small respondent group."""
    atoms, groups = [], []
    for frame, measures in ((answers, ("points", "favourable")), (recommend, ("recommend",))):
        pairs = frame.drop_duplicates(["response_id", "target"])
        for _, atom in pairs.groupby(["rater", "target", "tenure"]):
            if 0 < len(atom) < k:
                atoms += [(m, list(zip(atom["response_id"], atom["target"], strict=True))) for m in measures]
    pairs = answers.drop_duplicates(["response_id", "target"])
    for _, group in pairs.groupby(["rater", "tenure"]):
        if 0 < group["response_id"].nunique() < k:
            keys = list(zip(group["response_id"], group["target"], strict=True))
            groups += [[(m, r, t) for r, t in keys] for m in MEASURES]
    return atoms, groups


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(quarters())
def test_no_hidden_group_can_be_solved_from_everything_published(quarter):
    waves, k = quarter
    attacker = Attacker()
    reports = []
    for answers, recommend in waves:
        report = reporting.wave_reports(answers, recommend, k)
        reports.append(report)
        publish_wave(attacker, answers, recommend, report)
    assert_quarter_series_uses_published_figures(reports)
    if not attacker.rows:
        return
    for answers, recommend in waves:
        atoms, groups = hidden_groups(answers, recommend, k)
        for measure, keys in atoms:
            assert not attacker.solvable({(measure, r, t): 1.0 for r, t in keys}), (measure, keys)
        for keys in groups:
            assert not attacker.knows_anything_about(keys), keys


def test_the_filed_example_no_longer_gives_the_hidden_rating_away():
    """Two functions: 1 of 6 Finance answered, 12 of 12 Operations; 13 x overall - 12 x (Operations rates
    Finance) gave the one Finance person's rating of Operations."""
    sizes = {"A": 1, "B": 12}
    answers, recommend = make_wave(0, sizes, {f: ["3y+"] * n for f, n in sizes.items()}, {"A", "B"}, seed=7)
    report = reporting.wave_reports(answers, recommend, 5)[""]
    cells = {(c["rater"], c["target"]): c for c in report["cells"]}
    assert cells[("A", "B")]["hidden"] and not cells[("B", "A")]["hidden"]
    overall = report["overall"]
    assert overall["hidden"] or overall["n"] == 12  # never 13 people beside the 12 of the shown cell


def test_a_respondent_who_skips_a_function_cannot_be_solved_from_the_rater_and_overall_figures():
    """Six of A rate B and C, but one of them works with B only ("I don't work with them" for C). A's own
    figure averages each person's mean over the functions they rate, so the lone skipper weighs double
    there: with A's two cells beside it, their rating of B would be 2 x (6 x A - cell A->B / 2 - cell A->C / 2)."""
    sizes = {"A": 7, "B": 6, "C": 6}
    answers, recommend = make_wave(0, sizes, {f: ["3y+"] * n for f, n in sizes.items()}, {"A", "B", "C"}, seed=3)
    skipper = "w0-A6"
    answers = answers[~((answers["response_id"] == skipper) & (answers["target"] == "C"))]
    recommend = recommend[~((recommend["response_id"] == skipper) & (recommend["target"] == "C"))]
    attacker = Attacker()
    publish_wave(attacker, answers, recommend, reporting.wave_reports(answers, recommend, 5))
    assert attacker.rows  # something is published
    for measure in ("points", "favourable"):
        assert not attacker.knows_anything_about([(measure, skipper, "B")]), measure

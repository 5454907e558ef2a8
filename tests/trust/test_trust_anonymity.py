"""Anonymity, tested like a promise: small groups built on purpose, every filter and every subtraction.

An attacker sees every view of a wave (everyone, and each filter value) and knows who belongs to
which group. For each measure (ratings about one function, respondents' own means, the 0-10
item about one function) they can subtract any set of disjoint shown figures from a larger
shown figure. Nothing they can compute may describe 1..k-1 people.
"""
from __future__ import annotations

import itertools
import random
from datetime import timedelta
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import inspect

from programs.trust import reporting
from programs.trust.anonymity import check_threshold, suppress_linear
from programs.trust.models import TrustParticipation, TrustResponse
from programs.trust.services import TrustError, close_wave, set_thresholds
from tests.factories import make_function, make_user
from tests.trust.trust_factories import answer, make_wave, today
from webapp.roles import Role

FUNCTIONS = ["A", "B", "C", "D"]
TENURES = list(reporting.FILTERS["tenure"][1])


def small_organisation(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, dict]]:
    """Respondents in four functions of 1-9 people; each rates the other three on two items."""
    rng = random.Random(seed)
    people: dict[str, dict[str, Any]] = {}
    answers, recommend = [], []
    for function in FUNCTIONS:
        for n in range(rng.randint(1, 9)):
            rid = f"{function}{n}"
            people[rid] = {"rater": function, "tenure": rng.choice(TENURES), "recommends": set()}
            for target in FUNCTIONS:
                if target == function:
                    continue
                for item, dimension in ((1, "reliability"), (2, "respect")):
                    answers.append((rid, function, target, item, dimension, False, rng.randint(1, 5),
                                    people[rid]["tenure"]))
                if rng.random() < 0.7:
                    people[rid]["recommends"].add(target)
                    recommend.append((rid, function, target, rng.randint(0, 10), people[rid]["tenure"]))
    columns = ["response_id", "rater", "target", "item", "dimension", "reverse", "score", "tenure"]
    return (pd.DataFrame(answers, columns=columns),
            pd.DataFrame(recommend, columns=["response_id", "rater", "target", "score", "tenure"]), people)


def _members(people: dict, value, test) -> frozenset:
    return frozenset(r for r, p in people.items() if (value is None or p["tenure"] == value) and test(p))


def shown_figures(report: dict, people: dict, value) -> list[tuple[tuple, frozenset, int]]:
    """(measure, respondents, n shown) of every figure the report shows."""
    shown: list[tuple[tuple, frozenset, int]] = []
    for cell in report["cells"]:
        if not cell["hidden"]:
            who = _members(people, value, lambda p, c=cell: p["rater"] == c["rater"])
            shown.append((("about", cell["target"]), who, cell["n"]))
            shown += [(("about", cell["target"]), who, d["n"]) for d in cell["dimensions"].values()]
    for row in report["targets"]:
        if not row["hidden"]:
            shown.append(
                (
                    ("about", row["target"]),
                    _members(people, value, lambda p, t=row["target"]: p["rater"] != t),
                    row["n"],
                )
            )
    for row in report["raters"]:
        if not row["hidden"]:
            shown.append((("own",), _members(people, value, lambda p, r=row["rater"]: p["rater"] == r), row["n"]))
    if report["overall"] and not report["overall"]["hidden"]:
        shown.append((("own",), _members(people, value, lambda p: True), report["overall"]["n"]))
    for row in report["enps"]:
        if not row["hidden"]:
            shown.append((("recommend", row["target"]),
                          _members(people, value, lambda p, t=row["target"]: t in p["recommends"]), row["n"]))
    return shown


def every_view(answers, recommend, people, k) -> list[tuple[tuple, frozenset, int]]:
    figures = []
    for option, report in reporting.wave_reports(answers, recommend, k).items():
        chosen = reporting.parse_filter(option)
        if report["refused"] is None:
            figures += shown_figures(report, people, chosen[1] if chosen else None)
    return figures


def smallest_remainders(sets: list[frozenset]) -> list[tuple[frozenset, int]]:
    """For each shown set: the smallest non-empty remainder after subtracting disjoint shown subsets."""
    return [(whole, _smallest_remainder(whole, [s for s in sets if s < whole])) for whole in sets]


def _smallest_remainder(whole: frozenset, parts: list[frozenset], start: int = 0, used: frozenset = frozenset()) -> int:
    """Depth-first over every family of pairwise disjoint parts."""
    remainder = len(whole) - len(used)
    best = remainder if remainder > 0 else len(whole)
    for i in range(start, len(parts)):
        if not parts[i] & used:
            best = min(best, _smallest_remainder(whole, parts, i + 1, used | parts[i]))
    return best


@pytest.mark.parametrize("k", [3, 5])
@pytest.mark.parametrize("seed", range(8))
def test_no_figure_or_subtraction_describes_fewer_than_k_people(seed, k):
    answers, recommend, people = small_organisation(seed)
    figures = every_view(answers, recommend, people, k)
    assert figures, "the organisation should show something"
    for measure, who, n in figures:
        assert n == len(who), (measure, sorted(who))  # the figure describes exactly these people
        assert n >= k, (measure, sorted(who))
    by_measure: dict[tuple, set[frozenset]] = {}
    for measure, who, _ in figures:
        by_measure.setdefault(measure, set()).add(who)
    for measure, sets in by_measure.items():
        for whole, remainder in smallest_remainders(sorted(sets, key=sorted)):
            assert remainder >= k, f"{measure}: {sorted(whole)} minus shown parts leaves {remainder} people"


def _suppress(counts: dict[str, int], rows: dict[str, str], k: int = 5) -> set[str]:
    """suppress_linear on named rows that sum atoms (one letter per atom, one group of people per atom)."""
    return suppress_linear({key: {"m": dict.fromkeys(atoms, 1.0)} for key, atoms in rows.items()},
                           {key: sum(counts[a] for a in atoms) for key, atoms in rows.items()},
                           lambda atom: atom, counts, k)


def test_a_small_cell_hides_its_next_smallest_sibling_when_the_total_is_shown():
    assert _suppress({"a": 2, "b": 6, "c": 9}, {"A": "a", "B": "b", "C": "c", "total": "abc"}) == {"A", "B"}


def test_siblings_are_hidden_until_no_small_group_can_be_solved():
    counts = {"a": 1, "b": 1, "c": 2, "d": 8}
    # D shown beside the total would leave a + b + c (4 people) solvable
    assert _suppress(counts, {"A": "a", "B": "b", "C": "c", "D": "d", "total": "abcd"}) == {"A", "B", "C", "D"}
    assert _suppress({"a": 1, "b": 1}, {"A": "a", "B": "b", "total": "ab"}) == {"A", "B", "total"}


def test_hiding_spreads_through_overlapping_groups():
    # b hidden beside a in the first total must not be recoverable through the second total either
    counts = {"a": 2, "b": 7, "c": 20, "d": 7, "e": 30}
    hidden = _suppress(counts, {"A": "a", "B": "b", "C": "c", "D": "d", "E": "e", "t1": "abc", "t2": "bde"})
    assert {"A", "B", "D"} <= hidden and "C" not in hidden and "E" not in hidden


def test_a_sum_of_small_groups_that_reaches_k_may_be_shown():
    counts = {"a": 3, "b": 3, "c": 1}
    assert _suppress(counts, {"A": "a", "B": "b", "C": "c", "total": "abc"}) == {"A", "B", "C"}


def test_a_filter_leaving_fewer_than_k_outside_is_refused():
    answers, recommend, people = small_organisation(3)
    total = len(people)
    long_serving = answers.assign(tenure="3y+")
    one_new = long_serving["response_id"] == long_serving["response_id"].iloc[0]
    long_serving.loc[one_new, "tenure"] = "<1y"
    reports = reporting.wave_reports(long_serving, recommend.assign(tenure="3y+"), 5)
    report = reports["tenure:3y+"]
    assert total - 1 >= 5
    assert "leave out fewer than 5" in report["refused"]
    assert report["cells"] == [] and report["overall"] is None
    assert "fewer than 5 respondents" in reports["tenure:<1y"]["refused"]
    assert reports["tenure:1-3y"]["refused"]  # nobody: an empty group is refused too
    assert reports[""]["refused"] is None


@pytest.mark.parametrize("value, current, answered, refused", [
    (2, None, False, True), (3, None, False, False), (4, 5, False, False), (4, 5, True, True), (6, 5, True, False),
])
def test_thresholds_never_below_3_and_never_lowered_after_responses(value, current, answered, refused):
    assert (check_threshold(value, current, answered, "k") is not None) == refused


def test_thresholds_change_only_before_the_wave_opens_and_never_below_the_floor(db):
    finance, operations = make_function(), make_function()
    scheduled = make_wave([finance, operations], opens_on=today() + timedelta(days=3))
    admin = make_user(Role.ADMIN)
    set_thresholds(admin, scheduled, 3, 10, today())  # not open yet: may go down to the floor
    with pytest.raises(TrustError, match="cannot be below 3"):
        set_thresholds(admin, scheduled, 2, 10, today())
    set_thresholds(admin, scheduled, 6, 12, today())
    assert (scheduled.min_group, scheduled.min_comment_group) == (6, 12)
    with pytest.raises(TrustError, match="frozen"):
        set_thresholds(admin, scheduled, 7, 12, scheduled.opens_on)  # the day it opens
    running = make_wave([finance, operations])
    with pytest.raises(TrustError, match="frozen"):
        set_thresholds(admin, running, 6, 12, today())  # higher is refused too: what people were promised holds


def test_a_response_row_cannot_name_or_date_its_respondent(db):
    columns = {c.name for c in inspect(TrustResponse).columns}
    assert columns == {"id", "wave_id", "rater_function_id", "tenure"}
    shared = {c.name for c in inspect(TrustParticipation).columns} & columns
    assert shared == {"wave_id"}  # nothing but the wave links who answered to what was answered
    finance, operations = make_function(), make_function()
    wave = make_wave([finance, operations])
    respondents = answer(wave, finance, 3)
    assert db.session.scalars(db.select(TrustResponse)).all() == []  # sealed until the wave closes
    close_wave(None, wave, today())
    ids = [r.id for r in db.session.scalars(db.select(TrustResponse))]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids) and len(set(ids)) == 3
    assert not {str(p.id) for p in respondents} & set(ids)


def test_closing_a_wave_keeps_small_cells_hidden_in_the_stored_report(db):
    finance, operations, sales = make_function(), make_function(), make_function()
    wave = make_wave([finance, operations, sales])
    answer(wave, finance, 6, score=5)
    answer(wave, operations, 2, score=1)
    answer(wave, sales, 7, score=3)
    close_wave(make_user(Role.HR), wave, today() + timedelta(days=1))
    from programs.trust.models import TrustWaveResult
    report = db.session.get(TrustWaveResult, wave.id).reports[""]
    cells = {(c["rater"], c["target"]): c for c in report["cells"]}
    assert cells[(operations.id, finance.id)]["hidden"] and "index" not in cells[(operations.id, finance.id)]
    # Operations (2) is hidden among the raters of Finance and of Sales: the figures that would give
    # it away by subtraction (how everyone rates Finance, Sales, and the overall index) are hidden
    targets = {t["target"]: t for t in report["targets"]}
    assert targets[finance.id]["hidden"] and targets[sales.id]["hidden"] and report["overall"]["hidden"]
    assert not cells[(finance.id, operations.id)]["hidden"] and cells[(finance.id, operations.id)]["index"] == 100
    assert cells[(sales.id, operations.id)]["index"] == 50 and cells[(sales.id, operations.id)]["n"] == 7
    assert all(row["n"] >= 5 for group in ("targets", "raters", "enps") for row in report[group] if not row["hidden"])


@pytest.mark.parametrize("sizes", [(a, b, 5) for a, b in itertools.product([1, 4, 6], repeat=2)])
def test_every_size_combination_of_three_functions_hides_what_it_must(sizes):
    people, answers = {}, []
    names = FUNCTIONS[:3]
    for function, size in zip(names, sizes, strict=True):
        for n in range(size):
            rid = f"{function}{n}"
            tenure = TENURES[n % 3]
            people[rid] = {"rater": function, "tenure": tenure, "recommends": set()}
            answers += [(rid, function, t, 1, "d", False, 4, tenure) for t in names if t != function]
    frame = pd.DataFrame(
        answers, columns=["response_id", "rater", "target", "item", "dimension", "reverse", "score", "tenure"]
    )
    empty = pd.DataFrame(columns=["response_id", "rater", "target", "score", "tenure"])
    figures = every_view(frame, empty, people, 5)
    for _, who, n in figures:
        assert n == len(who) >= 5
    sets: dict[tuple, set] = {}
    for measure, who, _ in figures:
        sets.setdefault(measure, set()).add(who)
    for measure, group in sets.items():
        assert all(rest >= 5 for _, rest in smallest_remainders(list(group))), measure

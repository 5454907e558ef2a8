"""Index, interval, eNPS, alpha, trends and outcome correlations on small data checked by hand
or by an independent formula."""
from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from programs.trust import analysis

T_975 = {3: 3.182446305284263, 4: 2.7764451051977987, 5: 2.5705818356363146}  # from printed t tables


def answers_frame(rows: list[tuple[str, str, str, int, str, bool, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["response_id", "rater", "target", "item", "dimension", "reverse", "score"])


# Six people in Finance rate Operations on two reliability items; item 2 is reverse-scored.
# flipped scores per person: (4,4) (5,4) (4,5) (3,3) (4,4) (5,5) -> points 75, 87.5, 87.5, 50, 75, 100
SIX = answers_frame([
    (r, "FIN", "OPS", item, "reliability", item == 2, score)
    for r, scores in {"a": (4, 2), "b": (5, 2), "c": (4, 1), "d": (3, 3), "e": (4, 2), "f": (5, 1)}.items()
    for item, score in zip((1, 2), scores)
])
SIX_POINTS = [75, 87.5, 87.5, 50, 75, 100]


def test_index_is_the_mean_of_respondents_rescaled_with_reverse_items_flipped():
    pairs = analysis.pair_indices(SIX)
    overall = pairs[pairs["dimension"] == analysis.ALL].iloc[0]
    assert overall["index"] == pytest.approx(475 / 6)  # 79.1666...
    assert overall["n"] == 6


def test_confidence_interval_is_t_based_over_respondents():
    row = analysis.pair_indices(SIX).query("dimension == 'reliability'").iloc[0]
    half = T_975[5] * statistics.stdev(SIX_POINTS) / math.sqrt(6)
    assert row["ci_low"] == pytest.approx(475 / 6 - half)
    assert row["ci_high"] == pytest.approx(475 / 6 + half)
    assert row["se"] == pytest.approx(statistics.stdev(SIX_POINTS) / math.sqrt(6))


def test_share_favourable_counts_4_and_5_after_flipping():
    row = analysis.pair_indices(SIX).query("dimension == 'all'").iloc[0]
    assert row["favourable"] == pytest.approx(10 / 12)  # only person d's two answers (3, 3) are not favourable


def test_a_single_respondent_has_no_interval():
    one = SIX[SIX["response_id"] == "a"]
    row = analysis.pair_indices(one).iloc[0]
    assert row["index"] == 75 and math.isnan(row["ci_low"]) and row["n"] == 1


def test_dimensions_are_scored_apart_and_together():
    rows = [("a", "FIN", "OPS", 1, "respect", False, 5), ("a", "FIN", "OPS", 2, "reliability", False, 1),
            ("a", "FIN", "OPS", 3, "reliability", False, 2)]
    pairs = analysis.pair_indices(answers_frame(rows)).set_index("dimension")["index"]
    assert pairs["respect"] == 100
    assert pairs["reliability"] == 12.5
    assert pairs[analysis.ALL] == pytest.approx((100 + 0 + 25) / 3)


def test_overall_index_weights_each_respondent_once():
    rows = [("a", "FIN", "OPS", 1, "d", False, 5), ("a", "FIN", "SAL", 1, "d", False, 5),
            ("b", "OPS", "FIN", 1, "d", False, 1)]
    overall = analysis.overall_index(answers_frame(rows))
    assert overall["index"] == 50 and overall["n"] == 2


def test_enps_is_promoters_minus_detractors_per_target():
    recommend = pd.DataFrame({"response_id": list("abcdefghij"), "rater": "FIN",
                              "target": ["OPS"] * 6 + ["SAL"] * 4, "score": [10, 9, 8, 7, 6, 0, 10, 10, 9, 3]})
    result = analysis.enps(recommend).set_index("target")
    assert result.loc["OPS", "enps"] == 0  # 2 promoters, 2 detractors of 6
    assert result.loc["SAL", "enps"] == 50  # 3 promoters, 1 detractor of 4
    assert (result.loc["OPS", "promoters"], result.loc["OPS", "passives"], result.loc["OPS", "detractors"]) == (2, 2, 2)


def _alpha_by_covariance(matrix: np.ndarray) -> float:
    """Independent formula: k/(k-1) * (1 - trace(C) / sum(C)) with C the item covariance matrix."""
    covariance = np.cov(matrix, rowvar=False)
    k = matrix.shape[1]
    return k / (k - 1) * (1 - np.trace(covariance) / covariance.sum())


def _item_frame(matrix: list[list[int]], dimension: str = "d", reverse: tuple[bool, ...] = ()) -> pd.DataFrame:
    return answers_frame([
        (f"r{i}", "FIN", "OPS", j, dimension, (reverse or (False,) * len(row))[j], score)
        for i, row in enumerate(matrix) for j, score in enumerate(row)
    ])


def test_cronbach_alpha_matches_the_covariance_formula():
    matrix = [[4, 5, 4], [2, 3, 3], [5, 5, 4], [3, 2, 3], [4, 4, 5], [1, 2, 2]]
    result = analysis.cronbach_alpha(_item_frame(matrix)).iloc[0]
    assert result["alpha"] == pytest.approx(_alpha_by_covariance(np.array(matrix, dtype=float)))
    assert result["items"] == 3 and result["n"] == 6 and not result["low"]


def test_cronbach_alpha_by_hand_identical_items_give_1_and_unrelated_items_give_0():
    assert analysis.cronbach_alpha(_item_frame([[1, 1], [2, 2], [4, 4]])).iloc[0]["alpha"] == pytest.approx(1)
    unrelated = analysis.cronbach_alpha(_item_frame([[1, 1], [2, 1], [1, 2], [2, 2]])).iloc[0]
    assert unrelated["alpha"] == pytest.approx(0) and unrelated["low"]


def test_cronbach_alpha_flips_reverse_items_first():
    # item 1 is the reverse of item 0 in wording: after flipping they agree perfectly
    frame = _item_frame([[1, 5], [2, 4], [4, 2]], reverse=(False, True))
    assert analysis.cronbach_alpha(frame).iloc[0]["alpha"] == pytest.approx(1)


def test_asymmetry_shows_both_directions_of_a_pair():
    pairs = pd.DataFrame([
        {"rater": "Finance", "target": "Operations", "dimension": analysis.ALL, "index": 72.0},
        {"rater": "Operations", "target": "Finance", "dimension": analysis.ALL, "index": 48.0},
        {"rater": "Finance", "target": "Sales", "dimension": analysis.ALL, "index": 60.0},
    ])
    result = analysis.asymmetry(pairs)
    assert result.to_dict("records") == [
        {"a": "Finance", "b": "Operations", "a_rates_b": 72.0, "b_rates_a": 48.0, "gap": 24.0}]


def test_trend_change_is_compared_with_its_combined_uncertainty():
    per_wave = pd.DataFrame([
        {"wave_order": 0, "rater": "F", "target": "O", "dimension": analysis.ALL, "index": 50.0, "se": 3.0},
        {"wave_order": 1, "rater": "F", "target": "O", "dimension": analysis.ALL, "index": 60.0, "se": 4.0},
        {"wave_order": 2, "rater": "F", "target": "O", "dimension": analysis.ALL, "index": 65.0, "se": 4.0},
    ])
    result = analysis.trends(per_wave)
    assert math.isnan(result.loc[0, "change"]) and not result.loc[0, "significant"]
    assert result.loc[1, "change"] == 10 and result.loc[1, "change_margin"] == pytest.approx(1.959964 * 5)
    assert result.loc[1, "significant"]  # 10 > 9.8
    assert not result.loc[2, "significant"]  # 5 < 1.96 * sqrt(32)


def test_months_become_quarters_and_align_with_the_index():
    index = pd.DataFrame({"quarter": ["2025-Q1", "2025-Q2"], "index": [50.0, 60.0]})
    outcome = pd.DataFrame({"period": ["2025-01", "2025-02", "2025-03", "2025-04", "2025-07"],
                            "value": [1.0, 2.0, 3.0, 10.0, 7.0]})
    aligned = analysis.align(index, outcome)
    assert aligned[["quarter", "value"]].to_dict("records") == [
        {"quarter": "2025-Q1", "value": 2.0}, {"quarter": "2025-Q2", "value": 10.0}, {"quarter": "2025-Q3", "value": 7.0}]
    assert math.isnan(aligned.loc[2, "index"])


def _quarters(n: int, start: int = 2023) -> list[str]:
    return [f"{start + i // 4}-Q{i % 4 + 1}" for i in range(n)]


def test_lagged_correlation_pairs_the_index_with_the_outcome_lag_quarters_later():
    x = [50, 55, 53, 60, 62, 58, 66, 70, 68, 75]
    quarters = _quarters(10)
    index = pd.DataFrame({"quarter": quarters, "index": x})
    # the outcome follows the index exactly one quarter later (and is noise otherwise)
    outcome = pd.DataFrame({"period": quarters, "value": [3.0] + [v * 2 + 1 for v in x[:-1]]})
    result = analysis.lagged_correlations(analysis.align(index, outcome)).set_index("lag")
    assert result.loc[1, "n"] == 9 and result.loc[1, "r"] == pytest.approx(1)
    lag0 = stats.pearsonr(x, outcome["value"])
    assert result.loc[0, "r"] == pytest.approx(lag0.statistic)
    assert result.loc[0, "p"] == pytest.approx(lag0.pvalue)
    z, se = math.atanh(lag0.statistic), 1 / math.sqrt(10 - 3)
    assert result.loc[0, "ci_low"] == pytest.approx(math.tanh(z - 1.959964 * se), rel=1e-5)
    assert result.loc[0, "ci_high"] == pytest.approx(math.tanh(z + 1.959964 * se), rel=1e-5)
    assert result.loc[2, "n"] == 8


def test_verdict_says_when_n_is_too_small_or_the_interval_crosses_zero():
    assert analysis.verdict({"n": 7, "r": 0.9, "ci_low": 0.5, "ci_high": 0.99}).startswith("Too few points")
    assert analysis.verdict({"n": 12, "r": 0.2, "ci_low": -0.4, "ci_high": 0.7}).startswith("No conclusion")
    text = analysis.verdict({"n": 12, "r": 0.8, "ci_low": 0.4, "ci_high": 0.94})
    assert text.startswith("Association") and "not evidence of cause" in text


def test_pooled_within_function_correlation_removes_each_functions_level():
    quarters = _quarters(6)
    # Finance runs high on both, Operations low on both; inside each, the outcome falls as the index rises
    finance = analysis.align(pd.DataFrame({"quarter": quarters, "index": [80, 82, 84, 86, 88, 90.0]}),
                             pd.DataFrame({"period": quarters, "value": [20, 19.5, 18, 18.5, 17, 16.0]}))
    operations = analysis.align(pd.DataFrame({"quarter": quarters, "index": [40, 41, 45, 44, 47, 50.0]}),
                                pd.DataFrame({"period": quarters, "value": [10, 9, 8, 8.5, 7, 6.0]}))
    pooled = analysis.pooled_within({"FIN": finance, "OPS": operations}).set_index("lag")
    x = np.r_[np.array([80, 82, 84, 86, 88, 90.0]) - 85, np.array([40, 41, 45, 44, 47, 50.0]) - 44.5]
    y = np.r_[np.array([20, 19.5, 18, 18.5, 17, 16.0]) - 18.1666666, np.array([10, 9, 8, 8.5, 7, 6.0]) - 8.0833333]
    assert pooled.loc[0, "r"] == pytest.approx(np.corrcoef(x, y)[0, 1], rel=1e-6)
    assert pooled.loc[0, "r"] < 0  # while the raw (between-function) correlation is strongly positive
    assert pooled.loc[0, "n"] == 12 and pooled.loc[0, "functions"] == 2
    df = 12 - 2 - 1
    r = pooled.loc[0, "r"]
    assert pooled.loc[0, "p"] == pytest.approx(2 * stats.t.sf(abs(r) * math.sqrt(df / (1 - r * r)), df))


def test_the_trend_chart_keeps_the_pairs_that_moved_most():
    from programs.trust.presenting import moving_pairs

    rows = [{"wave_order": w, "rater": r, "target": "X", "index": start + step * w}
            for r, start, step in (("a", 50, 10), ("b", 50, -1), ("c", 40, 5)) for w in range(3)]
    kept = moving_pairs(pd.DataFrame(rows), count=2)
    assert sorted(set(kept["rater"])) == ["a", "c"] and len(kept) == 6

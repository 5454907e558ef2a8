"""Index, interval, eNPS, alpha, trends and outcome correlations on small data checked by hand
or by an independent formula."""
from __future__ import annotations

import math
import statistics
from datetime import date

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
    for item, score in zip((1, 2), scores, strict=True)
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


def test_months_become_quarters_and_a_partial_quarter_is_flagged_and_left_out():
    index = pd.DataFrame({"quarter": ["2025-Q1", "2025-Q2"], "index": [50.0, 60.0]})
    outcome = pd.DataFrame({"period": ["2025-01", "2025-02", "2025-03", "2025-04", "2025-07"],
                            "value": [1.0, 2.0, 3.0, 10.0, 7.0]})
    aligned = analysis.align(index, outcome)
    assert aligned[["quarter", "value", "months", "complete"]].to_dict("records") == [
        {"quarter": "2025-Q1", "value": 2.0, "months": 3, "complete": True},
        {"quarter": "2025-Q2", "value": 10.0, "months": 1, "complete": False},
        {"quarter": "2025-Q3", "value": 7.0, "months": 1, "complete": False}]
    assert math.isnan(aligned.loc[2, "index"])
    assert analysis.partial_quarters(aligned) == ["2025-Q2", "2025-Q3"]
    assert analysis.changes_at(aligned).empty  # Q2's outcome is partial: no change can be formed


def _quarters(n: int, start: int = 2023) -> list[str]:
    return [f"{start + i // 4}-Q{i % 4 + 1}" for i in range(n)]


def _aligned(index: list[float], value: list[float]) -> pd.DataFrame:
    quarters = _quarters(len(index))
    return analysis.align(pd.DataFrame({"quarter": quarters, "index": index}),
                          pd.DataFrame({"period": quarters, "value": value}))


def test_lag1_autocorrelation_and_effective_n_by_hand():
    # 1, 2, 3, 4: deviations -1.5 -0.5 0.5 1.5, squares sum to 5, lag products sum to 1.25: r1 = 0.25
    assert analysis.lag1_autocorrelation(np.array([1, 2, 3, 4.0])) == pytest.approx(0.25)
    x = np.array([1, 2, 3, 4.0])
    assert analysis.effective_n(x, x) == pytest.approx(4 * (1 - 0.0625) / (1 + 0.0625))
    alternating = np.array([1, -1, 1, -1, 1, -1.0])  # r1 < 0 against a trend's r1 > 0: never above n
    assert analysis.effective_n(alternating, np.arange(6.0)) == 6


def test_two_random_walks_rest_on_few_effective_points_and_white_noise_on_nearly_all():
    rng = np.random.default_rng(7)
    walks = rng.normal(size=(2, 200)).cumsum(axis=1)
    noise = rng.normal(size=(2, 200))
    assert analysis.effective_n(*walks) < 10
    assert analysis.effective_n(*noise) > 170


def test_shared_trends_correlate_as_levels_but_the_test_is_on_changes():
    rng = np.random.default_rng(3)
    trend = np.arange(12.0)
    index = 50 + 3 * trend + rng.normal(0, 1, 12)
    value = 80 + 0.5 * trend + rng.normal(0, 0.3, 12)
    row = analysis.lagged_correlations(_aligned(list(index), list(value))).set_index("lag").loc[0]
    assert row["levels_r"] == pytest.approx(stats.pearsonr(index, value).statistic) and row["levels_r"] > 0.9
    assert row["levels_n_eff"] == pytest.approx(analysis.effective_n(index, value)) and row["levels_n_eff"] < 12
    dx, dy = np.diff(index), np.diff(value)
    assert row["n"] == 11 and row["r"] == pytest.approx(stats.pearsonr(dx, dy).statistic)
    n_eff = analysis.effective_n(dx, dy)
    df = n_eff - 2
    expected_p = 2 * stats.t.sf(abs(row["r"]) * math.sqrt(df / (1 - row["r"] ** 2)), df)
    assert row["n_eff"] == pytest.approx(n_eff) and row["p"] == pytest.approx(expected_p)


def test_the_test_on_changes_equals_pearson_when_changes_are_not_autocorrelated():
    dx = np.array([1, -2, 3, -1, 2, -3, 1, -2, 2.0])
    dy = np.array([0.5, 1, 1.2, 0, -1, -1.5, -1, 0.2, 0.5])  # smooth: r1 > 0
    index, value = np.r_[50, 50 + dx.cumsum()], np.r_[10, 10 + dy.cumsum()]
    row = analysis.lagged_correlations(_aligned(list(index), list(value))).set_index("lag").loc[0]
    expected = stats.pearsonr(dx, dy)
    assert analysis.effective_n(dx, dy) == 9  # r1 of opposite signs: n_eff capped at n
    assert row["r"] == pytest.approx(expected.statistic) and row["p"] == pytest.approx(expected.pvalue)


def test_an_outcome_that_follows_the_index_a_quarter_later_shows_at_lag_1():
    rng = np.random.default_rng(11)
    x = list(50 + rng.normal(0, 5, 12).cumsum())
    value = [3.0] + [v * 2 + 1 for v in x[:-1]]
    result = analysis.lagged_correlations(_aligned(x, value)).set_index("lag")
    assert result.loc[1, "n"] == 10 and result.loc[1, "r"] == pytest.approx(1)
    assert result.loc[2, "levels_n"] == 10


def test_below_the_minimum_there_is_no_r_and_no_p_and_a_constant_series_says_so():
    few = analysis.lagged_correlations(_aligned([1, 3, 2, 5, 4, 6, 7.0], [2, 1, 4, 3, 6, 5, 8.0])).iloc[0]
    assert few["levels_n"] == 7 and math.isnan(few["levels_r"]) and math.isnan(few["r"]) and math.isnan(few["p"])
    outcome = analysis.Outcome("On-time delivery", True, "%")
    assert analysis.verdict(few, outcome).startswith("Too few quarter-on-quarter changes to say anything: 6 paired")
    flat = analysis.lagged_correlations(_aligned([60.0] * 10, list(range(10)))).iloc[0]
    assert flat["constant"] == "index" and math.isnan(flat["r"])
    assert (
        analysis.verdict(flat, outcome)
        == "The trust index did not change over these quarters: there is nothing to correlate."
    )


def test_holm_matches_the_step_down_by_hand():
    # sorted 0.005 x4 = 0.02, 0.01 x3 = 0.03, 0.03 x2 = 0.06, 0.04 x1 = 0.04 -> kept monotone at 0.06
    adjusted = analysis.holm([0.01, 0.04, 0.03, 0.005, math.nan])
    assert adjusted[:4] == pytest.approx([0.03, 0.06, 0.06, 0.02]) and math.isnan(adjusted[4])
    assert analysis.holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    first, second = analysis.adjust_family([pd.DataFrame({"p": [0.01, math.nan]}), pd.DataFrame({"p": [0.04]})])
    assert first["p_adjusted"].tolist()[0] == pytest.approx(0.02) and second["p_adjusted"].tolist() == [0.04]
    assert set(first["tests"]) == {2}


def _panel(rng, functions: int, quarters: int, shared: np.ndarray, slope: float):
    """Per function: index and outcome that share each quarter's movement, plus the given within link."""
    frames, long = {}, []
    for f in range(functions):
        x = 40 + 10 * f + shared + rng.normal(0, 2, quarters)
        y = 5 + f + 0.8 * shared + slope * x + rng.normal(0, 1, quarters)
        frames[f] = _aligned(list(x), list(y))
        long += [(f, q, xv, yv) for q, (xv, yv) in enumerate(zip(x, y, strict=True))]
    return frames, pd.DataFrame(long, columns=["f", "q", "x", "y"])


def test_pooled_model_with_function_and_quarter_effects_matches_a_dummy_regression():
    rng = np.random.default_rng(5)
    frames, long = _panel(rng, functions=3, quarters=8, shared=np.linspace(0, 14, 8), slope=0.2)
    pooled = analysis.pooled_within(frames).set_index("lag").loc[0]
    # independent: OLS of y on x plus function and quarter dummies (one quarter dropped), the slope's t-test
    design = np.column_stack([long["x"], pd.get_dummies(long["f"], dtype=float),
                              pd.get_dummies(long["q"], drop_first=True, dtype=float)])
    beta, *_ = np.linalg.lstsq(design, long["y"].to_numpy(), rcond=None)
    residual = long["y"].to_numpy() - design @ beta
    df = len(long) - design.shape[1]
    sigma2 = residual @ residual / df
    se = math.sqrt(sigma2 * np.linalg.inv(design.T @ design)[0, 0])
    assert df == 24 - (3 + 8 - 1) - 1
    assert pooled["p"] == pytest.approx(2 * stats.t.sf(abs(beta[0] / se), df))
    assert np.sign(pooled["r"]) == np.sign(beta[0])
    assert (pooled["n"], pooled["functions"], pooled["quarters"]) == (24, 3, 8)


def test_a_trend_every_function_shares_is_not_evidence_in_the_pooled_model():
    rng = np.random.default_rng(9)
    frames, long = _panel(rng, functions=4, quarters=8, shared=np.linspace(0, 30, 8), slope=0.0)
    pooled = analysis.pooled_within(frames).set_index("lag").loc[0]
    demeaned = long.assign(x=long["x"] - long.groupby("f")["x"].transform("mean"),
                           y=long["y"] - long.groupby("f")["y"].transform("mean"))
    assert stats.pearsonr(demeaned["x"], demeaned["y"]).pvalue < 0.001  # function means only: "significant"
    assert pooled["p"] > 0.05


def test_the_verdict_says_which_way_the_metric_moved_and_whether_that_is_better():
    row = {"lag": 0, "n": 10, "r": -0.8, "p": 0.001, "p_adjusted": 0.004, "tests": 6, "too_few": False, "constant": ""}
    cycle = analysis.Outcome("the cash conversion cycle", higher_is_better=False, unit="days")
    text = analysis.verdict(row, cycle)
    assert text.startswith(
        "In quarters when trust rose, the cash conversion cycle shortened (better) in the same quarter"
    )
    assert "p = 0.004 after correcting for the 6 tests on this page" in text and "not evidence of cause" in text
    delivery = analysis.Outcome("on-time delivery", higher_is_better=True, unit="%")
    assert "on-time delivery fell (worse) 1 quarter later" in analysis.verdict({**row, "lag": 1}, delivery)
    assert analysis.verdict({**row, "p_adjusted": 0.2}, delivery).startswith("No evidence of a link")


def test_p_values_read_as_people_read_them():
    assert [analysis.format_p(p) for p in (0.0000001, 0.0042, 0.049, 0.41)] == [
        "p < 0.001", "p = 0.004", "p = 0.05", "p = 0.41"]


def test_the_fitted_line_and_its_band_match_the_regression_formulas():
    x = np.array([-3, -1, 0, 2, 4, 5.0])
    y = np.array([-2, 0.5, 0, 1, 3.5, 3])
    line = analysis.fit_line(x, y, points=5)
    fit = stats.linregress(x, y)
    assert line["fit"].to_numpy() == pytest.approx(fit.intercept + fit.slope * line["x"].to_numpy())
    s2 = np.sum((y - fit.intercept - fit.slope * x) ** 2) / 4
    var_mean = s2 / 6 + fit.stderr ** 2 * (line["x"].to_numpy() - x.mean()) ** 2
    assert (line["high"] - line["fit"]).to_numpy() == pytest.approx(T_975[4] * np.sqrt(var_mean), rel=1e-6)


def test_lag_0_says_which_came_first():
    assert analysis.days_into_quarter(date(2026, 12, 15)) == (75, 92)
    assert analysis.days_into_quarter(date(2026, 2, 1)) == (31, 90)
    late = analysis.lag0_timing([date(2026, 12, 15), date(2026, 9, 20)])
    assert late.startswith(
        "The waves closed on average 85% of the way"
    )  # (75/92 + 81/92) / 2 and "came before the answers" in late
    assert "came after the answers" in analysis.lag0_timing([date(2026, 10, 10)])


def test_the_trend_chart_keeps_the_pairs_that_moved_most():
    from programs.trust.presenting import moving_pairs

    rows = [{"wave_order": w, "rater": r, "target": "X", "index": start + step * w}
            for r, start, step in (("a", 50, 10), ("b", 50, -1), ("c", 40, 5)) for w in range(3)]
    kept = moving_pairs(pd.DataFrame(rows), count=2)
    assert sorted(set(kept["rater"])) == ["a", "c"] and len(kept) == 6

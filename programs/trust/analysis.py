"""Trust pulse statistics: plain functions on pandas frames, no Flask, no session.

Input frames:
- answers: response_id, rater, target, item, dimension, reverse (bool), score (1-5)
- recommend: response_id, rater, target, score (0-10)

A respondent's score for a group of items is the mean of their items rescaled to 0-100
((score - 1) * 25, reverse items flipped first); an index is the mean over respondents, with a
t-based 95% confidence interval over respondents.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

ALL = "all"  # the dimension label of all items together
FAVOURABLE = 4  # 4 (agree) or 5 (strongly agree), after flipping reverse items
ALPHA_FLOOR = 0.7
Z95 = 1.959963984540054
MIN_POINTS = 8  # fewer paired periods than this: too few for a conclusion
LAGS = (0, 1, 2)
PAIR_COLUMNS = ["rater", "target", "dimension", "index", "se", "ci_low", "ci_high", "favourable", "n"]


def flipped_scores(answers: pd.DataFrame) -> pd.Series:
    """Scores 1-5 with reverse items flipped (5 becomes 1)."""
    return answers["score"].where(~answers["reverse"].astype(bool), 6 - answers["score"])


def _scored(answers: pd.DataFrame) -> pd.DataFrame:
    flipped = flipped_scores(answers)
    return answers.assign(points=(flipped - 1) * 25.0, favourable=(flipped >= FAVOURABLE).astype(float))


def _summarise(respondents: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Index, standard error, 95% CI, share favourable and n per group of respondent-level rows."""
    grouped = respondents.groupby(keys, sort=True)
    out = grouped.agg(index=("points", "mean"), sd=("points", "std"), n=("points", "size"),
                      fav_sum=("fav_sum", "sum"), fav_count=("fav_count", "sum")).reset_index()
    out["se"] = out["sd"] / np.sqrt(out["n"])
    half = stats.t.ppf(0.975, (out["n"] - 1).clip(lower=1)) * out["se"]
    half = half.where(out["n"] > 1)
    out["ci_low"] = (out["index"] - half).clip(lower=0)
    out["ci_high"] = (out["index"] + half).clip(upper=100)
    out["favourable"] = out["fav_sum"] / out["fav_count"]
    out["n"] = out["n"].astype(int)
    return out.drop(columns=["sd", "fav_sum", "fav_count"])


def _per_respondent(scored: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per respondent and group: the mean points and the favourable counts of their items."""
    return scored.groupby(["response_id", *keys], sort=False).agg(
        points=("points", "mean"), fav_sum=("favourable", "sum"), fav_count=("favourable", "size")
    ).reset_index()


def pair_indices(answers: pd.DataFrame) -> pd.DataFrame:
    """Per rater, target and dimension (and ALL dimensions): index, se, CI, share favourable, n."""
    if answers.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    scored = _scored(answers)
    by_dimension = _per_respondent(scored, ["rater", "target", "dimension"])
    overall = _per_respondent(scored, ["rater", "target"]).assign(dimension=ALL)
    keys = ["rater", "target", "dimension"]
    return _summarise(pd.concat([overall, by_dimension], ignore_index=True), keys)[PAIR_COLUMNS]


def target_indices(answers: pd.DataFrame) -> pd.DataFrame:
    """Per target, over every rater: how the organisation rates each function."""
    scored = _scored(answers)
    return _summarise(_per_respondent(scored, ["target"]), ["target"])


def rater_indices(answers: pd.DataFrame) -> pd.DataFrame:
    """Per rater, over every target: how each function rates the others."""
    scored = _scored(answers)
    return _summarise(_per_respondent(scored, ["rater"]), ["rater"])


def overall_index(answers: pd.DataFrame) -> dict:
    """The organisation's index: each respondent's mean over all their items, averaged."""
    scored = _scored(answers).assign(everyone=ALL)
    summary = _summarise(_per_respondent(scored, ["everyone"]), ["everyone"])
    if summary.empty:
        return {"index": math.nan, "se": math.nan, "ci_low": math.nan, "ci_high": math.nan, "favourable": math.nan, "n": 0}
    return summary.drop(columns=["everyone"]).iloc[0].to_dict()


def enps(recommend: pd.DataFrame) -> pd.DataFrame:
    """eNPS per target: percentage of promoters (9-10) minus percentage of detractors (0-6)."""
    columns = ["target", "n", "promoters", "passives", "detractors", "enps"]
    if recommend.empty:
        return pd.DataFrame(columns=columns)
    frame = recommend.assign(
        promoter=(recommend["score"] >= 9).astype(int),
        detractor=(recommend["score"] <= 6).astype(int),
    )
    out = frame.groupby("target", sort=True).agg(
        n=("score", "size"), promoters=("promoter", "sum"), detractors=("detractor", "sum")
    ).reset_index()
    out["passives"] = out["n"] - out["promoters"] - out["detractors"]
    out["enps"] = 100.0 * (out["promoters"] - out["detractors"]) / out["n"]
    return out[columns]


def cronbach_alpha(answers: pd.DataFrame) -> pd.DataFrame:
    """Cronbach's alpha per dimension over complete (response, target) rows; flagged below 0.7.

    alpha = k / (k - 1) * (1 - sum of item variances / variance of the row totals).
    """
    rows = []
    scored = answers.assign(flipped=flipped_scores(answers))
    for dimension, group in scored.groupby("dimension", sort=True):
        matrix = group.pivot_table(index=["response_id", "target"], columns="item", values="flipped",
                                   aggfunc="first").dropna()
        rows.append({"dimension": dimension, "items": matrix.shape[1], "n": matrix.shape[0],
                     "alpha": _alpha(matrix.to_numpy(dtype=float))})
    out = pd.DataFrame(rows, columns=["dimension", "items", "n", "alpha"])
    out["low"] = out["alpha"] < ALPHA_FLOOR
    return out


def _alpha(matrix: np.ndarray) -> float:
    items = matrix.shape[1]
    if items < 2 or matrix.shape[0] < 2:
        return math.nan
    total_variance = matrix.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        return math.nan
    return items / (items - 1) * (1 - matrix.var(axis=0, ddof=1).sum() / total_variance)


def asymmetry(pairs: pd.DataFrame) -> pd.DataFrame:
    """For every pair rated both ways: a rates b, b rates a, and the gap (a->b minus b->a)."""
    overall = pairs[pairs["dimension"] == ALL].set_index(["rater", "target"])["index"]
    rows = []
    for (rater, target), value in overall.items():
        back = overall.get((target, rater))
        if back is not None and str(rater) < str(target):
            rows.append({"a": rater, "b": target, "a_rates_b": value, "b_rates_a": back, "gap": value - back})
    return pd.DataFrame(rows, columns=["a", "b", "a_rates_b", "b_rates_a", "gap"])


def trends(per_wave: pd.DataFrame) -> pd.DataFrame:
    """Index per pair over waves (column wave_order), with the change from the previous wave.

    A change is larger than its uncertainty when |change| > 1.96 * sqrt(se_before^2 + se_now^2).
    """
    frame = per_wave[per_wave["dimension"] == ALL].sort_values(["rater", "target", "wave_order"]).copy()
    grouped = frame.groupby(["rater", "target"], sort=False)
    frame["change"] = grouped["index"].diff()
    se_change = np.sqrt(grouped["se"].shift() ** 2 + frame["se"] ** 2)
    frame["change_margin"] = Z95 * se_change
    frame["significant"] = (frame["change"].abs() > frame["change_margin"]) & frame["change"].notna()
    return frame.reset_index(drop=True)


# --- business outcomes --------------------------------------------------------------------

def quarter_of(period: str) -> str:
    """'2025-07' -> '2025-Q3'; a quarter stays as it is."""
    if "-Q" in period:
        return period
    year, month = period.split("-")
    return f"{year}-Q{(int(month) - 1) // 3 + 1}"


def quarter_ordinal(quarter: str) -> int:
    """'2025-Q3' -> a number that grows by one per quarter."""
    year, q = quarter.split("-Q")
    return int(year) * 4 + int(q) - 1


def to_quarters(values: pd.DataFrame) -> pd.DataFrame:
    """Outcome values (period, value[, function]) averaged per quarter (months become their quarter)."""
    keys = ["function", "quarter"] if "function" in values.columns else ["quarter"]
    frame = values.assign(quarter=values["period"].map(quarter_of))
    return frame.groupby(keys, sort=True)["value"].mean().reset_index()


def align(index: pd.DataFrame, outcome: pd.DataFrame) -> pd.DataFrame:
    """index (quarter, index) and outcome (period, value) on one quarterly axis (outer join)."""
    quarters = to_quarters(outcome)
    frame = index[["quarter", "index"]].merge(quarters, on="quarter", how="outer")
    frame["ordinal"] = frame["quarter"].map(quarter_ordinal)
    return frame.sort_values("ordinal").reset_index(drop=True)


def _lagged_pairs(frame: pd.DataFrame, lag: int) -> pd.DataFrame:
    """(index at quarter t, value at quarter t + lag) for every t where both exist."""
    later = frame[["ordinal", "value"]].assign(ordinal=frame["ordinal"] - lag)
    return frame[["ordinal", "index"]].merge(later, on="ordinal").dropna()


def correlation(x: np.ndarray, y: np.ndarray, groups: int = 1) -> dict:
    """Pearson r with a Fisher-z 95% interval and a two-sided t-test p (groups: means removed)."""
    n = len(x)
    df = n - groups - 1
    result = {"n": n, "r": math.nan, "ci_low": math.nan, "ci_high": math.nan, "p": math.nan}
    if df < 1 or np.std(x) == 0 or np.std(y) == 0:
        return result
    r = float(np.clip(np.corrcoef(x, y)[0, 1], -1.0, 1.0))
    result["r"] = r
    if abs(r) < 1:
        result["p"] = float(2 * stats.t.sf(abs(r) * math.sqrt(df / (1 - r * r)), df))
    if df > 1 and abs(r) < 1:
        half = Z95 / math.sqrt(df - 1)
        result["ci_low"], result["ci_high"] = math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half)
    return result


def verdict(result: dict) -> str:
    """Plain words: is there anything to say about this correlation?"""
    if result["n"] < MIN_POINTS or math.isnan(result["r"]):
        return f"Too few points for a conclusion (n = {result['n']}, at least {MIN_POINTS} needed)."
    if math.isnan(result["ci_low"]) or result["ci_low"] <= 0 <= result["ci_high"]:
        return "No conclusion: the 95% interval includes zero."
    direction = "higher" if result["r"] > 0 else "lower"
    return f"Association: quarters with a higher index tend to have {direction} values. This is not evidence of cause."


def lagged_correlations(aligned: pd.DataFrame, lags: tuple[int, ...] = LAGS) -> pd.DataFrame:
    """Correlation of the index with the outcome lag quarters later, for each lag."""
    rows = []
    for lag in lags:
        pairs = _lagged_pairs(aligned, lag)
        result = correlation(pairs["index"].to_numpy(float), pairs["value"].to_numpy(float))
        rows.append({"lag": lag, **result, "verdict": verdict(result)})
    return pd.DataFrame(rows)


def pooled_within(per_function: dict, lags: tuple[int, ...] = LAGS) -> pd.DataFrame:
    """Pooled within-function correlation: {function: aligned frame}; each function's means removed."""
    rows = []
    for lag in lags:
        parts = [_lagged_pairs(frame, lag) for frame in per_function.values()]
        parts = [p for p in parts if len(p) >= 2]
        if not parts:
            rows.append({"lag": lag, **correlation(np.array([]), np.array([])), "functions": 0})
            continue
        x = np.concatenate([(p["index"] - p["index"].mean()).to_numpy(float) for p in parts])
        y = np.concatenate([(p["value"] - p["value"].mean()).to_numpy(float) for p in parts])
        result = correlation(x, y, groups=len(parts))
        rows.append({"lag": lag, **result, "functions": len(parts)})
    out = pd.DataFrame(rows)
    out["verdict"] = [verdict(row) for row in out.to_dict("records")]
    return out

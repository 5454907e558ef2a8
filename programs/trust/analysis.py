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
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from webapp.periods import period_quarter, quarter_ordinal

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
    grouped = respondents.groupby(keys, sort=True, observed=True)
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
    return scored.groupby(["response_id", *keys], sort=False, observed=True).agg(
        points=("points", "mean"), fav_sum=("favourable", "sum"), fav_count=("favourable", "size")
    ).reset_index()


def pair_indices(answers: pd.DataFrame) -> pd.DataFrame:
    """Per rater, target and dimension (and ALL dimensions): index, se, CI, share favourable, n."""
    if answers.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    scored = _scored(answers)
    dimensions = sorted({ALL, *scored["dimension"].unique()})  # grouped by category codes: strings are slow
    scored["dimension"] = pd.Categorical(scored["dimension"], categories=dimensions)
    by_dimension = _per_respondent(scored, ["rater", "target", "dimension"])
    overall = _per_respondent(scored, ["rater", "target"])
    overall["dimension"] = pd.Categorical([ALL] * len(overall), categories=dimensions)
    keys = ["rater", "target", "dimension"]
    pairs = _summarise(pd.concat([overall, by_dimension], ignore_index=True), keys)[PAIR_COLUMNS]
    return pairs.astype({"dimension": object})


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
    scored = _scored(answers).assign(everyone=0)
    summary = _summarise(_per_respondent(scored, ["everyone"]), ["everyone"])
    if summary.empty:
        return {
            "index": math.nan,
            "se": math.nan,
            "ci_low": math.nan,
            "ci_high": math.nan,
            "favourable": math.nan,
            "n": 0,
        }
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
    both = pairs[pairs["dimension"] == ALL]
    overall = dict(zip(zip(both["rater"], both["target"], strict=True), both["index"], strict=True))
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
#
# The method, once:
# - Outcome values are averaged per quarter. A quarter with fewer months than it has is partial:
#   shown and flagged, and left out of every test (its average is not the same quantity).
# - Lag L pairs the index of the quarter a wave closed in (quarter t) with the outcome of quarter t + L.
# - The correlation of levels ("raw") is descriptive: two series that both trend correlate whatever
#   links them. Its effective n (Bartlett, Quenouille: n (1 - a b) / (1 + a b), a and b the lag-1
#   autocorrelations of the two series) says how many independent points it rests on.
# - The test is on changes: quarter-on-quarter differences of both series (consecutive quarters only),
#   Pearson r, t-test with n_eff - 2 degrees of freedom.
# - The pooled per-function model removes function and quarter effects (two-way fixed effects):
#   degrees of freedom N - rank(dummies) - 1.
# - Every p a page shows is Holm-adjusted as one family; verdicts read the adjusted p at 5%.

MIN_CHANGES = MIN_POINTS - 1  # the changes of MIN_POINTS consecutive quarters
SIGNIFICANCE = 0.05
LENGTH_UNITS = {"day", "days", "week", "weeks", "hour", "hours", "h", "d"}


@dataclass(frozen=True)
class Outcome:
    """What a verdict needs to know about the metric: its name, unit and which way is better."""

    name: str
    higher_is_better: bool
    unit: str = ""


def to_quarters(values: pd.DataFrame) -> pd.DataFrame:
    """Outcome values (period, value[, function]) averaged per quarter, with months and complete per quarter.

    A quarterly value is complete; monthly values are complete when all three months are there.
    """
    keys = ["function", "quarter"] if "function" in values.columns else ["quarter"]
    frame = values.assign(quarter=values["period"].map(period_quarter),
                          whole=values["period"].str.contains("-Q", regex=False))
    out = frame.groupby(keys, sort=True).agg(value=("value", "mean"), months=("period", "nunique"),
                                             whole=("whole", "any")).reset_index()
    out["complete"] = out["whole"] | (out["months"] >= 3)
    return out.drop(columns=["whole"])


def align(index: pd.DataFrame, outcome: pd.DataFrame) -> pd.DataFrame:
    """index (quarter, index) and outcome (period, value) on one quarterly axis (outer join)."""
    quarters = to_quarters(outcome)
    frame = index[["quarter", "index"]].merge(quarters, on="quarter", how="outer")
    frame["complete"] = frame["complete"].astype("boolean").fillna(False).astype(bool)
    frame["months"] = frame["months"].fillna(0).astype(int)
    frame["ordinal"] = frame["quarter"].map(quarter_ordinal)
    return frame.sort_values("ordinal").reset_index(drop=True)


def partial_quarters(aligned: pd.DataFrame) -> list[str]:
    """Quarters with an outcome value that rests on part of the quarter (left out of the tests)."""
    return aligned.loc[aligned["value"].notna() & ~aligned["complete"], "quarter"].tolist()


def _series(aligned: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(index, outcome) by quarter ordinal over the whole range; partial quarters' outcomes left out."""
    frame = aligned.set_index("ordinal")
    full = range(int(frame.index.min()), int(frame.index.max()) + 1) if len(frame) else range(0)
    index = frame["index"].astype(float).reindex(full)
    value = frame["value"].astype(float).where(frame["complete"]).reindex(full)
    return index, value


def _lagged(x: pd.Series, y: pd.Series, lag: int) -> pd.DataFrame:
    """(x at quarter t, y at quarter t + lag) for every t where both exist."""
    later = y.shift(-lag)
    frame = pd.DataFrame({"ordinal": x.index, "x": x.to_numpy(), "y": later.to_numpy()})
    return frame.dropna().reset_index(drop=True)


def lag1_autocorrelation(values: np.ndarray) -> float:
    """r1 = sum of (v_t - mean)(v_t+1 - mean) over the sum of squared deviations (0 for a constant series)."""
    deviations = np.asarray(values, dtype=float) - np.mean(values)
    denominator = float(np.sum(deviations ** 2))
    if len(deviations) < 2 or denominator == 0:
        return 0.0
    return float(np.sum(deviations[:-1] * deviations[1:]) / denominator)


def effective_n(x: np.ndarray, y: np.ndarray) -> float:
    """Bartlett/Quenouille: n (1 - a b) / (1 + a b), a and b the lag-1 autocorrelations; never above n."""
    n = len(x)
    product = lag1_autocorrelation(x) * lag1_autocorrelation(y)
    if product >= 1:
        return 0.0
    return float(min(n, n * (1 - product) / (1 + product)))


def correlation(x: np.ndarray, y: np.ndarray, minimum: int = MIN_POINTS, absorbed: int = 1,
                n_eff: float | None = None) -> dict:
    """Pearson r, a Fisher-z 95% interval and a two-sided t-test p on n_eff - absorbed - 1 degrees of freedom.

    Below `minimum` points there is no r and no p; a constant series is named in `constant`.
    absorbed: parameters removed before (1 for the mean; more for fixed effects).
    """
    n = len(x)
    n_eff = float(n if n_eff is None else n_eff)
    result = {"n": n, "n_eff": n_eff, "r": math.nan, "ci_low": math.nan, "ci_high": math.nan, "p": math.nan,
              "too_few": n < minimum, "constant": ""}
    if result["too_few"]:
        return result
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        result["constant"] = "index" if np.ptp(x) == 0 else "outcome"
        return result
    r = float(np.clip(np.corrcoef(x, y)[0, 1], -1.0, 1.0))
    result["r"] = r
    df = n_eff - absorbed - 1
    if df >= 1:
        result["p"] = 0.0 if abs(r) == 1 else float(2 * stats.t.sf(abs(r) * math.sqrt(df / (1 - r * r)), df))
    if df > 1 and abs(r) < 1:
        half = Z95 / math.sqrt(df - 1)
        result["ci_low"], result["ci_high"] = math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half)
    return result


def lagged_correlations(aligned: pd.DataFrame, lags: tuple[int, ...] = LAGS) -> pd.DataFrame:
    """Per lag: the levels correlation (descriptive, with its effective n) and the test on changes."""
    index, value = _series(aligned)
    rows = []
    for lag in lags:
        levels = _lagged(index, value, lag)
        raw = correlation(levels["x"].to_numpy(), levels["y"].to_numpy())
        raw_n_eff = effective_n(levels["x"].to_numpy(), levels["y"].to_numpy()) if not raw["too_few"] else math.nan
        changes = _lagged(index.diff(), value.diff(), lag)
        dx, dy = changes["x"].to_numpy(), changes["y"].to_numpy()
        honest = correlation(dx, dy, minimum=MIN_CHANGES, n_eff=effective_n(dx, dy) if len(dx) else 0)
        rows.append({"lag": lag, "levels_n": raw["n"], "levels_r": raw["r"], "levels_n_eff": raw_n_eff,
                     "levels_constant": raw["constant"], **honest})
    return pd.DataFrame(rows)


def changes_at(aligned: pd.DataFrame, lag: int = 0) -> pd.DataFrame:
    """The paired changes a lag's test uses: quarter (of the index), index change, outcome change."""
    index, value = _series(aligned)
    pairs = _lagged(index.diff(), value.diff(), lag)
    names = dict(zip(aligned["ordinal"], aligned["quarter"], strict=True))
    return pairs.assign(quarter=pairs["ordinal"].map(names))[["quarter", "x", "y"]]


def _residuals(values: np.ndarray, dummies: np.ndarray) -> np.ndarray:
    coefficients, *_ = np.linalg.lstsq(dummies, values, rcond=None)
    return values - dummies @ coefficients


def fixed_effects_dummies(functions: list, quarters: list) -> np.ndarray:
    """One column per function and one per quarter (the matrix is rank-deficient by one: lstsq copes)."""
    columns = [np.array([f == key for f in functions], dtype=float) for key in sorted(set(functions), key=str)]
    columns += [np.array([q == key for q in quarters], dtype=float) for key in sorted(set(quarters))]
    return np.column_stack(columns)


def pooled_within(per_function: dict, lags: tuple[int, ...] = LAGS) -> pd.DataFrame:
    """Pooled correlation with function and quarter effects removed: {function: aligned frame}.

    Each point is (index of a function in quarter t, its outcome in t + lag); the function's level
    and every quarter's shared movement are taken out of both, so a trend all functions share says nothing.
    """
    rows = []
    for lag in lags:
        parts = []
        for function, frame in per_function.items():
            index, value = _series(frame)
            parts.append(_lagged(index, value, lag).assign(function=function))
        pooled = (
            pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["ordinal", "x", "y", "function"])
        )
        functions, quarters = pooled["function"].nunique(), pooled["ordinal"].nunique()
        if len(pooled) < MIN_POINTS or functions < 2 or quarters < 2:
            result = correlation(np.array([]), np.array([]))
            result["n"] = len(pooled)
        else:
            dummies = fixed_effects_dummies(pooled["function"].tolist(), pooled["ordinal"].tolist())
            rank = int(np.linalg.matrix_rank(dummies))
            x = _residuals(pooled["x"].to_numpy(float), dummies)
            y = _residuals(pooled["y"].to_numpy(float), dummies)
            result = correlation(_rounded(x), _rounded(y), absorbed=rank)
        rows.append({"lag": lag, **result, "functions": functions, "quarters": quarters})
    return pd.DataFrame(rows)


def _rounded(values: np.ndarray) -> np.ndarray:
    """Residuals with floating-point dust cleared, so a series with nothing left reads as constant."""
    return np.where(np.abs(values) < 1e-9, 0.0, values)


def holm(pvalues: list[float]) -> list[float]:
    """Holm's step-down adjustment of a family of p values (missing ones stay missing and do not count)."""
    present = [(p, i) for i, p in enumerate(pvalues) if not math.isnan(p)]
    adjusted = [math.nan] * len(pvalues)
    running = 0.0
    for rank, (p, i) in enumerate(sorted(present)):
        running = max(running, min(1.0, (len(present) - rank) * p))
        adjusted[i] = running
    return adjusted


def adjust_family(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """Holm across every p of the given frames together; adds p_adjusted and tests (the family size)."""
    pvalues = [p for frame in frames for p in frame["p"].tolist()]
    adjusted = holm(pvalues)
    tests = sum(not math.isnan(p) for p in pvalues)
    out, start = [], 0
    for frame in frames:
        out.append(frame.assign(p_adjusted=adjusted[start:start + len(frame)], tests=tests))
        start += len(frame)
    return out


def format_p(p: float) -> str:
    """p as people read it: 'p < 0.001', 'p = 0.03', 'p = 0.41'."""
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def _movement(outcome: Outcome, up: bool) -> str:
    """'rose (better)', 'shortened (better)', 'fell (worse)' ..."""
    lengths = outcome.unit.strip().lower() in LENGTH_UNITS
    verb = ("lengthened" if up else "shortened") if lengths else ("rose" if up else "fell")
    return f"{verb} ({'better' if up == outcome.higher_is_better else 'worse'})"


def _in_sentence(name: str) -> str:
    """'On-time delivery' -> 'on-time delivery' inside a sentence; 'EBITDA' stays."""
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def _when(lag: int) -> str:
    return "in the same quarter" if lag == 0 else f"{lag} quarter{'s' if lag > 1 else ''} later"


def verdict(row: dict, outcome: Outcome, pooled: bool = False) -> str:
    """Plain words for one tested row (lag, n, r, p_adjusted, tests, too_few, constant)."""
    minimum = MIN_POINTS if pooled else MIN_CHANGES
    what = "points" if pooled else "quarter-on-quarter changes"
    if row["too_few"]:
        return f"Too few {what} to say anything: {row['n']} paired, at least {minimum} needed."
    if row["constant"]:
        series = "The trust index" if row["constant"] == "index" else outcome.name
        return f"{series} did not change over these quarters: there is nothing to correlate."
    p = row.get("p_adjusted", row["p"])
    correction = f" after correcting for the {row['tests']} tests on this page" if row.get("tests", 1) > 1 else ""
    if math.isnan(p):
        return "Too few independent points for a test: the series move too smoothly."
    if p >= SIGNIFICANCE:
        subject = ("once each function's level and each quarter's shared movement are removed, trust and"
                   if pooled else "changes in trust and in")
        return (
            f"No evidence of a link: {subject} {_in_sentence(outcome.name)} {_when(row['lag'])} move together no more "
            f"than chance would ({format_p(p)}{correction})."
        )
    subject = (
        "Where trust rose more than in other functions and quarters," if pooled else "In quarters when trust rose,"
    )
    return (f"{subject} {_in_sentence(outcome.name)} {_movement(outcome, row['r'] > 0)} {_when(row['lag'])} "
            f"({format_p(p)}{correction}). This is association, not evidence of cause.")


def fit_line(x: np.ndarray, y: np.ndarray, points: int = 20) -> pd.DataFrame:
    """Least-squares line of y on x with its 95% confidence band for the mean, on a grid over x's range."""
    n = len(x)
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (intercept + slope * x)
    s = math.sqrt(float(np.sum(residual ** 2)) / (n - 2))
    sxx = float(np.sum((x - np.mean(x)) ** 2))
    grid = np.linspace(float(np.min(x)), float(np.max(x)), points)
    half = stats.t.ppf(0.975, n - 2) * s * np.sqrt(1 / n + (grid - np.mean(x)) ** 2 / sxx)
    fit = intercept + slope * grid
    return pd.DataFrame({"x": grid, "fit": fit, "low": fit - half, "high": fit + half})


def days_into_quarter(day: date) -> tuple[int, int]:
    """(days from the start of day's quarter to day, days in that quarter)."""
    start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    end = date(day.year + 1, 1, 1) if start.month == 10 else date(day.year, start.month + 3, 1)
    return (day - start).days, (end - start).days


def lag0_timing(close_dates: list[date]) -> str:
    """Which came first at lag 0, from the waves' closing dates: the answers or most of the quarter's outcome."""
    if not close_dates:
        return ""
    share = float(np.mean([day / length for day, length in map(days_into_quarter, close_dates)]))
    if share >= 0.5:
        return (f"The waves closed on average {share:.0%} of the way through their quarter, so at lag 0 most of "
                "that quarter's outcome came before the answers; from lag 1 on, the outcome comes entirely after them.")
    return (f"The waves closed on average {share:.0%} of the way through their quarter, so at lag 0 most of that "
            "quarter's outcome came after the answers.")

"""A wave's results in plain words: what moved since the last wave, and the overall picture (no Flask).

Reads the trend frame (presenting.trend_frame: shown pair indices per wave, with the change from the
previous wave and whether it is larger than its uncertainty) and the stored, already suppressed report.
"""
from __future__ import annotations

import math

import pandas as pd

MOVES = 3


def moved_most(trend: pd.DataFrame, wave_order: int, count: int = MOVES) -> list[dict]:
    """The count pairs whose index changed most into the wave at wave_order, in words (larger-than-chance first).

    A pair's change is from its own previous shown wave, which the sentence names.
    """
    if trend.empty:
        return []
    rows = trend[(trend["wave_order"] == wave_order) & trend["change"].notna()]
    order = rows.assign(size=rows["change"].abs()).sort_values(["significant", "size"], ascending=False, kind="stable")
    return [_move(row, _previous_period(trend, row)) for row in order.head(count).to_dict("records")]


def _previous_period(trend: pd.DataFrame, row: dict) -> str:
    earlier = trend[(trend["rater"] == row["rater"]) & (trend["target"] == row["target"])
                    & (trend["wave_order"] < row["wave_order"])]
    return str(earlier.sort_values("wave_order")["period"].iloc[-1])


def _move(row: dict, before: str) -> dict:
    change = row["change"]
    points = round(abs(change))
    direction = (
        "no change" if points == 0 else f"{points} point{'s' if points != 1 else ''} {'up' if change > 0 else 'down'}"
    )
    verdict = "more than chance would explain" if row["significant"] else "small enough to be chance"
    sentence = (f"How {row['rater']} sees {row['target']}: {direction} since {before} "
                f"({round(row['index'] - change)} → {round(row['index'])}), {verdict}.")
    return {"rater": row["rater"], "target": row["target"], "change": change, "significant": bool(row["significant"]),
            "sentence": sentence}


def overall_sentence(report: dict) -> str:
    """'Overall 68 out of 100, 62% of answers favourable, 104 respondents.' or why it is hidden."""
    overall = report.get("overall")
    if not overall or overall.get("hidden") or overall.get("index") is None or math.isnan(overall["index"]):
        return (f"The overall figure is hidden: fewer than {report['k']} people answered, "
                "or it would reveal a group that is.")
    people = int(overall["n"])
    alike = " No interval: every answer was alike." if overall.get("alike") else ""
    return (f"Overall {overall['index']:.0f} out of 100, {overall['favourable'] * 100:.0f}% of answers favourable, "
            f"{people} respondent{'s' if people != 1 else ''}.{alike}")

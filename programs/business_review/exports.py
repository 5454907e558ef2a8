"""The review of a month as CSV: one row per metric, then the decisions and actions."""
from __future__ import annotations

import csv
import io

from programs.business_review.models import EXPLANATION, NEED

METRIC_COLUMNS = ["section", "perspective", "metric", "unit", "direction", "period", "owner", "partner", "target",
                  "value", "percent_of_target", "amber_threshold", "red_threshold", "status", "trend",
                  "owner_explanation", "partner_need", "partner_agrees"]


def _cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula is quoted (=, +, -, @ at the start)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def review_csv(page: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(METRIC_COLUMNS)
    for line in page["lines"]:
        notes = page["notes"].get(line.metric_id, {})
        agrees = notes.get(NEED, {}).get("agrees")
        writer.writerow([_cell(v) for v in (
            "metric", line.perspective_label, line.name, line.unit,
            "higher is better" if line.higher_is_better else "lower is better", line.period, line.owner_function,
            line.partner_function, line.target, line.value,
            None if line.percent_of_target is None else round(line.percent_of_target, 1),
            line.amber_threshold, line.red_threshold, line.status_label, line.trend,
            notes.get(EXPLANATION, {}).get("text"), notes.get(NEED, {}).get("text"),
            {True: "yes", False: "no"}.get(agrees))])
    writer.writerow([])
    writer.writerow(["section", "kind", "text", "owner", "due_on"])
    if not page["items"]:
        writer.writerow(["decision", "none", "No decision recorded.", "", ""])
    for item in page["items"]:
        writer.writerow([_cell(v) for v in ("item", item["kind"], item["text"], item["owner"], item["due_on"])])
    return out.getvalue()

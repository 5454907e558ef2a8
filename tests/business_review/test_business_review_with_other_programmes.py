"""The monthly business review working with the programmes beside it, each through the shell's registries."""
from __future__ import annotations

from sqlalchemy import func, select

from programs.early_warnings.models import EarlyWarning
from programs.trust.services import save_metric_value
from webapp import clock
from webapp.extensions import db
from webapp.main.pair_records import pair_record_kinds, pair_records


def _warnings_from(function_id: int, to_function_id: int) -> int:
    return db.session.scalars(select(func.count()).select_from(EarlyWarning).where(
        EarlyWarning.from_function_id == function_id, EarlyWarning.to_function_id == to_function_id)).one()


def test_a_mid_month_amber_value_opens_one_early_warning_from_the_owner_to_the_partner(app, board):
    this_month = clock.today().strftime("%Y-%m")
    save_metric_value(board.hr, board.delivery, this_month, None, 88.0)  # amber (below 90), the month still running
    save_metric_value(board.hr, board.delivery, this_month, None, 87.5)  # still amber: no second warning

    assert _warnings_from(board.ops.id, board.fin.id) == 1 and _warnings_from(board.fin.id, board.ops.id) == 0
    with app.test_request_context():  # records carry links
        records = pair_records(board.pair, clock.today(), clock.today(), kind="warning")["warning"]
    assert len(records) == 1 and records[0].is_open


def test_a_red_value_alerts_the_review_but_opens_no_warning(board):
    save_metric_value(board.hr, board.delivery, clock.today().strftime("%Y-%m"), None, 80.0)
    assert _warnings_from(board.ops.id, board.fin.id) == 0


def test_the_review_reads_the_warnings_requests_and_reviews_of_the_pair():
    assert {"warning", "request", "review"} <= {kind for kind, _ in pair_record_kinds()}

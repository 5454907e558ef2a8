"""Period maths: months and quarters, in one module."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from webapp.periods import Quarter, month_label, period_quarter, quarter_label, quarter_months, quarter_ordinal


def test_months_and_quarters_of_a_moment():
    moment = datetime(2026, 11, 25, tzinfo=UTC)
    assert month_label(moment) == "2026-11"
    assert quarter_label(moment) == quarter_label(moment.date()) == "2026-Q4"
    assert quarter_months("2026-Q2") == ["2026-04", "2026-05", "2026-06"]
    assert Quarter.containing(date(2027, 1, 1)).previous() == Quarter(2026, 4)


@pytest.mark.parametrize("text", ["2026-Q5", "2026-Q0", "26-Q1", "9999-Q4", "0000-Q1", "2026-Q²", ""])
def test_only_real_quarters_parse(text):
    assert Quarter.parse(text) is None
    with pytest.raises(ValueError):
        quarter_months(text)


def test_a_quarter_knows_its_bounds():
    quarter = Quarter.parse("2026-Q4")
    assert (quarter.start, quarter.end) == (date(2026, 10, 1), date(2027, 1, 1))
    assert quarter.months() == ["2026-10", "2026-11", "2026-12"]


def test_a_period_label_maps_to_its_quarter_and_quarters_count_one_apart():
    assert period_quarter("2025-07") == period_quarter("2025-Q3") == "2025-Q3"
    assert period_quarter("2025-12") == "2025-Q4"
    assert quarter_ordinal("2026-Q1") - quarter_ordinal("2025-Q4") == 1
    assert quarter_ordinal("2025-Q4") - quarter_ordinal("2025-Q1") == 3

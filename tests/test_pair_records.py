"""The pair-records registry: programmes' records of a pair of functions, read without importing them."""
from __future__ import annotations

from datetime import date

from webapp.main import pair_records as registry
from webapp.main.pair_records import PairRecord, pair_record_kinds, pair_records, register_pair_records


def test_records_are_listed_by_kind_in_order_and_a_pair_is_unordered(monkeypatch):
    monkeypatch.setattr(registry, "_kinds", {})
    asked: list[tuple] = []

    def warnings(pair, first, last):
        asked.append((pair, first, last))
        return [PairRecord("warning", 1, "Freight up", "/warnings/1", "open", first, True)]

    register_pair_records("warning", "Early warnings", warnings, order=20)
    register_pair_records("review", "Joint reviews", lambda pair, first, last: [], order=10)

    assert pair_record_kinds() == [("review", "Joint reviews"), ("warning", "Early warnings")]
    records = pair_records((7, 3), date(2026, 3, 1), date(2026, 3, 31))
    assert list(records) == ["review", "warning"] and records["warning"][0].title == "Freight up"
    assert asked == [((3, 7), date(2026, 3, 1), date(2026, 3, 31))]
    assert list(pair_records((3, 7), date(2026, 3, 1), date(2026, 3, 31), kind="review")) == ["review"]

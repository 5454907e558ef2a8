"""Merging the functions' timelines and flagging divergence (the plain module)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from programs.joint_reviews.timeline import Entry, divergence_count, merge, normalise_topic

FIN, OPS = 1, 2
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_the_same_topic_at_about_the_same_time_is_one_moment_where_the_accounts_agree():
    moments = merge([Entry(1, FIN, at(0), "Invoice held"), Entry(2, OPS, at(20), "invoice  held!")])
    assert len(moments) == 1
    assert moments[0].divergences == [] and moments[0].function_ids == {FIN, OPS}


def test_a_moment_only_one_function_tells_is_flagged_missing_from_the_other():
    moments = merge([Entry(1, FIN, at(0), "order received"), Entry(2, OPS, at(5), "order received"),
                     Entry(3, FIN, at(600), "credit hold")])
    hold = moments[1]
    assert hold.divergences == ["missing"] and hold.missing_function_ids == [OPS]
    assert divergence_count(moments) == 1


def test_the_same_topic_far_apart_in_time_is_flagged_time():
    moments = merge([Entry(1, FIN, at(0), "dispatch"), Entry(2, OPS, at(240), "dispatch")])
    assert [m.divergences for m in moments] == [["time"]]


def test_different_topics_at_the_same_time_are_the_same_moment_told_differently():
    moments = merge([Entry(1, FIN, at(0), "payment blocked"), Entry(2, OPS, at(15), "supplier on hold")])
    assert len(moments) == 1 and moments[0].divergences == ["wording"]


def test_lone_moments_of_the_same_function_are_never_paired():
    moments = merge([Entry(1, FIN, at(0), "a"), Entry(2, FIN, at(5), "b"), Entry(3, OPS, at(500), "c")])
    assert len(moments) == 3
    assert all("missing" in m.divergences for m in moments)


def test_the_merged_timeline_is_in_time_order():
    moments = merge([Entry(1, OPS, at(90), "late"), Entry(2, FIN, at(0), "early"), Entry(3, OPS, at(1), "early")])
    assert [m.at for m in moments] == [at(0), at(90)]


def test_one_function_alone_has_no_divergence_yet():
    assert divergence_count(merge([Entry(1, FIN, at(0), "x"), Entry(2, FIN, at(400), "y")])) == 0


def test_topics_normalise_case_space_and_punctuation():
    assert normalise_topic("  Invoice, HELD. ") == "invoice held"

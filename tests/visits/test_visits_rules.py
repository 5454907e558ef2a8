"""The pure rules, the import planner and the exports, without Flask or a database."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from programs.visits import rules
from programs.visits.exports import CalendarEntry, rows_to_csv, visits_calendar
from programs.visits.importing import plan_accounts_import
from webapp.periods import quarter_label


@pytest.mark.parametrize("function_ids, joint", [
    ([], False), ([1], False), ([1, 1, 1], False), ([1, None], False), ([None, None], False),
    ([1, 2], True), ([3, 1, 1], True), ([1, 2, 3], True),
])
def test_a_visit_is_joint_with_attendees_from_two_or_more_functions(function_ids, joint):
    assert rules.is_joint(function_ids) is joint


@pytest.mark.parametrize("day, quarter", [
    (date(2026, 1, 1), "2026-Q1"), (date(2026, 3, 31), "2026-Q1"), (date(2026, 4, 1), "2026-Q2"),
    (date(2026, 12, 31), "2026-Q4"),
])
def test_quarter_period_column(day, quarter):
    assert quarter_label(day) == quarter


def test_only_an_attendee_of_another_function_than_the_author_may_confirm():
    assert rules.confirmation_refusal(1, 2, is_attendee=True) is None
    assert "another function" in rules.confirmation_refusal(1, 1, is_attendee=True)
    assert "attendee" in rules.confirmation_refusal(1, 2, is_attendee=False)
    assert rules.confirmation_refusal(1, None, is_attendee=True) is not None
    assert rules.confirmation_refusal(None, 2, is_attendee=True) is not None


def test_learning_tags_are_normalised_and_deduplicated():
    assert rules.parse_tags(" Payment Terms, #cost to serve;payment terms,, Quality \n") == [
        "payment terms", "cost to serve", "quality"]
    assert rules.parse_tags("") == []


def test_tag_problems_name_too_many_and_too_long_tags():
    assert rules.tag_problems(["a", "b"]) == []
    assert "At most" in rules.tag_problems([f"t{n}" for n in range(11)])[0]
    assert "longer than" in rules.tag_problems(["x" * 41])[0]


def test_customer_people_are_parsed_one_per_line():
    contacts, problems = rules.parse_contacts("Jo Smith, CFO\n\n  Ana Ruiz  \nSam, Head of Procurement, EMEA")
    assert contacts == [("Jo Smith", "CFO"), ("Ana Ruiz", ""), ("Sam", "Head of Procurement, EMEA")]
    assert problems == []
    _, problems = rules.parse_contacts("x" * 121 + ", CFO")
    assert "Line 1" in problems[0]
    _, problems = rules.parse_contacts("\n".join(f"P{n}" for n in range(21)))
    assert "At most 20" in problems[0]


@pytest.mark.parametrize("owner_fn, partner_fn, needs_both, partner_given, ok", [
    (1, None, False, False, True),
    (1, 2, False, True, False),   # a second owner without "needs both"
    (1, None, True, False, False),  # needs both, one owner
    (1, 1, True, True, False),    # two owners of one function
    (1, 2, True, True, True),
    (None, 2, True, True, False),
])
def test_follow_up_ownership(owner_fn, partner_fn, needs_both, partner_given, ok):
    problem = rules.follow_up_owner_problem(owner_fn, partner_fn, needs_both, partner_given)
    assert (problem is None) is ok


def test_suggested_pairs_cross_functions_and_skip_pairs_that_went_together():
    people = [rules.Candidate(1, 10, 3), rules.Candidate(2, 20, 1), rules.Candidate(3, 20, 5),
              rules.Candidate(4, 10, 0)]
    pairs = rules.suggest_pairs(people, visited_together={frozenset((1, 3))})
    ids = [(a.user_id, b.user_id) for a, b in pairs]
    assert (1, 3) not in ids and (2, 3) not in ids  # went together / same function
    assert ids == [(3, 4), (1, 2), (2, 4)]  # most visits to the account between them first


def test_coverage_rows_put_counts_under_their_function():
    rows = rules.coverage_rows([5, 6], [(5, 1, 2), (5, 3, 1), (9, 1, 4)], {5: 1}, [1, 2, 3])
    assert rows == [{"account_id": 5, "cells": [2, 0, 1], "joint": 1},
                    {"account_id": 6, "cells": [0, 0, 0], "joint": 0}]


# --- the accounts import planner -------------------------------------------------------------

OWNERS = {"ada@example.com": 7}


def test_import_plan_creates_and_updates_by_name():
    plan = plan_accounts_import("name,segment,region,owner_email\nNew Co,SMB,EMEA,ADA@example.com\nOld Co,,,\n",
                                {"old co"}, OWNERS)
    assert plan.is_valid
    assert [(r.name, r.action, r.owner_id) for r in plan.rows] == [("New Co", "create", 7), ("Old Co", "update", None)]


@pytest.mark.parametrize("content, message", [
    ("", "empty"),
    ("segment,region\nSMB,EMEA\n", "Missing column(s): name"),
    ("name\n", "header but no rows"),
    ('name\n"unclosed\n', "not readable"),
])
def test_import_file_errors(content, message):
    plan = plan_accounts_import(content, set(), OWNERS)
    assert not plan.is_valid and message in plan.file_errors[0]


def test_import_row_errors_name_each_line():
    content = ("name,segment,owner_email\n,SMB,\nAcme,SMB,nobody@example.com\nacme,SMB,\n"
               + "x" * 121 + ",SMB,\nOk Co," + "s" * 61 + ",\n")
    plan = plan_accounts_import(content, set(), OWNERS)
    errors = {row.line: row.errors for row in plan.invalid_rows}
    assert not plan.is_valid
    assert errors[2] == ["name is missing"]
    assert "not an active person" in errors[3][0]
    assert errors[4] == ["duplicate name: also on line 3"]
    assert "longer than 120" in errors[5][0]
    assert "segment is longer than 60" in errors[6][0]


# --- exports -----------------------------------------------------------------------------------

def test_planned_visits_calendar_round_trips():
    entries = [CalendarEntry("visit-1@example", date(2026, 12, 3), "Customer visit: Acme", "QBR\nAgenda", "On site")]
    calendar = Calendar.from_ical(visits_calendar(entries, datetime(2026, 11, 25, tzinfo=UTC)))
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert str(events[0]["summary"]) == "Customer visit: Acme"
    assert events[0].decoded("dtstart") == date(2026, 12, 3)
    assert events[0].decoded("dtend") == date(2026, 12, 4)
    assert str(events[0]["uid"]) == "visit-1@example"


def test_csv_export_keeps_column_order_and_defuses_formulas():
    text = rows_to_csv([{"b": "=HYPERLINK(1)", "a": 1}], ["a", "b"])
    assert text.splitlines() == ["a,b", "1,'=HYPERLINK(1)"]
    assert rows_to_csv([], ["a", "b"]).strip() == "a,b"

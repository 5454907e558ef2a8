"""Figures of a past quarter do not change when people join or leave today."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import time_machine

from programs.trust.queries import response_rates
from programs.trust.services import close_wave
from tests.factories import make_function, make_user
from tests.trust.trust_factories import answer, make_wave, today
from webapp import clock
from webapp.people.services import apply_pending_import, set_active, stage_people_import
from webapp.periods import Quarter
from webapp.roles import Role


def _scorecard_csv(client, quarter: str, pair) -> bytes:
    response = client.get("/scorecard.csv", query_string={"quarter": quarter, "a": pair[0].id, "b": pair[1].id})
    assert response.status_code == 200
    return response.get_data()


def test_last_quarters_scorecard_is_unchanged_after_an_import_and_deactivations(db, signed_in_client):
    finance, operations = make_function("Finance", "FIN"), make_function("Operations", "OPS")
    leader = make_user(Role.LEADER, function=finance)
    hr = make_user(Role.HR, function=operations)
    last_quarter = Quarter.containing(clock.today()).previous()
    with time_machine.travel(datetime.combine(last_quarter.end - timedelta(days=20), time(12), tzinfo=UTC)):
        wave = make_wave([finance, operations], actor=hr)
        finance_people = answer(wave, finance, 5, score=4) + [make_user(function=finance)]
        answer(wave, operations, 6, score=3)
        close_wave(hr, wave, today())
        unclosed = make_wave([finance, operations], actor=hr, closes_on=today() + timedelta(days=5))
        answer(unclosed, finance, 2)  # a wave of the quarter still open: its answers do not count
    db.session.commit()
    assert wave.period == str(last_quarter) and unclosed.closed_at is None
    client = signed_in_client(leader)
    before = _scorecard_csv(client, str(last_quarter), (finance, operations))
    rates_before = response_rates(wave)
    rate_line = next(line for line in before.decode().splitlines() if "Pulse response rate" in line)
    assert rate_line.split(",")[3] == f"{100 * 11 / 14:.1f}"  # 11 of the 14 people the pair had at close

    content = "email,name,function\n" + "".join(f"new{n}@example.com,New {n},Operations\n" for n in range(5))
    pending, plan = stage_people_import(None, "people.csv", content)
    assert plan.is_valid
    apply_pending_import(None, pending)
    for person in finance_people[:3]:
        set_active(None, person, False)
    db.session.commit()

    assert _scorecard_csv(client, str(last_quarter), (finance, operations)) == before
    assert response_rates(wave) == rates_before

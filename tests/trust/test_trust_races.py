"""On PostgreSQL, answers racing the close of their wave.

Each either becomes a response or is refused; none is stranded."""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import func, select

from programs.trust.models import TrustParticipation, TrustPendingSheet, TrustResponse, TrustWave
from programs.trust.services import close_wave, submit_response
from tests.factories import make_function, make_user
from tests.races import in_own_session, run_together
from tests.trust.trust_factories import full_answers, make_wave, today
from webapp.extensions import db as _db
from webapp.people.models import User

PEOPLE = 8


@pytest.mark.postgres_only
def test_answers_racing_the_close_are_all_written_or_refused(app, db):
    finance, operations = make_function(), make_function()
    wave = make_wave([finance, operations])
    people = [make_user(function=finance if n % 2 else operations).id for n in range(PEOPLE)]
    wave_id = wave.id
    db.session.commit()

    def respond(user_id: int) -> None:
        person, pulse = _db.session.get_one(User, user_id), _db.session.get_one(TrustWave, wave_id)
        submit_response(person, pulse, full_answers(pulse, person), today())

    def close() -> None:
        close_wave(None, _db.session.get_one(TrustWave, wave_id), today())

    writes = [partial(respond, p) for p in people] + [close]
    outcomes = run_together(len(writes), lambda i: in_own_session(app, writes[i]))
    assert outcomes[-1] == "ok", outcomes  # the close
    answered = outcomes[:-1].count("ok")
    assert all(o in ("ok", "TrustError: This pulse is not open.") for o in outcomes), outcomes
    db.session.expire_all()
    def count(model):
        return db.session.scalar(select(func.count()).select_from(model))
    assert count(TrustPendingSheet) == 0  # nothing left sealed behind a closed wave
    assert count(TrustResponse) == count(TrustParticipation) == answered

"""On PostgreSQL, answers racing the close of their wave.

Each either becomes a response or is refused; none is stranded."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from programs.trust.models import TrustParticipation, TrustPendingSheet, TrustResponse, TrustWave
from programs.trust.services import TrustError, close_wave, submit_response
from tests.factories import make_function, make_user
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
    start = threading.Barrier(PEOPLE + 1)
    outcomes: list[str] = []

    def respond(user_id: int) -> None:
        with app.app_context():
            person, pulse = _db.session.get_one(User, user_id), _db.session.get_one(TrustWave, wave_id)
            answers = full_answers(pulse, person)
            start.wait()
            try:
                submit_response(person, pulse, answers, today())
                _db.session.commit()
                outcomes.append("answered")
            except TrustError as error:
                _db.session.rollback()
                outcomes.append(str(error))
            finally:
                _db.session.remove()

    def close() -> None:
        with app.app_context():
            pulse = _db.session.get_one(TrustWave, wave_id)
            start.wait()
            close_wave(None, pulse, today())
            _db.session.commit()
            outcomes.append("closed")
            _db.session.remove()

    threads = [threading.Thread(target=respond, args=(p,)) for p in people] + [threading.Thread(target=close)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("closed") == 1 and len(outcomes) == PEOPLE + 1
    answered = outcomes.count("answered")
    assert all(o in ("answered", "closed", "This pulse is not open.") for o in outcomes), outcomes
    db.session.expire_all()
    def count(model):
        return db.session.scalar(select(func.count()).select_from(model))
    assert count(TrustPendingSheet) == 0  # nothing left sealed behind a closed wave
    assert count(TrustResponse) == count(TrustParticipation) == answered

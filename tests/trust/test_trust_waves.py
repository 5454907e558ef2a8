"""Running a wave the way HR expects: preview, scheduled opening, one wave per audience and quarter,
reminders to those who have not answered, and a confirmed close."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from programs.trust.models import TrustWave
from programs.trust.services import announce_wave, ensure_builtin_template
from tests.factories import make_function, make_user
from tests.races import meanwhile, post_as, run_together
from tests.trust.trust_factories import answer, make_wave, today
from webapp import clock
from webapp.forms import new_key
from webapp.notifications.models import Notification
from webapp.people.models import User
from webapp.roles import Role


@pytest.fixture
def org(db):
    finance, operations = make_function("Finance", "FIN"), make_function("Operations", "OPS")
    return {"finance": finance, "operations": operations, "hr": make_user(Role.HR, function=finance)}


def _pulse_notifications(db, user=None) -> int:
    query = select(func.count()).select_from(Notification).where(Notification.kind == "pulse")
    return db.session.scalar(query if user is None else query.where(Notification.user_id == user.id))


def _create(client, org, **change):
    template = ensure_builtin_template()
    data = {"title": "Pulse", "template_id": template.id, "opens_on": today().isoformat(),
            "closes_on": (today() + timedelta(days=14)).isoformat(), "audience_ids": [org["finance"].id],
            "idempotency_key": new_key(), **change}
    return client.post("/trust/waves/new", data=data)


def _form_markup(page: str) -> str:
    """The questions of a pulse page: from the first function's card to the end of the last."""
    start = page.index('<section class="card')
    return page[start:page.rindex("</section>", start, page.index("</form>", start))]


def test_the_preview_shows_exactly_the_respondents_questions_and_sends_nothing(db, org, signed_in_client):
    wave = make_wave([org["finance"], org["operations"]])
    person = make_user(function=org["operations"])
    seen = signed_in_client(person).get(f"/trust/pulse/{wave.id}").get_data(as_text=True)
    preview = signed_in_client(org["hr"]).get(f"/trust/waves/{wave.id}/preview?as={org['operations'].id}")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "A preview: exactly what someone in Operations" in page
    assert _form_markup(page) == _form_markup(seen)
    form_tag = re.search(r'<form id="pulse-form"[^>]*>', page).group(0)
    assert "action" not in form_tag and "method" not in form_tag
    assert "Send my answers (off in the preview)" in page and 'name="csrf_token"' not in page[page.index(form_tag):]


def test_a_scheduled_wave_invites_its_audience_when_it_opens_and_only_once(app, db, org, signed_in_client):
    audience = [make_user(function=org["finance"]) for _ in range(2)]
    opens = today() + timedelta(days=3)
    response = _create(signed_in_client(org["hr"]), org, opens_on=opens.isoformat(),
                       closes_on=(opens + timedelta(days=10)).isoformat())
    assert response.status_code == 303 and _pulse_notifications(db) == 0
    runner = app.test_cli_runner()
    assert "Announced 0 wave(s)." in runner.invoke(args=["trust", "open-due"]).output  # not open yet
    with time_machine.travel(clock.now() + timedelta(days=3), tick=False):
        assert "Announced 1 wave(s): Pulse" in runner.invoke(args=["trust", "open-due"]).output
        assert "Announced 0 wave(s)." in runner.invoke(args=["trust", "open-due"]).output  # the second run: nothing
    assert [_pulse_notifications(db, person) for person in audience] == [1, 1]
    assert db.session.scalar(select(TrustWave.announced_at)) is not None


def test_a_second_wave_for_the_same_audience_and_quarter_needs_a_knowing_override(db, org, signed_in_client):
    client = signed_in_client(org["hr"])
    assert _create(client, org, title="First").status_code == 303
    clash = _create(client, org, title="Second", audience_ids=[org["finance"].id, org["operations"].id])
    text = clash.get_data(as_text=True)
    assert clash.status_code == 400 and "“First” already asks some of these functions" in text
    assert db.session.scalar(select(func.count()).select_from(TrustWave)) == 1
    assert _create(client, org, title="Operations only", audience_ids=[org["operations"].id]).status_code == 303
    assert _create(client, org, title="Second", allow_overlap="y").status_code == 303
    assert db.session.scalar(select(func.count()).select_from(TrustWave)) == 3


@pytest.mark.parametrize("overlap", ["", "y"])
def test_a_replayed_wave_form_makes_one_wave_and_answers_already_recorded(db, org, signed_in_client, overlap):
    client = signed_in_client(org["hr"])
    key = new_key()
    assert _create(client, org, idempotency_key=key, allow_overlap=overlap).status_code == 303
    replay = _create(client, org, idempotency_key=key, allow_overlap=overlap)
    assert replay.status_code == 400 and "That was already recorded." in replay.get_data(as_text=True)
    assert "already asks some of these functions" not in replay.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TrustWave)) == 1


def test_a_wave_form_replayed_as_the_first_one_commits_answers_already_recorded_not_overlap(app, db, org,
                                                                                            signed_in_client):
    """The replay's key check misses, the first request commits, then the one-wave-per-quarter rule would trip."""
    client = signed_in_client(org["hr"])
    template = ensure_builtin_template()
    db.session.commit()
    data = {"title": "Pulse", "template_id": template.id, "opens_on": today().isoformat(),
            "closes_on": (today() + timedelta(days=14)).isoformat(), "audience_ids": [org["finance"].id],
            "idempotency_key": new_key()}
    hr_id = org["hr"].get_id()
    with meanwhile(db.engine, "WHERE trust_wave.idempotency_key", lambda: post_as(app, hr_id, "/trust/waves/new",
                                                                                   data)) as first:
        replay = client.post("/trust/waves/new", data=data)
    assert first[0][0] == 303
    assert replay.status_code == 400 and "That was already recorded." in replay.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TrustWave)) == 1


def test_a_reminder_reaches_only_those_who_have_not_answered_once_a_day(db, org, signed_in_client):
    wave = announce_wave(make_wave([org["finance"], org["operations"]], actor=org["hr"]), today())
    answered = answer(wave, org["finance"], 2)
    waiting = [make_user(function=org["operations"]) for _ in range(2)]
    db.session.commit()
    before = {p.id: _pulse_notifications(db, p) for p in answered + waiting}
    client = signed_in_client(org["hr"])
    assert client.post(f"/trust/waves/{wave.id}/remind").status_code == 303
    after = {p.id: _pulse_notifications(db, p) for p in answered + waiting}
    assert [after[p.id] - before[p.id] for p in answered] == [0, 0]
    assert [after[p.id] - before[p.id] for p in waiting] == [1, 1]
    again = client.post(f"/trust/waves/{wave.id}/remind", follow_redirects=True)
    assert "A reminder for this wave already went out today." in again.get_data(as_text=True)
    assert {p.id: _pulse_notifications(db, p) for p in answered + waiting} == after
    assert "last reminder" in client.get(f"/trust/waves/{wave.id}").get_data(as_text=True)


def test_closing_asks_for_confirmation_first(db, org, signed_in_client):
    wave = make_wave([org["finance"], org["operations"]])
    client = signed_in_client(org["hr"])
    assert "Close this wave now…" in client.get(f"/trust/waves/{wave.id}").get_data(as_text=True)
    page = client.get(f"/trust/waves/{wave.id}/close").get_data(as_text=True)
    assert "Closing is final" in page and "cannot be reopened" in page
    unconfirmed = client.post(f"/trust/waves/{wave.id}/close", data={})
    assert unconfirmed.status_code == 400 and "Tick the box to confirm." in unconfirmed.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TrustWave, wave.id).closed_at is None
    assert client.post(f"/trust/waves/{wave.id}/close", data={"confirm": "y"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(TrustWave, wave.id).closed_at is not None


@pytest.mark.postgres_only
@pytest.mark.parametrize("job", ["invite", "remind"])
def test_parallel_invitations_or_reminders_go_out_once(app, db, org, job):
    from programs.trust.services import announce_due_waves, remind_wave
    from webapp.extensions import db as _db

    wave = make_wave([org["finance"], org["operations"]], actor=org["hr"])
    if job == "remind":
        announce_wave(wave, today())
    audience = [make_user(function=org["operations"]) for _ in range(3)]
    db.session.commit()
    wave_id, hr_id = wave.id, org["hr"].id

    def run(_: int) -> str:
        with app.app_context():
            try:
                if job == "invite":
                    outcome = "ok" if announce_due_waves(today()) else "none"
                else:
                    remind_wave(_db.session.get_one(User, hr_id), _db.session.get_one(TrustWave, wave_id), today())
                    outcome = "ok"
                _db.session.commit()
                return outcome
            except Exception as error:  # noqa: BLE001  (any other failure must show in the assertion)
                _db.session.rollback()
                return str(error)
            finally:
                _db.session.remove()

    outcomes = run_together(4, run)
    refusal = "none" if job == "invite" else "A reminder for this wave already went out today."
    assert sorted(outcomes) == sorted(["ok"] + [refusal] * 3)
    db.session.expire_all()
    assert [_pulse_notifications(db, person) for person in audience] == [1, 1, 1]

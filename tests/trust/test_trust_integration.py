"""The trust pulse in the shell: the open pulse notifies its audience; scorecard figures respect k."""
from __future__ import annotations

from datetime import timedelta

from programs.trust.models import TrustWave
from programs.trust.scorecard import response_rate_figure, trust_figures
from programs.trust.services import close_wave
from tests.conftest import sign_in
from tests.factories import make_function, make_user
from tests.trust.trust_factories import answer, make_wave, today
from webapp.forms import new_key
from webapp.notifications.models import Notification
from webapp.periods import Quarter
from webapp.roles import Role


def test_creating_an_open_wave_notifies_its_audience_only(db, client):
    finance, operations, sales = make_function("Finance", "FIN"), make_function("Operations", "OPS"), make_function()
    people = [make_user(function=finance), make_user(function=operations)]
    outsider = make_user(function=sales)
    hr = make_user(Role.HR, function=finance)
    sign_in(client, hr)
    client.get("/trust/waves/new")  # provides the built-in questionnaire
    from programs.trust.models import TrustTemplate

    template = db.session.scalar(db.select(TrustTemplate))
    response = client.post("/trust/waves/new", data={
        "title": "Autumn pulse", "template_id": template.id, "opens_on": today().isoformat(),
        "closes_on": (today() + timedelta(days=14)).isoformat(), "audience_ids": [finance.id, operations.id],
        "idempotency_key": new_key()})
    assert response.status_code == 303
    notified = {n.user_id for n in db.session.query(Notification).filter_by(kind="pulse")}
    assert {p.id for p in people} <= notified and outsider.id not in notified
    wave = db.session.scalar(db.select(TrustWave))
    assert db.session.query(Notification).filter_by(user_id=people[0].id).one().url == f"/trust/pulse/{wave.id}"


def test_scorecard_shows_the_pair_both_ways_and_hides_small_groups(app, db):
    finance, operations = make_function("Finance", "FIN"), make_function("Operations", "OPS")
    wave = make_wave([finance, operations], opens_on=today() - timedelta(days=3), closes_on=today())
    answer(wave, finance, 5, score=5)
    answer(wave, operations, 3, score=2)  # fewer than k=5: hidden
    close_wave(None, wave, today())
    quarter = Quarter.parse(wave.period)
    with app.test_request_context():
        fin_rates_ops, ops_rates_fin = trust_figures(quarter, (finance.id, operations.id))
        assert fin_rates_ops.label == "Finance rates Operations" and fin_rates_ops.value == 100.0
        assert ops_rates_fin.value is None
        rate = response_rate_figure(quarter, (finance.id, operations.id))
        assert rate.value == 100.0 * 8 / 9  # 8 answered; the HR person who made the wave did not

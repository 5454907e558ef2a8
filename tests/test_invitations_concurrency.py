"""On PostgreSQL, requests racing on one link or one invitation form: exactly one wins."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import sign_in
from tests.factories import make_user
from tests.races import run_together
from tests.test_invitations import NEW_PASSWORD, invite, links_on, path
from webapp.auth.models import PasswordLink
from webapp.people.models import User
from webapp.roles import Role

RACERS = 6


def race(app, send) -> list[int]:
    """Run send(client) in RACERS threads released together, each with its own client; the status codes they got."""
    return sorted(run_together(RACERS, lambda _: send(app.test_client())))


@pytest.mark.postgres_only
def test_a_link_used_by_racing_requests_sets_one_password(app, client, db):
    sign_in(client, make_user(Role.ADMIN))
    person = make_user()
    [url] = links_on(invite(client, person))
    db.session.commit()
    statuses = race(app, lambda c: c.post(path(url), data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code)
    assert statuses == [303] + [410] * (RACERS - 1)
    used = db.session.scalar(select(func.count()).select_from(PasswordLink).where(PasswordLink.used_at.is_not(None)))
    assert used == 1
    assert db.session.get(User, person.id).check_password(NEW_PASSWORD)


@pytest.mark.postgres_only
def test_one_invitation_form_sent_many_times_at_once_makes_one_link(app, client, db):
    admin, person = make_user(Role.ADMIN), make_user()
    db.session.commit()
    admin_session, form = admin.get_id(), {"user_ids": [str(person.id)], "idempotency_key": "one-form-sent-often"}

    def send(racer) -> int:
        with racer.session_transaction() as session:
            session["_user_id"], session["_fresh"] = admin_session, True
        return racer.post("/admin/invitations", data=form).status_code

    assert race(app, send) == [200] + [400] * (RACERS - 1)
    links = db.session.scalars(select(PasswordLink)).all()
    assert len(links) == 1 and links[0].revoked_at is None

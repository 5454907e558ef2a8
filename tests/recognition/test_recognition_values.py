"""Company values are an admin setting (the recognition settings page), not constants: the forms offer the
organisation's own, the feed shows their names, and kudos tagged with a value since removed keep it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from recognition import rules
from recognition.models import Kudos
from tests.conftest import sign_in
from tests.factories import make_user
from tests.recognition.recognition_factories import MESSAGE, give, key, make_org
from webapp.auth.models import AuditEntry
from webapp.roles import Role

POLICY = {"monthly_allowance": 100, "per_report_extra": 10, "message_min": 40, "pair_daily_cap": 50,
          "bridge_multiplier_pct": 150, "win_points_per_function": 100, "reciprocity_window_days": 30,
          "allowance_reminder_days": 3}


@pytest.fixture
def org(db):
    return make_org()


def test_the_defaults_are_the_former_constants_by_name():
    assert rules.COMPANY_VALUES == ("customer-first", "one-team", "ownership", "candour", "curiosity", "craft")
    assert rules.value_code(" Customer  First! ") == "customer-first"


def test_typed_values_are_tidied_and_bounded():
    assert rules.parse_company_values("Speed\n\n  Care  for people \nspeed\n") == ["Speed", "Care for people"]
    with pytest.raises(ValueError, match="between 1 and 12"):
        rules.parse_company_values("\n \n")
    with pytest.raises(ValueError, match="under 40"):
        rules.parse_company_values("x" * 41)


def test_an_admin_names_the_values_and_the_kudos_form_offers_them(client, org, db):
    give(org.fin[0], org.ops[0])  # tagged one-team, a default
    admin = make_user(Role.ADMIN)
    sign_in(client, admin)
    page = client.get("/recognition/settings").get_data(as_text=True)
    assert "Customer first\nOne team\nOwnership" in page
    response = client.post("/recognition/settings", data={**POLICY, "value_names": "Speed\nCare for people"})
    assert response.status_code == 303
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "recognition.policy"))
    assert audit.before["company_values"][:2] == ["Customer first", "One team"]
    assert audit.after["company_values"] == ["Speed", "Care for people"]

    sign_in(client, org.fin[1])
    form = client.get("/recognition/kudos/new").get_data(as_text=True)
    assert '<option value="care-for-people">Care for people</option>' in form and "one-team" not in form
    sent = client.post("/recognition/kudos/new", data={"recipients": [org.ops[1].id], "message": MESSAGE,
                                                       "value_tag": "care-for-people", "points": 10,
                                                       "idempotency_key": key()})
    assert sent.status_code in (200, 303)
    assert db.session.scalar(select(Kudos.value_tag).order_by(Kudos.id.desc())) == "care-for-people"
    refused = client.post("/recognition/kudos/new", data={"recipients": [org.ops[1].id], "message": MESSAGE,
                                                          "value_tag": "one-team", "points": 10,
                                                          "idempotency_key": key()})
    assert refused.status_code == 400

    feed = client.get("/recognition").get_data(as_text=True)
    assert "· Care for people" in feed and "· One team" in feed  # a removed value still reads by its name
    assert '<option value="speed">Speed</option>' in feed


def test_an_empty_list_of_values_is_refused_on_the_form(client, org, db):
    sign_in(client, make_user(Role.ADMIN))
    response = client.post("/recognition/settings", data={**POLICY, "value_names": "  \n "})
    assert response.status_code == 400 and "Name" in response.get_data(as_text=True)

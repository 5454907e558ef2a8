"""Every route x every role (and anonymous): the expected outcome, from one explicit table.

A route that is not in ACCESS fails the test, so each new route must state who may use it.
"""
from __future__ import annotations

import pytest

from tests.conftest import sign_in
from tests.factories import make_team, make_user
from webapp.people.roles import Role

ANONYMOUS = "anonymous"
PUBLIC = "public"
EVERYONE = frozenset(Role)
ADMIN = frozenset({Role.ADMIN})
ADMIN_HR = frozenset({Role.ADMIN, Role.HR})

# endpoint -> who may use it: PUBLIC (also anonymous) or the roles allowed (signed in)
ACCESS: dict[str, object] = {
    "static": PUBLIC,
    "main.health": PUBLIC,
    "main.home": EVERYONE,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.password": EVERYONE,
    "auth.audit_log": ADMIN,
    "people.directory": EVERYONE,
    "people.profile": EVERYONE,
    "people.person_form": ADMIN,
    "people.functions": ADMIN,
    "people.function_form": ADMIN,
    "people.teams": ADMIN,
    "people.team_form": ADMIN,
    "people.set_activity": ADMIN,
    "people.import_upload": ADMIN_HR,
    "people.import_preview": ADMIN_HR,
    "people.import_confirm": ADMIN_HR,
    "people.import_template": ADMIN_HR,
    "trust.pulse": EVERYONE,
    "trust.results": frozenset({Role.HR, Role.LEADER}),
    "trust.results_csv": frozenset({Role.HR, Role.LEADER}),
    "trust.waves": ADMIN_HR,
    "trust.wave_new": frozenset({Role.HR}),
    "trust.wave_detail": ADMIN_HR,
    "trust.wave_close": frozenset({Role.HR}),
    "trust.wave_thresholds": ADMIN,
    "trust.templates": frozenset({Role.HR}),
    "trust.template_edit": frozenset({Role.HR}),
    "trust.template_copy": frozenset({Role.HR}),
    "trust.item_edit": frozenset({Role.HR}),
    "trust.item_delete": frozenset({Role.HR}),
    "trust.outcomes": frozenset({Role.HR, Role.LEADER}),
    "trust.metric_edit": frozenset({Role.HR}),
    "trust.metric_detail": frozenset({Role.HR, Role.LEADER}),
    "trust.metric_value_add": frozenset({Role.HR}),
    "trust.metric_import": frozenset({Role.HR}),
    "trust.metric_csv": frozenset({Role.HR, Role.LEADER}),
}


def test_every_route_is_in_the_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ACCESS.keys() == set(), "add new routes to ACCESS"
    assert ACCESS.keys() - endpoints == set(), "remove routes that no longer exist"


def test_every_view_declares_its_access(app):
    undeclared = [
        endpoint for endpoint, view in app.view_functions.items()
        if endpoint != "static" and getattr(view, "access", None) is None
    ]
    assert undeclared == []


def _requests(app, sample_args):
    for rule in app.url_map.iter_rules():
        args = {name: sample_args[name] for name in rule.arguments}
        url = rule.build(args, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


@pytest.mark.parametrize("who", [ANONYMOUS, *Role])
def test_route_role_matrix(app, db, who):
    team = make_team()
    target = make_user(team=team)
    sample_args = {
        "user_id": target.id, "function_id": team.function_id, "team_id": team.id, "object_id": target.id,
        "kind": "people", "token": "no-such-token", "filename": "app.css",
        "wave_id": 1, "template_id": 1, "item_id": 1, "metric_id": 1, "table": "pairs",
    }
    client = app.test_client()
    viewer = None if who == ANONYMOUS else make_user(*({who} - {Role.EMPLOYEE}))
    for endpoint, method, url in _requests(app, sample_args):
        if viewer is not None:
            sign_in(client, viewer)  # again each time: the logout route ends the session
        allowed = ACCESS[endpoint] == PUBLIC or (viewer is not None and who in ACCESS[endpoint])
        response = client.open(url, method=method, data={})
        where = f"{who} {method} {url}"
        if allowed:
            assert response.status_code not in (401, 403), where
            assert "/login?next" not in response.headers.get("Location", ""), where
        elif viewer is None:
            assert response.status_code == 302 and "/login?next=" in response.headers["Location"], where
        else:
            assert response.status_code == 403, where

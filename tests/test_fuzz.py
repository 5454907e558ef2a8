"""A fuzzer over every route: hostile path, query and form values, as every role and anonymous, never a 5xx.

It walks app.url_map, so a new route is fuzzed without being listed. Values are sampled per route and
role (not a full cartesian product) so the run stays short; over the six roles every value reaches every
route. Runs on SQLite and PostgreSQL (where NUL in text and 64-bit overflow used to be 500s).
"""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest

from programs.trust.services import save_metric
from recognition import services as recognition
from tests.conftest import sign_in
from tests.factories import make_user
from tests.rotation.rotation_factories import make_application, make_cohort, make_opening, make_org, make_program
from tests.trust.trust_factories import make_wave
from tests.visits.visits_factories import make_account, make_visit
from webapp import clock
from webapp.extensions import db
from webapp.people.models import User
from webapp.roles import Role

ANONYMOUS = "anonymous"
WHO = (ANONYMOUS, *Role)
HUGE = "99999999999999999999999"
PATH_VALUES = (HUGE, "0", "-1", "%00", "1", "x")
PATHS_PER_ROUTE = 2  # per role; over the six roles each path value is sent twice to every route
# Refused at the door (one per request: any of them ends the request with a 400)
GUARD_VALUES = ("nul\x00byte", HUGE, "9223372036854775808", "-99999999999999999999999")
# Reach the views: each request spreads these over its fields, a different value in each field
DEEP_VALUES = (
    "-1", "0", "9999-Q4", "0000-Q1", "1e309", "nan", "-inf", "²", "x" * 3000, "<script>alert(1)</script>",
    "'; DROP TABLE user_account; --", "", "2026-13-45", "title\r\nBcc: x@example.com", "1,2", "9223372036854775807",
    "2147483648", "2147483647",
)
ROUNDS = 4  # requests of spread deep values per route and role; the roles' rounds are offset to cover them all
# Query parameters the views read (request.args and GET forms), sent to every GET route.
QUERY_PARAMS = (
    "q", "before", "after", "quarter", "page", "scope", "tag", "filter", "a", "b", "wave", "days", "account",
    "status", "series", "period", "mine", "all", "inactive", "never_joint", "next", "function", "team",
)
# Sent to POST routes that have no form to read the field names from (and added to every POST).
GENERIC_FIELDS = (
    "next", "back", "answer", "active", "emoji", "opt_out", "application_id", "opening_id", "attendee_ids",
    "body", "message", "title", "comment", "reason", "description", "points", "value", "period", "idempotency_key",
)
SKIPPED_ENDPOINTS = {"auth.logout", "static", "rotation.asset"}
FIELD_NAME = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"")


def _seed() -> dict[Role, User]:
    """A small organisation with an object of each kind the paths point at, and one person per role."""
    org = make_org()
    employee = org.finance_person()
    people = {Role.EMPLOYEE: employee, Role.MANAGER: org.finance_manager, Role.HR: org.hr,
              Role.LEADER: make_user(Role.LEADER, team=org.logistics), Role.ADMIN: make_user(Role.ADMIN, team=org.fpa)}
    partner = org.ops_person()
    cohort = make_cohort(make_program(org))
    make_application(employee, cohort, [make_opening(cohort, org.ops_manager)])
    make_visit([employee, partner], account=make_account(owner=org.finance_manager), status="planned",
               visit_on=clock.today() + timedelta(days=3))
    recognition.ensure_default_badges()
    recognition.give_kudos(employee, [partner.id], "Thanks for walking me through the cut-off calendar.",
                           "one-team", 10, "fuzz-kudos")
    make_wave([org.finance, org.operations], actor=org.hr)
    save_metric(org.hr, None, "Revenue", "EUR", True, "monthly", "organisation")
    db.session.flush()
    return people


def _url(rule: str, value: str) -> str:
    """The rule with every path parameter replaced by value (already URL-safe)."""
    return re.sub(r"<[^>]+>", value, rule)


def _form_fields(client, url: str) -> list[str]:
    """The field names of the forms on the page at url (when it has one), plus the generic ones."""
    response = client.get(url)
    names = set(FIELD_NAME.findall(response.get_data(as_text=True))) if response.status_code == 200 else set()
    return sorted((names - {"csrf_token"}) | set(GENERIC_FIELDS))


def _spread(names: list[str] | tuple[str, ...], round_: int) -> dict[str, str]:
    """One deep value per name, shifted each round, so the names get different values."""
    return {name: DEEP_VALUES[(j + round_) % len(DEEP_VALUES)] for j, name in enumerate(names)}


def _query(values: dict[str, str]) -> str:
    return "?" + "&".join(f"{name}={quote(value)}" for name, value in values.items())


def _hostile_requests(rule, who_index: int, form_fields):
    """Path values first, then spread deep values and a guard value into the query (GET) and the form (POST)."""
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    if rule.arguments:
        for n in range(PATHS_PER_ROUTE):
            path = _url(rule.rule, PATH_VALUES[(who_index * PATHS_PER_ROUTE + n) % len(PATH_VALUES)])
            yield methods[0], path, None
    real = _url(rule.rule, "1")
    guard = GUARD_VALUES[who_index % len(GUARD_VALUES)]
    rounds = [who_index * ROUNDS + k for k in range(ROUNDS)]
    if "GET" in methods:
        for round_ in rounds:
            yield "GET", real + _query(_spread(QUERY_PARAMS, round_)), None
        yield "GET", real + _query(dict.fromkeys(QUERY_PARAMS, guard)), None
    if "POST" in methods:
        fields = form_fields(real) if "GET" in methods else list(GENERIC_FIELDS)
        for round_ in rounds:
            yield "POST", real, _spread(fields, round_)
        yield "POST", real, dict.fromkeys(fields, guard)


def _refused(response) -> bool:
    """The role may not use this route at all (so its deeper rounds would test nothing)."""
    return response.status_code == 403 or "/login" in response.headers.get("Location", "")


@pytest.mark.parametrize("who", WHO)
def test_no_route_answers_hostile_input_with_a_server_error(app, db, who):
    people = _seed()
    client = app.test_client()
    viewer = None if who == ANONYMOUS else people[who]
    failures = []

    def send(method: str, url: str, data: dict | None):
        if viewer is not None:
            sign_in(client, viewer)  # again each time: a request may have ended the session
        response = client.open(url, method=method, data=data)
        if response.status_code >= 500:
            shown = {k: v[:20] for k, v in (data or {}).items()}
            failures.append(f"{who} {method} {url[:160]} {shown} -> {response.status_code}")
        return response

    def form_fields(url: str) -> list[str]:
        if viewer is not None:
            sign_in(client, viewer)
        return _form_fields(client, url)

    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        for method, url, data in _hostile_requests(rule, WHO.index(who), form_fields):
            if _refused(send(method, url, data)) and url.startswith(_url(rule.rule, "1")):
                break  # the role may not use the route: its deeper rounds would test nothing
    assert failures == []

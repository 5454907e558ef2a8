"""The people directory: active search, one URL with two renderings, keyset paging, query counts."""
from __future__ import annotations

import pytest

from tests.bench.harness import count_queries
from tests.conftest import sign_in
from tests.factories import make_function, make_team, make_user
from webapp.roles import Role

HTMX = {"HX-Request": "true"}


@pytest.fixture
def viewer(client, db):
    finance = make_function("Finance", "FIN")
    user = make_user(name="Viewer Person", team=make_team(finance, "FP&A"))
    sign_in(client, user)
    return user


def names(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [
        line.split('">', 1)[1].split("</a>")[0]
        for line in html.split("\n")
        if 'href="/people/' in line and "<td>" in line
    ]


def test_search_matches_name_email_function_and_team(client, viewer):
    ops = make_function("Operations", "OPS")
    make_user(name="Grace Hopper", email="grace@navy.example", team=make_team(ops, "Logistics"))
    make_user(name="Alan Turing", email="alan@bletchley.example", function=make_function("Research", "RES"))
    assert names(client.get("/people?q=grace")) == ["Grace Hopper"]
    assert names(client.get("/people?q=bletchley")) == ["Alan Turing"]
    assert names(client.get("/people?q=operations")) == ["Grace Hopper"]
    assert names(client.get("/people?q=logist")) == ["Grace Hopper"]
    assert names(client.get("/people?q=OPS")) == ["Grace Hopper"]
    assert names(client.get("/people?q=grace+finance")) == []  # every word must match


def test_search_treats_wildcards_literally(client, viewer):
    make_user(name="Percent Person")
    assert names(client.get("/people?q=%25")) == []
    assert names(client.get("/people?q=_")) == []


def test_deactivated_people_are_hidden_except_for_admins_who_ask(client, viewer, db):
    make_user(name="Gone Person", active=False)
    assert names(client.get("/people?q=gone&inactive=1")) == []
    admin = make_user(Role.ADMIN)
    sign_in(client, admin)
    assert names(client.get("/people?q=gone")) == []
    assert names(client.get("/people?q=gone&inactive=1")) == ["Gone Person"]


def test_one_url_two_renderings(client, viewer):
    page = client.get("/people?q=viewer").get_data(as_text=True)
    fragment = client.get("/people?q=viewer", headers=HTMX).get_data(as_text=True)
    assert page.startswith("<!doctype html>") and 'id="directory-results"' in page
    assert fragment.lstrip().startswith('<div id="directory-results">') and "<html" not in fragment
    boosted = client.get("/people?q=viewer", headers={**HTMX, "HX-Boosted": "true"}).get_data(as_text=True)
    assert boosted.startswith("<!doctype html>")


def test_keyset_pages_cover_everyone_once_in_name_order(app, client, viewer):
    app.config["DIRECTORY_PAGE_SIZE"] = 4
    for _ in range(9):
        make_user(name="Same Name")  # equal names: the id breaks the tie
    html = client.get("/people?q=same", headers=HTMX).get_data(as_text=True)
    seen = _ids(html)
    while 'id="directory-more"' in html:
        html = client.get(f"/people?q=same&after={seen[-1]}", headers=HTMX).get_data(as_text=True)
        assert html.lstrip().startswith("<tr>")  # "load more" returns rows only
        seen += _ids(html)
    assert len(seen) == 9 and len(set(seen)) == 9 and seen == sorted(seen)


def _ids(html: str) -> list[int]:
    return [int(part.split('"')[0]) for part in html.split('href="/people/')[1:]]


def test_query_count_does_not_grow_with_the_page(app, client, viewer):
    make_user(name="Only One")
    client.get("/people?q=only")  # the bell's count is cached from here on
    with count_queries(app) as few:
        client.get("/people?q=only")
    for n in range(30):
        make_user(name=f"Only Many {n}", team=make_team())
    client.get("/people?q=only")  # the writes (new functions) invalidated the cached signed-in person: cached again
    with count_queries(app) as many:
        client.get("/people?q=only")
    assert len(many) == len(few) <= 5


def test_overlong_query_is_cut_not_rejected(client, viewer):
    assert client.get("/people?q=" + "a" * 5000).status_code == 200


def test_profile_shows_function_team_manager_and_reports(client, viewer, db):
    boss = make_user(name="Big Boss", function=viewer.function)
    person = make_user(name="Middle Manager", team=viewer.team, manager=boss)
    make_user(name="Report One", manager=person, function=viewer.function)
    html = client.get(f"/people/{person.id}").get_data(as_text=True)
    for text in ["Middle Manager", "Finance", "FP&amp;A", "Big Boss", "Report One"]:
        assert text in html
    assert client.get("/people/999999").status_code == 404


def test_the_listing_read_again_runs_no_query_and_a_new_person_shows_at_once(app, client, viewer, db):
    make_user(name="Ann Early")
    db.session.commit()
    assert "Ann Early" in names(client.get("/people"))
    with count_queries(app) as warm:
        client.get("/people")
    assert not [q for q in warm if "user_account" in q], "the listing comes from the cache"
    make_user(name="Bea Later")
    db.session.commit()
    assert {"Ann Early", "Bea Later"} <= set(names(client.get("/people")))
    assert "Bea Later" in names(client.get("/people", headers=HTMX))

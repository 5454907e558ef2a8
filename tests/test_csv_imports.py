"""CSV imports that forgive the common mistakes: any of the usual delimiters, a preview whose counts add up,
one layout for people and accounts, the rejected rows as a CSV, warnings that do not refuse."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import sign_in
from tests.factories import make_function, make_user
from webapp import clock
from webapp.people.models import User
from webapp.roles import Role
from webapp.uploads import detect_delimiter, read_csv_text


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_usual_delimiter_is_detected(delimiter):
    content = delimiter.join(["email", "name", "function"]) + "\n" + delimiter.join(["a@x.com", "A B", "FIN"]) + "\n"
    assert detect_delimiter(content) == delimiter
    frame, errors = read_csv_text(content, ("email", "name", "function"), 10)
    assert errors == [] and frame.to_dict("records") == [{"email": "a@x.com", "name": "A B", "function": "FIN"}]


def test_a_quoted_semicolon_in_a_comma_file_does_not_fool_the_detection():
    assert detect_delimiter('email,name,function\n"a@x.com","A; B",FIN\n') == ","


@pytest.fixture
def hr(client, db):
    make_function("Finance", "FIN")
    user = make_user(Role.HR, email="hr@example.com")
    sign_in(client, user)
    return user


def upload(client, path: str, content: str, name: str = "people.csv"):
    response = client.post(path, data={"file": (io.BytesIO(content.encode("cp1252")), name)})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def test_a_semicolon_file_from_excel_imports(client, hr, db):
    content = ("email;name;function;hired_on\r\nada@example.com;Ada Lovelace;Finance;2019-04-01\r\n"
               "zoe@example.com;Zoë;FIN;\r\n")
    preview = upload(client, "/people/import", content)
    html = client.get(preview).get_data(as_text=True)
    assert "2 rows: 2 to add, 0 to update." in html and "Missing column" not in html
    assert client.post(preview + "/confirm").status_code == 303
    assert set(db.session.scalars(select(User.name))) == {hr.name, "Ada Lovelace", "Zoë"}


def test_the_preview_counts_rows_with_errors_apart_from_the_rows_to_add(client, hr, db):
    content = ("email,name,function\na@example.com,A,Finance\nb@example.com,B,Finance\nbroken,C,Finance\n"
               "d@example.com,D,Nowhere\n")
    html = client.get(upload(client, "/people/import", content)).get_data(as_text=True)
    assert "4 rows: 2 to add, 0 to update, <strong>2 with errors</strong>." in html
    assert "<th scope=\"col\">Function</th>" in html and "<td>Finance</td>" in html  # the people preview shows it


def test_the_rejected_rows_download_as_csv_with_their_reasons(client, hr, db):
    content = "email,name,function,team\ngood@example.com,Good,Finance,\nbroken,=HYPERLINK(\"x\"),Finance,FP&A\n"
    preview = upload(client, "/people/import", content, name="Staff list.csv")
    assert f'href="{preview}/rejected.csv"' in client.get(preview).get_data(as_text=True)
    response = client.get(preview + "/rejected.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=rejected-Stafflist.csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [["line", "email", "name", "function", "team", "problems"],
                    ["3", "broken", "'=HYPERLINK(\"x\")", "Finance", "FP&A", "email 'broken' is not a valid address"]]


def test_a_hire_date_in_the_future_warns_but_imports(client, hr, db):
    future = (clock.today() + timedelta(days=40)).isoformat()
    content = f"email,name,function,hired_on\nnew@example.com,New Starter,Finance,{future}\n"
    preview = upload(client, "/people/import", content)
    html = client.get(preview).get_data(as_text=True)
    assert f"hired_on {future} is in the future" in html and "1 of the rows to import has a warning" in html
    assert "Import 1 people" in html
    assert client.post(preview + "/confirm").status_code == 303
    assert db.session.scalar(select(User).where(User.email == "new@example.com")).hired_on.isoformat() == future


def test_the_accounts_preview_has_the_same_layout_and_download(client, db):
    manager = make_user(Role.MANAGER)
    sign_in(client, manager)
    content = "name\tsegment\towner_email\nNew Co\tSMB\t\nsales@new.example\tSMB\t\nGhost Co\tSMB\tghost@example.com\n"
    preview = upload(client, "/accounts/import", content, name="accounts.csv")
    html = client.get(preview).get_data(as_text=True)
    assert "3 rows: 2 to add, 0 to update, <strong>1 with errors</strong>." in html
    assert 'id="import-errors"' in html and 'id="import-rows"' in html
    assert "the name looks like an e-mail address" in html
    rows = list(csv.reader(io.StringIO(client.get(preview + "/rejected.csv").get_data(as_text=True))))
    assert rows[1][:2] == ["4", "Ghost Co"] and "not an active person" in rows[1][-1]


def test_someone_elses_rejected_rows_are_not_found(client, hr, db):
    preview = upload(client, "/people/import", "email,name,function\nbroken,B,Finance\n")
    sign_in(client, make_user(Role.HR))
    assert client.get(preview + "/rejected.csv").status_code == 404

"""Accounts by hand and by CSV import (all or nothing, with row errors), and who may do it."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from programs.visits.models import Account, PendingAccountImport
from tests.conftest import sign_in
from tests.factories import make_user
from tests.visits.visits_factories import make_account
from webapp.auth.models import AuditEntry
from webapp.roles import Role


def accounts(db) -> dict[str, tuple[str, str, int | None]]:
    return {a.name: (a.segment, a.region, a.owner_id) for a in db.session.scalars(select(Account))}


def test_a_manager_adds_and_edits_an_account_and_it_is_audited(client, db, org):
    sign_in(client, org.manager)
    response = client.post("/accounts/new", data={"name": " Acme ", "segment": "SMB", "region": "EMEA",
                                                  "owner_email": org.fin.email.upper()})
    assert response.status_code == 303
    account = db.session.scalar(select(Account))
    assert accounts(db) == {"Acme": ("SMB", "EMEA", org.fin.id)}
    assert client.post(f"/accounts/{account.id}/edit", data={"name": "Acme Corp", "segment": "", "region": "",
                                                                  "owner_email": ""}).status_code == 303
    assert accounts(db) == {"Acme Corp": ("", "", None)}
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["account.create", "account.update"]


def test_account_names_are_unique_and_owners_must_exist(client, db, org):
    make_account("Acme")
    sign_in(client, org.manager)
    clash = client.post("/accounts/new", data={"name": "ACME"})
    assert clash.status_code == 400 and b"already has this name" in clash.data
    nobody = client.post("/accounts/new", data={"name": "Beta", "owner_email": "nobody@example.com"})
    assert nobody.status_code == 400 and b"No person has this email" in nobody.data
    long = client.post("/accounts/new", data={"name": "x" * 121})
    assert long.status_code == 400 and list(accounts(db)) == ["Acme"]


def test_employees_see_accounts_but_cannot_add_them(client, db, org):
    make_account("<b>Acme</b>")
    sign_in(client, org.fin)
    assert client.post("/accounts/new", data={"name": "Beta"}).status_code == 403
    html = client.get("/accounts?q=acme").get_data(as_text=True)
    assert "&lt;b&gt;Acme&lt;/b&gt;" in html
    fragment = client.get("/accounts?q=zzz", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.startswith('<div id="account-results">') and "No account matches" in fragment


def test_account_list_pages_with_a_keyset(client, db, org):
    for n in range(30):
        make_account(f"Account {n:02d}")
    sign_in(client, org.fin)
    first = client.get("/accounts").get_data(as_text=True)
    assert "Account 24" in first and "Account 25" not in first and "Load more accounts" in first
    last = [a.id for a in db.session.scalars(select(Account).order_by(Account.name))][24]
    more = client.get(f"/accounts?after={last}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Account 25" in more and "Account 29" in more and "Account 24" not in more and "<html" not in more


# --- CSV import ---------------------------------------------------------------------------------

def upload(client, content: str, name: str = "accounts.csv"):
    return client.post("/accounts/import", data={"file": (io.BytesIO(content.encode()), name)})


def test_a_bad_row_imports_nothing_and_the_preview_says_why(client, db, org):
    make_account("Existing")
    sign_in(client, org.manager)
    response = upload(client, "name,segment,owner_email\nGood Co,SMB,\n,SMB,\nBad Owner,SMB,ghost@example.com\n")
    preview = client.get(response.headers["Location"])
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "name is missing" in html and "ghost@example.com" in html and "not an active person" in html
    assert "Import 3 accounts" not in html
    token = db.session.scalar(select(PendingAccountImport.token))
    assert client.post(f"/accounts/import/{token}/confirm").status_code == 303
    assert list(accounts(db)) == ["Existing"]


def test_a_valid_file_creates_and_updates_once_and_only_for_its_uploader(client, db, org):
    make_account("Existing", segment="Old")
    sign_in(client, org.manager)
    content = f"name,segment,region,owner_email\nNew Co,SMB,APAC,{org.ops.email}\nexisting,Enterprise,EMEA,\n"
    preview = client.get(upload(client, content).headers["Location"])
    assert b"2 rows: 1 to add, 1 to update" in preview.data
    token = db.session.scalar(select(PendingAccountImport.token))
    other = make_user(Role.ADMIN)
    sign_in(client, other)
    assert client.get(f"/accounts/import/{token}").status_code == 404
    assert client.post(f"/accounts/import/{token}/confirm").status_code == 404
    sign_in(client, org.manager)
    assert client.post(f"/accounts/import/{token}/confirm").status_code == 303
    assert accounts(db) == {"New Co": ("SMB", "APAC", org.ops.id), "Existing": ("Enterprise", "EMEA", None)}
    client.post(f"/accounts/import/{token}/confirm")  # replayed: rejected, nothing changes
    assert db.session.scalar(select(func.count()).select_from(Account)) == 2
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "accounts.import")) is not None


def test_uploads_that_are_not_csv_text_are_refused_on_the_form(client, db, org):
    sign_in(client, org.manager)
    binary = client.post("/accounts/import", data={"file": (io.BytesIO(b"\x00\x01\xff\xfe\x00"), "a.csv")})
    assert binary.status_code == 400 and b"not a text CSV" in binary.data
    wrong = client.post("/accounts/import", data={"file": (io.BytesIO(b"name\nx\n"), "a.xlsx")})
    assert wrong.status_code == 400 and b"Only .csv files" in wrong.data
    assert db.session.scalar(select(func.count()).select_from(PendingAccountImport)) == 0


def test_the_import_template_is_a_valid_import(client, db, org):
    sign_in(client, org.manager)
    template = client.get("/accounts/import/template.csv")
    assert template.mimetype == "text/csv" and template.data.startswith(b"name,segment,region,owner_email")


def test_hr_imports_accounts(client, db, org):
    sign_in(client, make_user(Role.HR))
    assert client.get("/accounts/import").status_code == 200
    preview = client.get(upload(client, "name,segment\nHR Co,SMB\n").headers["Location"])
    assert b"1 to add" in preview.data
    token = db.session.scalar(select(PendingAccountImport.token))
    assert client.post(f"/accounts/import/{token}/confirm").status_code == 303
    assert list(accounts(db)) == ["HR Co"]

"""Getting in, end to end against a local SMTP server: an invitation from a profile, and "forgot password"."""
from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.browser.conftest import assert_accessible, config_for
from tests.factories import PASSWORD, make_user
from tests.mailbox import links_in, running_inbox
from webapp import create_app
from webapp.notifications.delivery import drain
from webapp.roles import Role

NEW_PASSWORD = "my own new password"


@pytest.fixture(scope="module")
def mailing_site(database_url, session_app):
    """A live server (CSRF on) whose outbox e-mail goes to a local aiosmtpd inbox; yields (app, base URL, inbox)."""
    with running_inbox() as (inbox, port):
        app = create_app(config_for(database_url, WTF_CSRF_ENABLED=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=port))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        base = f"http://127.0.0.1:{server.server_port}"
        app.config["PUBLIC_URL"] = base
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield app, base, inbox
        server.shutdown()


@pytest.fixture
def site(mailing_site):
    app, base, inbox = mailing_site
    inbox.messages.clear()
    return app, base, inbox


def deliver_mail(app) -> None:
    """One pass of the delivery worker (`flask worker --once`) of the mailing site."""
    with app.app_context():
        drain()


def choose_password(page, url: str, password: str) -> None:
    page.goto(url)
    assert_accessible(page)
    page.get_by_label("New password").fill(password)
    page.get_by_label("Repeat the password").fill(password)
    page.get_by_role("button", name="Set password and sign in").click()


@pytest.mark.parametrize("width", [1280, 390])
def test_an_admin_invites_a_person_who_sets_a_password_and_lands_signed_in(page, db, site, width, console_errors):
    app, base, inbox = site
    page.set_viewport_size({"width": width, "height": 900})
    make_user(Role.ADMIN, email="admin@example.com", password=PASSWORD)
    newcomer = make_user(name="Nia Newcomer", email="nia@example.com")
    db.session.commit()
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/people/{newcomer.id}")
    page.get_by_role("link", name="Invite to sign in").click()
    expect(page.get_by_label("Nia Newcomer")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Invite the people chosen").click()
    expect(page.locator("#invitations-sent")).to_contain_text("Each person gets the link by e-mail")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.context.clear_cookies()  # the newcomer, on their own device

    deliver_mail(app)
    [message] = inbox.messages
    assert message.rcpt_tos == ["nia@example.com"]
    [url] = links_in(message)
    choose_password(page, url, NEW_PASSWORD)
    page.wait_for_url(f"{base}/")
    expect(page.get_by_text("Your password is set.")).to_be_visible()
    assert_accessible(page)
    page.goto(url)  # the link worked once
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    assert_accessible(page)
    console_errors.remove("Failed to load resource: the server responded with a status of 410 (GONE)")


def test_forgot_password_sends_a_link_that_sets_a_new_password(page, db, site):
    app, base, inbox = site
    make_user(email="ada@example.com", password=PASSWORD)
    db.session.commit()
    page.goto(f"{base}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    assert_accessible(page)
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator("#forgot-answer")).to_contain_text("If an active account uses that address")
    assert_accessible(page)

    deliver_mail(app)
    [url] = links_in(inbox.messages[0])
    choose_password(page, url, NEW_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

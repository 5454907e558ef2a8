"""Links to set a password: invitations sent by admins or HR, and "forgot password" resets.

A link carries a random nonce signed with itsdangerous under a purpose salt; the database keeps
only the nonce's SHA-256, so a leaked database gives no working link. A link works once, until it
expires (PASSWORD_LINK_DAYS), and only while it is the person's newest link and the person is active.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update

from webapp import clock
from webapp.auth.models import PasswordLink
from webapp.auth.services import PASSWORD_MIN, PasswordError, record_audit
from webapp.db import rows_changed
from webapp.errors import RuleError
from webapp.extensions import db
from webapp.notifications.services import enqueue_email
from webapp.people.models import User
from webapp.roles import Role

SALT = "common-ground.set-password"
INVITE, RESET = "invite", "reset"
LINK_UNUSABLE = (
    "This link no longer works: it has expired, was already used, or a newer one was sent. Ask for a new one."
)
SUBJECTS = {INVITE: "You are invited to Common Ground", RESET: "Set a new password for Common Ground"}
BODIES = {
    INVITE: "Hello {name},\n\n{actor} invited you to Common Ground. Choose your password here (the link works once, "
            "for {days} days):\n\n{url}\n",
    RESET: "Hello {name},\n\nSomeone (we hope you) asked to set a new password for Common Ground. Choose it here "
           "(the link works once, for {days} days):\n\n{url}\n\nIf it was not you, ignore this e-mail.\n",
}


@dataclass(frozen=True)
class SentLink:
    """One link just issued: whom it is for, its address, and whether it went out by e-mail."""

    user: User
    url: str
    emailed: bool


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _absolute_url(token: str) -> str:
    """The link's address, on PUBLIC_URL when set, else on the address this request came to."""
    root = current_app.config.get("PUBLIC_URL") or request.url_root
    return root.rstrip("/") + url_for("auth.set_password_from_link", token=token)


def _revoke_open_links(user: User) -> None:
    db.session.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None), PasswordLink.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


def issue_link(user: User, purpose: str, actor: User | None, request_key: str | None = None) -> SentLink:
    """A new link for user (their older open links stop working), e-mailed when e-mail is configured.

    request_key is the invitation form's idempotency key: the same form sent twice clashes on it.
    """
    db.session.scalar(select(User.id).where(User.id == user.id).with_for_update())  # one issuer at a time
    _revoke_open_links(user)
    nonce = secrets.token_urlsafe(32)
    days = current_app.config["PASSWORD_LINK_DAYS"]
    link = PasswordLink(
        user_id=user.id, purpose=purpose, token_hash=_digest(nonce), created_by_id=actor.id if actor else None,
        expires_at=clock.now() + timedelta(days=days), request_key=request_key,
    )
    db.session.add(link)
    db.session.flush()
    url = _absolute_url(_serializer().dumps(nonce))
    body = BODIES[purpose].format(name=user.name, actor=actor.name if actor else "", days=days, url=url)
    emailed = enqueue_email(user.email, SUBJECTS[purpose], body) is not None
    record_audit(actor, f"password_link.{purpose}", user, None, {"link_id": link.id, "emailed": emailed})
    return SentLink(user, url, emailed)


def people_without_password() -> list[User]:
    """Active people who cannot sign in yet (imported or created without a password), by name."""
    return list(db.session.scalars(
        select(User).where(User.active.is_(True), User.password_hash.is_(None)).order_by(User.name, User.id)
    ))


def everyone_can_get_in() -> bool:
    """Several people are active and each has a password or a link that still works (first-run checklist)."""
    active = db.session.execute(select(func.count()).select_from(User).where(User.active.is_(True))).scalar_one()
    open_link = select(PasswordLink.id).where(
        PasswordLink.user_id == User.id, PasswordLink.used_at.is_(None), PasswordLink.revoked_at.is_(None),
        PasswordLink.expires_at > clock.now(),
    )
    locked_out = select(User.id).where(User.active.is_(True), User.password_hash.is_(None), ~open_link.exists())
    return active >= 2 and db.session.scalar(locked_out.limit(1)) is None


def invitation_candidates(chosen_ids: list[int]) -> list[User]:
    """Whom the invitation page lists: active people without a password, and the active people chosen."""
    return list(db.session.scalars(
        select(User).where(User.active.is_(True), User.password_hash.is_(None) | User.id.in_(chosen_ids))
        .order_by(User.name, User.id)
    ))


def _may_invite(actor: User, person: User) -> bool:
    """Anyone an admin chooses; HR anyone but an admin (a link they see would open an admin's account)."""
    return Role.ADMIN in actor.roles or Role.ADMIN not in person.roles


def invite_people(actor: User, user_ids: list[int], everyone_without_password: bool, key: str) -> list[SentLink]:
    """Invite the chosen active people (or everyone without a password whom actor may invite) to set their password."""
    if everyone_without_password:
        people = [person for person in people_without_password() if _may_invite(actor, person)]
    else:
        people = list(db.session.scalars(
            select(User).where(User.id.in_(user_ids), User.active.is_(True)).order_by(User.name, User.id)
        ))
        if len(people) != len(set(user_ids)):
            raise RuleError("Only active people can be invited.", "user_ids")
        if refused := [person.name for person in people if not _may_invite(actor, person)]:
            raise RuleError(f"Only an admin can invite an admin: leave out {', '.join(refused)}.", "user_ids")
    if not people:
        raise RuleError("Choose at least one person to invite.", "user_ids")
    return [issue_link(person, INVITE, actor, key) for person in people]


def request_reset(email: str) -> None:
    """Forgot password: e-mail a reset link to the active person with this address, if any.

    The caller answers the same either way. An address that gets no link still does the token work
    and writes (an audit entry of the refused request), so the answer takes about as long.
    """
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active or not current_app.config.get("MAIL_SERVER"):
        _digest(_serializer().dumps(secrets.token_urlsafe(32)))
        record_audit(None, "password_link.reset_refused", user or User(), None, None)  # unknown: an unsaved stand-in
        db.session.flush()
        return
    issue_link(user, RESET, None)


def _open_link(token: str, lock: bool = False) -> PasswordLink:
    """The usable link behind token, or a RuleError saying it no longer works."""
    try:
        nonce = _serializer().loads(token)
    except BadSignature:
        raise RuleError(LINK_UNUSABLE) from None
    query = select(PasswordLink).where(PasswordLink.token_hash == _digest(str(nonce)))
    link = db.session.scalar(query.with_for_update() if lock else query)
    if link is None or link.used_at or link.revoked_at or link.expires_at <= clock.now() or not link.user.active:
        raise RuleError(LINK_UNUSABLE)
    return link


def check_link(token: str) -> PasswordLink:
    """The link behind token if it still works (for showing the form), else RuleError."""
    return _open_link(token)


def set_password_with_link(token: str, password: str) -> User:
    """Use the link once: set the person's password, end every other open link of theirs, audit it."""
    if len(password) < PASSWORD_MIN:
        raise PasswordError(f"Choose a password of at least {PASSWORD_MIN} characters.")
    link = _open_link(token, lock=True)
    used = rows_changed(db.session, 
        update(PasswordLink)
        .where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None), PasswordLink.revoked_at.is_(None))
        .values(used_at=clock.now())
    )
    if used != 1:  # a concurrent request used it first
        raise RuleError(LINK_UNUSABLE)
    user = db.session.scalars(select(User).where(User.id == link.user_id).with_for_update(of=User)).one()
    user.set_password(password)
    _revoke_open_links(user)
    user.last_login_at = clock.now()
    record_audit(user, f"password_link.used.{link.purpose}", user, None, {"link_id": link.id})
    return user

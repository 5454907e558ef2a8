"""Sign-in, passwords and the audit log."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from webapp import clock
from webapp.auth.models import AuditEntry
from webapp.errors import RuleError
from webapp.extensions import db
from webapp.people.models import User

log = logging.getLogger(__name__)
_DUMMY_HASH = generate_password_hash("timing-equaliser")
PASSWORD_MIN = 10


class PasswordError(RuleError):
    """A password change that breaks a rule; the message is shown beside `field` (default: the new password)."""

    def __init__(self, message: str, field: str = "new") -> None:
        super().__init__(message, field)


def authenticate(email: str, password: str) -> User | None:
    """The active person with this email and password, or None (same work either way)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = clock.now()
    return user


def end_sessions(user: User) -> None:
    """Sign the person out on every device: each session and remember cookie names the old version, now refused."""
    db.session.execute(update(User).where(User.id == user.id).values(session_version=User.session_version + 1))


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one; other sessions are signed out."""
    if not user.check_password(current):
        raise PasswordError("Your current password is not correct.", field="current")
    if len(new) < PASSWORD_MIN:
        raise PasswordError(f"Choose a password of at least {PASSWORD_MIN} characters.")
    if new == current:
        raise PasswordError("The new password must differ from the current one.")
    user.set_password(new)
    record_audit(user, "password.change", user, None, None)


def record_audit(
    actor: User | None,
    action: str,
    obj: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    """Append one audit entry for an administrative action, and log it at info."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(getattr(obj, "id", "") or ""),
        before=before,
        after=after,
    )
    db.session.add(entry)
    log.info(
        "audit %s by user %s on %s %s (changed: %s)",
        action, actor.id if actor else "-", entry.object_type, entry.object_id or "-", _changed_keys(before, after),
    )
    return entry


def _changed_keys(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """The names of the values an action changed (never the values: they may be personal)."""
    before, after = before or {}, after or {}
    changed = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
    return ", ".join(map(str, changed)) or "-"

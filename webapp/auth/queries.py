"""Reads of the audit log."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from webapp.auth.models import AuditEntry


def list_audit_entries(before_id: int | None = None, action: str | None = None) -> Select:
    """Newest first, keyset-paged by id."""
    query = select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc())
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    if action:
        query = query.where(AuditEntry.action == action)
    return query

"""Queries over the audit log (newest first, keyset-paged by id)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dari.audit.models import AuditEvent


async def list_events(
    session: AsyncSession,
    *,
    before_id: int | None = None,
    limit: int = 50,
    action: str | None = None,
    actor_id: str | None = None,
    outcome: str | None = None,
    subject_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Sequence[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    if subject_id:
        query = query.where(AuditEvent.subject_id == subject_id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    return (await session.scalars(query)).all()

"""Record audit events. Never commits the caller's session.

- `record(session, …)`: inside the request's transaction, for changes that must be audited
  atomically with the change itself (a role granted, an API key created).
- `record_now(sessionmaker, …)`: in its own short transaction, for denials and failures that
  must be kept even though the request itself fails and rolls back (a wrong password, a
  forbidden ERP call). On SQLite only one transaction writes at a time, so call it before the
  request's own session has written anything (denials usually happen before any write).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dari.audit.models import AuditEvent
from dari.core.principal import Principal
from dari.observability.context import request_id_var


def _event(
    action: str,
    *,
    actor: Principal | None,
    actor_name: str | None,
    outcome: str,
    subject_type: str | None,
    subject_id: str | None,
    ip: str | None,
    details: dict[str, Any] | None,
) -> AuditEvent:
    return AuditEvent(
        action=action,
        outcome=outcome,
        actor_id=actor.user_id if actor else None,
        actor_name=(actor.username if actor else actor_name),
        subject_type=subject_type,
        subject_id=subject_id,
        ip=ip,
        request_id=request_id_var.get() or None,
        details=details or {},
    )


async def record(
    session: AsyncSession,
    action: str,
    *,
    actor: Principal | None = None,
    actor_name: str | None = None,
    outcome: str = "ok",
    subject_type: str | None = None,
    subject_id: str | None = None,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an event to the caller's transaction (committed with it, or not at all)."""
    event = _event(
        action,
        actor=actor,
        actor_name=actor_name,
        outcome=outcome,
        subject_type=subject_type,
        subject_id=subject_id,
        ip=ip,
        details=details,
    )
    session.add(event)
    await session.flush()
    return event


async def record_now(
    sessionmaker: async_sessionmaker[AsyncSession], action: str, **fields: Any
) -> None:
    """Write an event in its own transaction: it survives the caller's rollback.

    Takes the same keyword arguments as `record`.
    """
    async with sessionmaker() as session, session.begin():
        await record(session, action, **fields)

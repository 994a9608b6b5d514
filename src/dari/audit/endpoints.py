"""`GET /api/admin/audit`: page through the audit log, newest first (admin:audit or admin:users)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from dari.api.deps import SessionDep
from dari.audit import repository
from dari.audit.schemas import AuditEventOut, AuditPage
from dari.auth.deps import require_any
from dari.core.principal import Principal

router = APIRouter(prefix="/api/admin", tags=["admin"])


def _utc(value: datetime | None) -> datetime | None:
    # A time without an offset is taken as UTC rather than refused.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


AuditReader = Annotated[Principal, Depends(require_any("admin:audit", "admin:users"))]


@router.get("/audit", response_model=AuditPage)
async def list_audit_events(
    session: SessionDep,
    _reader: AuditReader,
    before_id: Annotated[
        int | None, Query(ge=1, description="Only events older than this.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    action: Annotated[str | None, Query(max_length=64, description="e.g. auth.login")] = None,
    actor_id: Annotated[str | None, Query(max_length=36)] = None,
    outcome: Annotated[str | None, Query(pattern="^(ok|denied|failed|locked)$")] = None,
    subject_id: Annotated[str | None, Query(max_length=255)] = None,
    since: Annotated[datetime | None, Query(description="ISO 8601, inclusive.")] = None,
    until: Annotated[datetime | None, Query(description="ISO 8601, exclusive.")] = None,
) -> AuditPage:
    """Newest first, keyset-paged: follow `next_before_id` until it is null."""
    since, until = (_utc(value) for value in (since, until))
    events = await repository.list_events(
        session,
        before_id=before_id,
        limit=limit + 1,
        action=action,
        actor_id=actor_id,
        outcome=outcome,
        subject_id=subject_id,
        since=since,
        until=until,
    )
    page = events[:limit]
    return AuditPage(
        items=[AuditEventOut.model_validate(e) for e in page],
        next_before_id=page[-1].id if len(events) > limit else None,
    )

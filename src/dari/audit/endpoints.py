"""`GET /api/admin/audit`: page through the audit log, newest first (admin:audit or admin:users)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from dari.api.deps import SessionDep
from dari.audit import repository
from dari.audit.schemas import AuditEventOut, AuditPage
from dari.auth.deps import require_any
from dari.core.principal import Principal

router = APIRouter(prefix="/api/admin", tags=["admin"])

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
) -> AuditPage:
    """Newest first, keyset-paged: follow `next_before_id` until it is null."""
    events = await repository.list_events(
        session,
        before_id=before_id,
        limit=limit + 1,
        action=action,
        actor_id=actor_id,
        outcome=outcome,
    )
    page = events[:limit]
    return AuditPage(
        items=[AuditEventOut.model_validate(e) for e in page],
        next_before_id=page[-1].id if len(events) > limit else None,
    )

"""`/api/admin/...` roles, departments, sessions and API keys (permission admin:users)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from dari.api.deps import RuntimeDep, SessionDep
from dari.api.headers import NO_STORE
from dari.auth import admin, apikeys, service
from dari.auth import repository as repo
from dari.auth.deps import AdminUsers, audit_admin
from dari.auth.errors import AuthError
from dari.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    DepartmentCreate,
    DepartmentOut,
    DepartmentPatch,
    RoleCreate,
    RoleOut,
    RoleUpdate,
    SessionOut,
)
from dari.db.base import utcnow

router = APIRouter(prefix="/api/admin", tags=["admin"])


# --- roles and departments --------------------------------------------------------------------


@router.get("/roles", response_model=list[RoleOut])
async def list_roles(session: SessionDep, _actor: AdminUsers) -> list[RoleOut]:
    return [RoleOut.model_validate(r) for r in await repo.list_roles(session)]


@router.post("/roles", response_model=RoleOut, status_code=201)
async def create_role(
    request: Request, session: SessionDep, actor: AdminUsers, body: RoleCreate
) -> RoleOut:
    admin.check_grantable(actor, body.permissions)
    role = await admin.create_role(
        session, name=body.name, description=body.description, permissions=body.permissions
    )
    await audit_admin(
        session, request, actor, "role.create", "role", role.name, permissions=role.permissions
    )
    return RoleOut.model_validate(role)


@router.patch("/roles/{name}", response_model=RoleOut)
async def update_role(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    actor: AdminUsers,
    name: str,
    body: RoleUpdate,
) -> RoleOut:
    role = await admin.get_role_or_404(session, name)
    before = list(role.permissions)
    if body.permissions is not None:
        admin.check_grantable(actor, body.permissions)
    await admin.update_role(
        service.get_auth(runtime),
        session,
        role,
        description=body.description,
        permissions=body.permissions,
    )
    await audit_admin(
        session,
        request,
        actor,
        "role.update",
        "role",
        role.name,
        before=before,
        after=role.permissions,
    )
    return RoleOut.model_validate(role)


@router.get("/departments", response_model=list[DepartmentOut])
async def list_departments(session: SessionDep, _actor: AdminUsers) -> list[DepartmentOut]:
    return [DepartmentOut.model_validate(d) for d in await repo.list_departments(session)]


@router.post("/departments", response_model=DepartmentOut, status_code=201)
async def create_department(
    request: Request, session: SessionDep, actor: AdminUsers, body: DepartmentCreate
) -> DepartmentOut:
    department = await admin.create_department(
        session, code=body.code, name=body.name, parent=body.parent
    )
    await audit_admin(session, request, actor, "department.create", "department", department.id)
    return DepartmentOut.model_validate(department)


@router.patch("/departments/{department_id}", response_model=DepartmentOut)
async def update_department(
    request: Request,
    session: SessionDep,
    actor: AdminUsers,
    department_id: str,
    body: DepartmentPatch,
) -> DepartmentOut:
    department = await admin.get_department_or_404(session, department_id)
    await admin.update_department(session, department, name=body.name, parent=body.parent)
    await audit_admin(session, request, actor, "department.update", "department", department.id)
    return DepartmentOut.model_validate(department)


# --- sessions and API keys --------------------------------------------------------------------


@router.get("/sessions", response_model=list[SessionOut])
async def list_sessions(
    session: SessionDep, _actor: AdminUsers, user_id: str | None = None
) -> list[SessionOut]:
    """Signed-in devices (live refresh-token families), newest first."""
    rows = await repo.active_sessions(session, utcnow(), user_id)
    return [
        SessionOut(
            id=r.family_id,
            user_id=r.user_id,
            created_at=r.created_at,
            expires_at=r.expires_at,
            ip=r.ip,
            user_agent=r.user_agent,
        )
        for r in rows
    ]


@router.delete("/sessions/{family_id}", status_code=204)
async def revoke_session(
    request: Request, session: SessionDep, actor: AdminUsers, family_id: str
) -> Response:
    revoked = await service.revoke_family(session, family_id)
    if not revoked:
        raise AuthError("session_not_found", "세션을 찾을 수 없습니다.")
    await audit_admin(session, request, actor, "auth.session_revoke", "session", family_id)
    return Response(status_code=204)


@router.get("/api-keys", response_model=list[ApiKeyOut])
async def list_api_keys(
    session: SessionDep, _actor: AdminUsers, user_id: str | None = None
) -> list[ApiKeyOut]:
    return [ApiKeyOut.model_validate(k) for k in await repo.list_api_keys(session, user_id)]


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201, dependencies=[NO_STORE])
async def create_api_key(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    actor: AdminUsers,
    body: ApiKeyCreate,
) -> ApiKeyCreated:
    """Create a key for a user, limited to some of their permissions. The secret is shown once."""
    user = await admin.get_user_or_404(session, body.user_id)
    admin.check_grantable(actor, body.permissions)
    key, secret = await apikeys.create_api_key(
        service.get_auth(runtime),
        session,
        user,
        name=body.name,
        permissions=admin.check_permissions(body.permissions),
        created_by=actor.user_id,
        expires_at=body.expires_at,
    )
    await audit_admin(
        session,
        request,
        actor,
        "api_key.create",
        "api_key",
        key.id,
        user_id=user.id,
        permissions=key.permissions,
    )
    return ApiKeyCreated(**ApiKeyOut.model_validate(key).model_dump(), key=secret)


@router.delete("/api-keys/{key_id}", status_code=204)
async def revoke_api_key(
    request: Request, session: SessionDep, actor: AdminUsers, key_id: str
) -> Response:
    key, revoked = await apikeys.revoke_api_key(session, key_id)
    if revoked:
        await audit_admin(
            session, request, actor, "api_key.revoke", "api_key", key.id, user_id=key.user_id
        )
    return Response(status_code=204)

"""`/api/admin/users...`: list, create, update, deactivate, roles, department, password reset.

Every change is audited in the request's transaction. An administrator can only grant
permissions they hold themselves, so `admin:users` alone cannot escalate to `*`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from dari.api.deps import RuntimeDep, SessionDep
from dari.auth import admin, service
from dari.auth import repository as repo
from dari.auth.deps import AdminUsers, audit_admin
from dari.auth.models import User
from dari.auth.schemas import (
    DepartmentUpdate,
    PasswordReset,
    RolesUpdate,
    UserCreate,
    UserOut,
    UserPage,
    UserUpdate,
)
from dari.core.principal import Principal

router = APIRouter(prefix="/api/admin", tags=["admin"])


async def _out(session: AsyncSession, user: User) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        email=user.email,
        department_id=user.department_id,
        is_active=user.is_active,
        roles=await repo.role_names(session, user.id),
        attributes={str(k): str(v) for k, v in (user.attributes or {}).items()},
        created_at=user.created_at,
        password_changed_at=user.password_changed_at,
    )


async def _audit(
    session: AsyncSession,
    request: Request,
    actor: Principal,
    action: str,
    user_id: str,
    **d: object,
) -> None:
    await audit_admin(session, request, actor, action, "user", user_id, **d)


# --- users ------------------------------------------------------------------------------------


@router.get("/users", response_model=UserPage)
async def list_users(
    session: SessionDep,
    _actor: AdminUsers,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    q: Annotated[str | None, Query(max_length=100)] = None,
    active: bool | None = None,
) -> UserPage:
    """Users by login id; `q` matches login id or display name."""
    users, total = await repo.list_users(
        session, offset=offset, limit=limit, query=q, active=active
    )
    return UserPage(
        items=[await _out(session, u) for u in users], total=total, offset=offset, limit=limit
    )


@router.post("/users", response_model=UserOut, status_code=201)
async def create_user(
    request: Request, runtime: RuntimeDep, session: SessionDep, actor: AdminUsers, body: UserCreate
) -> UserOut:
    await admin.check_roles_grantable(session, actor, body.roles)
    user = await admin.create_user(
        service.get_auth(runtime),
        session,
        username=body.username,
        password=body.password,
        display_name=body.display_name,
        email=body.email,
        department=body.department,
        roles=body.roles,
        attributes=body.attributes,
    )
    await _audit(session, request, actor, "user.create", user.id, roles=sorted(body.roles))
    return await _out(session, user)


@router.get("/users/{user_id}", response_model=UserOut)
async def get_user(session: SessionDep, _actor: AdminUsers, user_id: str) -> UserOut:
    return await _out(session, await admin.get_user_or_404(session, user_id))


@router.patch("/users/{user_id}", response_model=UserOut)
async def update_user(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    actor: AdminUsers,
    user_id: str,
    body: UserUpdate,
) -> UserOut:
    """Change display name, email, ERP attributes or the active flag (false = deactivate)."""
    user = await admin.get_user_or_404(session, user_id)
    action = await admin.update_user(
        service.get_auth(runtime),
        session,
        actor,
        user,
        display_name=body.display_name,
        email=body.email,
        attributes=body.attributes,
        is_active=body.is_active,
    )
    if action is not None:
        await _audit(session, request, actor, action, user.id)
    await _audit(
        session,
        request,
        actor,
        "user.update",
        user.id,
        fields=sorted(body.model_dump(exclude_none=True)),
    )
    return await _out(session, user)


@router.put("/users/{user_id}/roles", response_model=UserOut)
async def set_roles(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    actor: AdminUsers,
    user_id: str,
    body: RolesUpdate,
) -> UserOut:
    user = await admin.get_user_or_404(session, user_id)
    before = await repo.role_names(session, user.id)
    await admin.check_roles_grantable(session, actor, body.roles)
    names = await admin.set_user_roles(service.get_auth(runtime), session, user, body.roles)
    await _audit(session, request, actor, "user.roles", user.id, before=before, after=names)
    return await _out(session, user)


@router.put("/users/{user_id}/department", response_model=UserOut)
async def set_department(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    actor: AdminUsers,
    user_id: str,
    body: DepartmentUpdate,
) -> UserOut:
    user = await admin.get_user_or_404(session, user_id)
    before = user.department_id
    await admin.set_department(service.get_auth(runtime), session, user, body.department)
    await _audit(
        session, request, actor, "user.department", user.id, before=before, after=user.department_id
    )
    return await _out(session, user)


@router.post("/users/{user_id}/password", status_code=204)
async def reset_password(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    actor: AdminUsers,
    user_id: str,
    body: PasswordReset,
) -> Response:
    """Set a user's password (admin reset); signs them out everywhere."""
    user = await admin.get_user_or_404(session, user_id)
    await admin.set_password(service.get_auth(runtime), session, user, body.password)
    await _audit(session, request, actor, "user.password_reset", user.id)
    return Response(status_code=204)

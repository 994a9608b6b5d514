"""Sign-in, token refresh, sign-out, the current user and the public keys (HTTP only)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from dari.api.deps import RuntimeDep, SessionDep
from dari.api.headers import NO_STORE
from dari.api.problems import Problem
from dari.audit.service import record, record_now
from dari.auth import admin, service
from dari.auth import repository as repo
from dari.auth.admin_access_endpoints import router as admin_access_router
from dari.auth.admin_endpoints import router as admin_router
from dari.auth.deps import CurrentUser, client_ip
from dari.auth.forms import FORM_SCHEMA, read_form
from dari.auth.passwords import MAX_PASSWORD_CHARS
from dari.auth.ratelimit import LoginLimiter
from dari.auth.schemas import (
    ChangePasswordRequest,
    DepartmentOut,
    MeResponse,
    RefreshRequest,
    TokenResponse,
)
from dari.auth.tokens import InvalidToken

router = APIRouter(tags=["auth"])
router.include_router(admin_router)
router.include_router(admin_access_router)

BAD_LOGIN = "아이디 또는 비밀번호가 올바르지 않습니다. (Invalid login id or password.)"


def _tokens(pair: service.TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


@router.post(
    "/api/auth/token",
    response_model=TokenResponse,
    openapi_extra=FORM_SCHEMA,
    dependencies=[NO_STORE],
)
async def login(request: Request, runtime: RuntimeDep, session: SessionDep) -> TokenResponse:
    """OAuth2 password grant: `username`, `password` (form) → access and refresh tokens."""
    form = await read_form(
        request, {"username": 150, "password": MAX_PASSWORD_CHARS, "grant_type": 20}
    )
    username, password = form["username"], form["password"]
    auth = service.get_auth(runtime)
    ip = client_ip(request)
    limiter = LoginLimiter(runtime.cache, runtime.settings.auth)
    retry = await limiter.retry_after(username, ip)
    if retry is not None:
        await record_now(
            runtime.sessionmaker, "auth.login", actor_name=username, outcome="locked", ip=ip
        )
        raise Problem(
            429,
            "too_many_attempts",
            "로그인 시도가 너무 많습니다. 잠시 후 다시 시도하세요. (Too many attempts.)",
            headers={"Retry-After": str(retry)},
        )
    user = await service.authenticate(auth, session, username, password)
    if user is None:
        locked = await limiter.failed(username, ip)
        await record_now(
            runtime.sessionmaker,
            "auth.login",
            actor_name=username,
            outcome="failed",
            ip=ip,
            details={"locked": True} if locked else None,
        )
        raise Problem(401, "invalid_credentials", BAD_LOGIN)
    await limiter.succeeded(username, ip)
    pair = await service.issue_tokens(
        auth, session, user, ip=ip, user_agent=request.headers.get("user-agent")
    )
    await record(session, "auth.login", actor=pair.principal, ip=ip)
    return _tokens(pair)


@router.post("/api/auth/refresh", response_model=TokenResponse, dependencies=[NO_STORE])
async def refresh(
    request: Request, runtime: RuntimeDep, session: SessionDep, body: RefreshRequest
) -> TokenResponse:
    """Exchange a refresh token for new tokens; the old refresh token stops working.

    Presenting a refresh token that was already used revokes its whole family (the thief's
    and the owner's copies alike) and is audited as `auth.refresh_reuse`.
    """
    auth = service.get_auth(runtime)
    ip = client_ip(request)
    try:
        pair = await service.refresh(
            auth, session, body.refresh_token, ip=ip, user_agent=request.headers.get("user-agent")
        )
    except service.RefreshReuse as reuse:
        await session.rollback()  # release any lock before the revocation's own transaction
        async with runtime.sessionmaker() as own, own.begin():
            await service.revoke_family(own, reuse.family_id)
        await record_now(
            runtime.sessionmaker,
            "auth.refresh_reuse",
            outcome="denied",
            subject_type="user",
            subject_id=reuse.user_id,
            ip=ip,
            details={"family_id": reuse.family_id},
        )
        raise service.unauthorized() from None
    except InvalidToken:
        raise service.unauthorized() from None
    return _tokens(pair)


@router.post("/api/auth/logout", status_code=204)
async def logout(
    request: Request, runtime: RuntimeDep, session: SessionDep, body: RefreshRequest
) -> Response:
    """End this device's session (revoke its refresh-token family). Always 204."""
    stored = await service.logout(service.get_auth(runtime), session, body.refresh_token)
    if stored is not None:
        await record(
            session,
            "auth.logout",
            actor_name=None,
            subject_type="user",
            subject_id=stored.user_id,
            ip=client_ip(request),
        )
    return Response(status_code=204)


@router.get("/api/me", response_model=MeResponse)
async def me(user: CurrentUser, session: SessionDep) -> MeResponse:
    """The signed-in user with department, roles and effective permissions."""
    department = await repo.get_department(session, user.department_id or "")
    return MeResponse(
        id=user.user_id,
        username=user.username,
        display_name=user.display_name,
        department=DepartmentOut.model_validate(department) if department else None,
        department_path=list(user.department_path),
        roles=sorted(user.roles),
        permissions=sorted(user.permissions),
        attributes={k: v for k, v in user.attributes.items() if k != "api_key_id"},
        api_key_id=user.api_key_id,
    )


@router.post("/api/me/password", response_model=TokenResponse, dependencies=[NO_STORE])
async def change_password(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: CurrentUser,
    body: ChangePasswordRequest,
) -> TokenResponse:
    """Change one's own password. Signs out every other session; returns fresh tokens."""
    if user.api_key_id is not None:
        raise Problem(403, "forbidden", "API 키로는 비밀번호를 바꿀 수 없습니다.")
    auth = service.get_auth(runtime)
    ip = client_ip(request)
    limiter = LoginLimiter(runtime.cache, runtime.settings.auth)
    retry = await limiter.retry_after(user.username, ip)
    if retry is not None:
        raise Problem(
            429,
            "too_many_attempts",
            "잠시 후 다시 시도하세요.",
            headers={"Retry-After": str(retry)},
        )
    account = await repo.get_user(session, user.user_id)
    if account is None or not account.is_active:
        raise service.unauthorized()
    if not await auth.passwords.verify(body.current_password, account.password_hash):
        await limiter.failed(user.username, ip)
        await record_now(
            runtime.sessionmaker, "auth.password_change", actor=user, outcome="failed", ip=ip
        )
        raise Problem(403, "invalid_credentials", "현재 비밀번호가 올바르지 않습니다.")
    await admin.set_password(auth, session, account, body.new_password)
    await record(session, "auth.password_change", actor=user, ip=ip)
    pair = await service.issue_tokens(
        auth, session, account, ip=ip, user_agent=request.headers.get("user-agent")
    )
    return _tokens(pair)


@router.get("/.well-known/jwks.json", include_in_schema=True)
async def jwks(runtime: RuntimeDep) -> JSONResponse:
    """Public keys that verify access tokens (current and recently retired)."""
    return JSONResponse(
        service.get_auth(runtime).keys.jwks(), headers={"Cache-Control": "max-age=300"}
    )

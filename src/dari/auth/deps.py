"""Who is asking, as FastAPI dependencies: `CurrentUser`, `require(...)`, `principal_from_token`.

    @router.get("/x")
    async def x(user: CurrentUser) -> ...                       # any signed-in user
    async def y(user: Annotated[Principal, Depends(require("docs:manage"))]) -> ...
    DocsManager = Annotated[Principal, Depends(require("docs:manage"))]   # as an alias

Failures answer problem+json: 401 (no/invalid token, never saying why), 403 (permission).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from dari.api.deps import RuntimeDep
from dari.api.problems import Problem
from dari.audit.service import record, record_now
from dari.auth.apikeys import principal_from_api_key
from dari.auth.service import get_auth, unauthorized
from dari.auth.tokens import API_KEY_PREFIX, InvalidToken
from dari.core.principal import Principal
from dari.core.runtime import Runtime

log = logging.getLogger(__name__)

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


async def principal_from_token(runtime: Runtime, token: str) -> Principal:
    """Verify a bearer token (a JWT access token or a `dari_…` API key).

    Raises `Problem(401)` for any invalid token; the reason is only logged. Used by HTTP
    dependencies and the chat WebSocket handshake alike.
    """
    auth = get_auth(runtime)
    token = (token or "").strip()
    try:
        if not token:
            raise InvalidToken("empty")
        if token.startswith(API_KEY_PREFIX):
            # A unit of work of its own (not the request's): the key's use is noted even
            # when the request later fails.
            async with runtime.sessionmaker() as session:
                principal = await principal_from_api_key(auth, session, token)
                await session.commit()
            return principal
        return await auth.verify_access(token)
    except InvalidToken as exc:
        log.info("token rejected: %s", exc)
        raise unauthorized() from None


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def audit_admin(
    session: AsyncSession,
    request: Request,
    actor: Principal,
    action: str,
    subject_type: str,
    subject_id: str,
    **details: object,
) -> None:
    """Record an administrator's change in the request's transaction, with their address."""
    await record(
        session,
        action,
        actor=actor,
        subject_type=subject_type,
        subject_id=subject_id,
        ip=client_ip(request),
        details=dict(details) or None,
    )


async def get_current_user(
    request: Request, runtime: RuntimeDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    if not token:
        raise unauthorized()
    principal = await principal_from_token(runtime, token)
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(get_current_user)]


def _checker(permissions: tuple[str, ...], *, any_of: bool) -> Callable[..., Awaitable[Principal]]:
    async def dependency(request: Request, runtime: RuntimeDep, user: CurrentUser) -> Principal:
        held = [user.has(p) for p in permissions]
        if any(held) if any_of else all(held):
            return user
        await record_now(
            runtime.sessionmaker,
            "auth.denied",
            actor=user,
            outcome="denied",
            subject_type="endpoint",
            subject_id=f"{request.method} {request.url.path}"[:255],
            ip=client_ip(request),
            details={"required": list(permissions), "any_of": any_of},
        )
        raise Problem(403, "forbidden", "이 작업을 할 권한이 없습니다. (Permission denied.)")

    dependency.__name__ = f"require_{'_or_'.join(permissions) or 'user'}".replace(":", "_")
    return dependency


def require(*permissions: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency returning the Principal if it holds every one of `permissions` (else 403)."""
    return _checker(permissions, any_of=False)


def require_any(*permissions: str) -> Callable[..., Awaitable[Principal]]:
    """Like `require`, but one of `permissions` suffices."""
    return _checker(permissions, any_of=True)


AdminUsers = Annotated[Principal, Depends(require("admin:users"))]

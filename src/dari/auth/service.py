"""Sign-in, token issue/verify/refresh and Principal building. Never commits.

The process-wide parts (signing keys, settings, cache) live in `Auth`, one per runtime
(`get_auth(runtime)`); functions that touch the database take the caller's session.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from dari.api.problems import Problem
from dari.auth import repository as repo
from dari.auth.keys import KeyStore
from dari.auth.models import RefreshToken, Role, User
from dari.auth.passwords import Passwords
from dari.auth.tokens import InvalidToken, decode_access, encode_access, new_refresh_token
from dari.auth.tokens import secret_hash as _secret_hash
from dari.cache import Cache
from dari.config import Settings
from dari.core.principal import Principal
from dari.core.runtime import Runtime, Slot
from dari.db.base import utcnow

log = logging.getLogger(__name__)

BUILTIN_ROLES: dict[str, tuple[str, list[str]]] = {
    "admin": ("관리자 — 모든 권한", ["*"]),
    "manager": (
        "팀장 — 문서 관리, ERP 조회",
        ["docs:read", "docs:manage", "chat:use", "erp:*", "search:use"],
    ),
    "employee": (
        "직원 — 문서 열람, 대화",
        ["docs:read", "chat:use", "search:use", "erp:my_leave_balance"],
    ),
}


def builtin_role_permissions() -> dict[str, frozenset[str]]:
    """The built-in roles' permissions, as `BUILTIN_ROLES` defines them (the one list)."""
    return {name: frozenset(permissions) for name, (_, permissions) in BUILTIN_ROLES.items()}


UNAUTHORIZED_DETAIL = "인증에 실패했습니다. 다시 로그인하세요. (Authentication failed.)"


def unauthorized() -> Problem:
    """The one 401 every token failure answers with: it never says which part was wrong."""
    return Problem(401, "unauthorized", UNAUTHORIZED_DETAIL, headers={"WWW-Authenticate": "Bearer"})


@dataclass
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    principal: Principal


class RefreshReuse(Exception):
    """A rotated (or revoked) refresh token was presented again: its family must be revoked."""

    def __init__(self, family_id: str, user_id: str) -> None:
        super().__init__(family_id)
        self.family_id = family_id
        self.user_id = user_id


class Auth:
    """Per-process auth state: settings, signing keys and the cache."""

    def __init__(self, settings: Settings, cache: Cache) -> None:
        self.settings = settings
        self.cache = cache
        self.keys = KeyStore(settings)
        self.passwords = Passwords(settings.auth)

    def secret_hash(self, value: str) -> str:
        return _secret_hash(self.settings.server.secret_key, value)

    def version_key(self, user_id: str) -> str:
        return f"auth:ver:{user_id}"

    async def invalidate_access(self, user: User) -> None:
        """Make every access token issued so far for `user` fail (within the cache's reach)."""
        user.token_version = (user.token_version or 0) + 1
        ttl = self.settings.auth.access_token_ttl_s + 60
        await self.cache.set(self.version_key(user.id), str(user.token_version), ttl=ttl)

    async def verify_access(self, token: str) -> Principal:
        """A valid, unrevoked access token's Principal; `InvalidToken` otherwise. No DB call."""
        principal, version = decode_access(self.keys, self.settings, token)
        current = await self.cache.get(self.version_key(principal.user_id))
        if current is not None and version < int(current):
            raise InvalidToken("revoked")
        return principal


AUTH: Slot[Auth] = Slot("auth")


def get_auth(runtime: Runtime) -> Auth:
    return runtime.get(AUTH, lambda: Auth(runtime.settings, runtime.cache))


async def ensure_builtin_roles(session: AsyncSession) -> None:
    """Create the built-in roles if missing (idempotent; admins may edit their descriptions)."""
    for name, (description, permissions) in BUILTIN_ROLES.items():
        role = await repo.get_role(session, name)
        if role is None:
            session.add(
                Role(name=name, description=description, permissions=permissions, builtin=True)
            )
        elif not role.builtin or sorted(role.permissions) != sorted(permissions):
            role.builtin, role.permissions = True, list(permissions)
    await session.flush()


async def build_principal(session: AsyncSession, user: User) -> Principal:
    """The user's Principal: roles, union of their permissions, department path, attributes."""
    names = await repo.role_names(session, user.id)
    permissions: set[str] = set()
    for role in await repo.get_roles(session, names):
        permissions.update(role.permissions or [])
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name or user.username,
        department_id=user.department_id,
        department_path=tuple(await repo.department_path(session, user.department_id)),
        roles=frozenset(names),
        permissions=frozenset(permissions),
        attributes={str(k): str(v) for k, v in (user.attributes or {}).items()},
    )


async def role_permissions(session: AsyncSession) -> dict[str, frozenset[str]]:
    """Every role defined in Dari (built-in and custom) with its permissions."""
    return {role.name: frozenset(role.permissions or []) for role in await repo.list_roles(session)}


async def user_by_username(session: AsyncSession, username: str) -> User | None:
    """The user with this login id (active or not), or None."""
    return await repo.get_user_by_username(session, username)


async def principal_for_username(session: AsyncSession, username: str) -> Principal | None:
    """The Principal of an active user (for commands run `--as` someone), or None."""
    user = await repo.get_user_by_username(session, username)
    if user is None or not user.is_active:
        return None
    return await build_principal(session, user)


async def issue_access(auth: Auth, session: AsyncSession, user: User) -> tuple[str, int, Principal]:
    principal = await build_principal(session, user)
    token, ttl = encode_access(auth.keys, auth.settings, principal, user.token_version or 0)
    return token, ttl, principal


async def issue_tokens(
    auth: Auth,
    session: AsyncSession,
    user: User,
    *,
    family_id: str | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> TokenPair:
    """A new access token and a refresh token (in a new family unless `family_id`)."""
    access, ttl, principal = await issue_access(auth, session, user)
    refresh = new_refresh_token()
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id or str(uuid.uuid4()),
            token_hash=auth.secret_hash(refresh),
            expires_at=utcnow() + timedelta(seconds=auth.settings.auth.refresh_token_ttl_s),
            ip=ip,
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    await session.flush()
    return TokenPair(access, refresh, ttl, principal)


async def authenticate(
    auth: Auth, session: AsyncSession, username: str, password: str
) -> User | None:
    """The active user with this login id and password, else None — in the same time."""
    user = await repo.get_user_by_username(session, username)
    ok = await auth.passwords.verify(password, user.password_hash if user else None)
    if user is None or not ok or not user.is_active:
        return None
    return user


async def refresh(
    auth: Auth,
    session: AsyncSession,
    token: str,
    *,
    ip: str | None = None,
    user_agent: str | None = None,
) -> TokenPair:
    """Rotate a refresh token. Raises `RefreshReuse` on reuse, `InvalidToken` otherwise."""
    if not token or len(token) > 512:
        raise InvalidToken("malformed refresh token")
    stored = await repo.get_refresh(session, auth.secret_hash(token))
    if stored is None:
        raise InvalidToken("unknown refresh token")
    now = utcnow()
    if stored.used_at is not None or stored.revoked_at is not None:
        raise RefreshReuse(stored.family_id, stored.user_id)
    if stored.expires_at <= now:
        raise InvalidToken("expired refresh token")
    user = await repo.get_user(session, stored.user_id)
    if user is None or not user.is_active:
        raise InvalidToken("inactive user")
    if not await repo.mark_refresh_used(session, stored.id, now):
        raise RefreshReuse(stored.family_id, stored.user_id)  # lost a race with another use
    return await issue_tokens(
        auth, session, user, family_id=stored.family_id, ip=ip, user_agent=user_agent
    )


async def revoke_family(session: AsyncSession, family_id: str) -> int:
    return await repo.revoke_refresh(session, utcnow(), family_id=family_id)


async def logout(auth: Auth, session: AsyncSession, token: str) -> RefreshToken | None:
    """Revoke the refresh token's family (this device's session); None if unknown."""
    if not token or len(token) > 512:
        return None
    stored = await repo.get_refresh(session, auth.secret_hash(token))
    if stored is None:
        return None
    await revoke_family(session, stored.family_id)
    return stored


async def sign_out_everywhere(auth: Auth, session: AsyncSession, user: User) -> None:
    """Revoke every refresh token and access token of `user` (deactivation, password reset)."""
    await repo.revoke_refresh(session, utcnow(), user_id=user.id)
    await auth.invalidate_access(user)
    await session.flush()

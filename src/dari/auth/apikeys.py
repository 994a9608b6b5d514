"""API keys for integrations: shown once, stored as an HMAC, narrowed to some permissions."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from dari.auth import repository as repo
from dari.auth.errors import AuthError
from dari.auth.models import ApiKey, User
from dari.auth.service import Auth, build_principal
from dari.auth.tokens import API_KEY_PREFIX, InvalidToken, new_api_key
from dari.core.principal import Principal
from dari.db.base import utcnow


async def create_api_key(
    auth: Auth,
    session: AsyncSession,
    user: User,
    *,
    name: str,
    permissions: list[str],
    created_by: str | None,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key for `user`; returns the row and the secret (shown once, never stored)."""
    owner = await build_principal(session, user)
    not_held = sorted(p for p in permissions if not owner.has(p))
    if not_held:
        raise AuthError(
            "permission_not_held",
            "API 키 권한은 사용자 권한의 일부여야 합니다 (a key may only narrow the user's "
            "permissions).",
            permissions=not_held,
        )
    secret = new_api_key()
    key = ApiKey(
        user_id=user.id,
        name=name,
        prefix=secret[: len(API_KEY_PREFIX) + 6],
        key_hash=auth.secret_hash(secret),
        permissions=sorted(set(permissions)),
        created_by=created_by,
        expires_at=expires_at,
    )
    session.add(key)
    await session.flush()
    return key, secret


async def revoke_api_key(session: AsyncSession, key_id: str) -> tuple[ApiKey, bool]:
    """Revoke the key (404 `api_key_not_found` if none); returns it and whether it was live."""
    key = await repo.get_api_key(session, key_id)
    if key is None:
        raise AuthError("api_key_not_found", "API 키를 찾을 수 없습니다.")
    if key.revoked_at is not None:
        return key, False
    key.revoked_at = utcnow()
    await session.flush()
    return key, True


async def principal_from_api_key(auth: Auth, session: AsyncSession, secret: str) -> Principal:
    """The owner's Principal narrowed to the key's permissions; `InvalidToken` if unusable.

    Notes the key's use (`last_used_at`, at most once per DARI_AUTH_API_KEY_TOUCH_INTERVAL_S)
    in `session`; the caller commits."""
    if len(secret) > 128:
        raise InvalidToken("api key too long")
    now = utcnow()
    key = await repo.get_api_key_by_hash(session, auth.secret_hash(secret))
    if key is None or key.revoked_at is not None:
        raise InvalidToken("unknown or revoked api key")
    if key.expires_at is not None and key.expires_at <= now:
        raise InvalidToken("expired api key")
    user = await repo.get_user(session, key.user_id)
    if user is None or not user.is_active:
        raise InvalidToken("inactive owner")
    owner = await build_principal(session, user)
    interval = timedelta(seconds=auth.settings.auth.api_key_touch_interval_s)
    if key.last_used_at is None or now - key.last_used_at >= interval:
        await repo.touch_api_key(session, key.id, now)
    # The owner may have lost a permission since the key was made: keep only what both hold.
    permissions = frozenset(p for p in key.permissions if owner.has(p))
    attributes = {**owner.attributes, "api_key_id": key.id}
    return replace(owner, permissions=permissions, attributes=attributes, api_key_id=key.id)

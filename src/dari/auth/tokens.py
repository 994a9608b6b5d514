"""Access tokens (signed JWTs carrying the whole Principal) and opaque secrets.

An access token holds everything needed to build a `Principal`, so the API and chat roles
verify it with the public key alone. Refresh tokens and API keys are random strings stored
only as an HMAC of the server secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Mapping
from typing import Any

import jwt

from dari.auth.keys import KeyStore
from dari.config import Settings
from dari.core.principal import Principal

API_KEY_PREFIX = "dari_"
MAX_TOKEN_CHARS = 8192


class InvalidToken(Exception):
    """Any reason a token is not accepted. The reason is logged, never shown to the client."""


def encode_access(
    keys: KeyStore, settings: Settings, principal: Principal, version: int
) -> tuple[str, int]:
    """A signed access token for `principal`, and its lifetime in seconds."""
    key = keys.signing_key()
    now = int(time.time())
    ttl = settings.auth.access_token_ttl_s
    claims: dict[str, Any] = {
        "iss": settings.auth.issuer,
        "aud": settings.auth.audience,
        "sub": principal.user_id,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "usr": principal.username,
        "name": principal.display_name,
        "dept": principal.department_id,
        "dpath": list(principal.department_path),
        "roles": sorted(principal.roles),
        "perms": sorted(principal.permissions),
        "attrs": dict(principal.attributes),
        "ver": version,
    }
    token = jwt.encode(claims, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid})
    return token, ttl


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidToken("claim is not a list of strings")
    return value


def decode_access(keys: KeyStore, settings: Settings, token: str) -> tuple[Principal, int]:
    """Verify an access token; returns its Principal and token version, or raises."""
    if len(token) > MAX_TOKEN_CHARS:
        raise InvalidToken("too long")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"malformed: {type(exc).__name__}") from None
    kid = header.get("kid")
    key = keys.verification_key(kid) if isinstance(kid, str) else None
    if key is None:
        raise InvalidToken("unknown key")
    if header.get("alg") != key.algorithm:  # never `none`, never HS256 with the public key
        raise InvalidToken("algorithm mismatch")
    try:
        claims = jwt.decode(
            token,
            key.public_key,
            algorithms=[key.algorithm],
            audience=settings.auth.audience,
            issuer=settings.auth.issuer,
            leeway=5,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"rejected: {type(exc).__name__}") from None
    return principal_from_claims(claims), _version(claims)


def _version(claims: Mapping[str, Any]) -> int:
    version = claims.get("ver")
    if not isinstance(version, int):
        raise InvalidToken("no version")
    return version


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    if claims.get("typ") != "access":
        raise InvalidToken("not an access token")
    attrs = claims.get("attrs") or {}
    dept = claims.get("dept")
    if not isinstance(attrs, dict) or not isinstance(claims.get("usr"), str):
        raise InvalidToken("bad claims")
    if dept is not None and not isinstance(dept, str):
        raise InvalidToken("bad claims")
    return Principal(
        user_id=str(claims["sub"]),
        username=claims["usr"],
        display_name=str(claims.get("name") or ""),
        department_id=dept,
        department_path=tuple(_strings(claims.get("dpath", []))),
        roles=frozenset(_strings(claims.get("roles", []))),
        permissions=frozenset(_strings(claims.get("perms", []))),
        attributes={str(k): str(v) for k, v in attrs.items()},
    )


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def secret_hash(server_secret: str, value: str) -> str:
    """HMAC-SHA256 of a token under the server secret: a stolen table is useless alone."""
    return hmac.new(server_secret.encode(), value.encode(), hashlib.sha256).hexdigest()

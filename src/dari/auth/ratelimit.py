"""Brute-force protection: fixed-window failure counters in the cache.

Three counters, so that a stranger cannot lock the rightful user out by typing wrong passwords
for their login id:

- **login id + client address** (`DARI_AUTH_MAX_FAILURES_PER_USER`, 5 per
  `DARI_AUTH_LOCKOUT_WINDOW_S`): locks that login id *from that address* only;
- **client address** (`DARI_AUTH_MAX_FAILURES_PER_IP`, 20 per window): one address guessing
  many login ids;
- **login id from any address** (`DARI_AUTH_MAX_FAILURES_PER_ACCOUNT`, 50 per
  `DARI_AUTH_ACCOUNT_LOCKOUT_WINDOW_S`, one hour): a guessing campaign spread over many
  addresses. It does not lock out an address the user signed in from successfully before
  (remembered for one refresh-token lifetime), so the rightful user keeps signing in from their
  usual places while strangers' addresses are refused.

Counters live in the cache (in-process, or Redis so every replica shares them). A locked
attempt gets 429 with `Retry-After` until the window that locked it ends.
"""

from __future__ import annotations

import hashlib
import math

from dari.cache import Cache
from dari.config.auth import AuthSettings


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def _login(username: str) -> str:
    return username.strip().casefold()


def _user_ip_key(username: str, ip: str | None) -> str:
    return f"auth:fail:user-ip:{_digest(_login(username), ip or 'unknown')}"


def _ip_key(ip: str | None) -> str:
    return f"auth:fail:ip:{ip or 'unknown'}"


def _account_key(username: str) -> str:
    return f"auth:fail:account:{_digest(_login(username))}"


def _known_key(username: str, ip: str | None) -> str:
    return f"auth:known:{_digest(_login(username), ip or 'unknown')}"


class LoginLimiter:
    """The three failure counters of one sign-in (see the module docstring)."""

    def __init__(self, cache: Cache, settings: AuthSettings, known_ttl_s: int | None = None):
        self.cache = cache
        self.settings = settings
        self.known_ttl_s = known_ttl_s or settings.refresh_token_ttl_s

    async def _retry(self, key: str, limit: int) -> int | None:
        value = await self.cache.get(key)
        if value is None or int(value) < limit:
            return None
        remaining = await self.cache.ttl(key)
        return max(1, math.ceil(remaining if remaining is not None else 1))

    async def retry_after(self, username: str, ip: str | None) -> int | None:
        """Seconds until this login id may be tried from `ip` again; None if not locked."""
        settings = self.settings
        waits = [
            await self._retry(_user_ip_key(username, ip), settings.max_failures_per_user),
            await self._retry(_ip_key(ip), settings.max_failures_per_ip),
        ]
        account = await self._retry(_account_key(username), settings.max_failures_per_account)
        if account is not None and await self.cache.get(_known_key(username, ip)) is None:
            waits.append(account)
        found = [w for w in waits if w is not None]
        return max(found) if found else None

    async def failed(self, username: str, ip: str | None) -> bool:
        """Count a failure; True if it just reached a limit (the next attempt is refused)."""
        settings = self.settings
        window = settings.lockout_window_s
        per_user = await self.cache.incr(_user_ip_key(username, ip), ttl=window)
        per_ip = await self.cache.incr(_ip_key(ip), ttl=window)
        per_account = await self.cache.incr(
            _account_key(username), ttl=settings.account_lockout_window_s
        )
        return (
            per_user == settings.max_failures_per_user
            or per_ip == settings.max_failures_per_ip
            or per_account == settings.max_failures_per_account
        )

    async def succeeded(self, username: str, ip: str | None) -> None:
        """Clear this address's counter for the login id and remember the address as the
        user's. The account-wide counter stays: a strangers' campaign goes on counting."""
        await self.cache.delete(_user_ip_key(username, ip))
        await self.cache.set(_known_key(username, ip), "1", ttl=self.known_ttl_s)

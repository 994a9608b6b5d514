"""Brute-force protection: fixed-window failure counters per login id and per IP address.

Counters live in the cache (in-process, or Redis so every replica shares them). A login id
or IP with too many failures in the window gets 429 with `Retry-After` until the window ends.
"""

from __future__ import annotations

import hashlib
import math

from dari.cache import Cache
from dari.config.auth import AuthSettings


def _user_key(username: str) -> str:
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return f"auth:fail:user:{digest}"


def _ip_key(ip: str | None) -> str:
    return f"auth:fail:ip:{ip or 'unknown'}"


class LoginLimiter:
    def __init__(self, cache: Cache, settings: AuthSettings) -> None:
        self.cache = cache
        self.settings = settings

    async def _retry(self, key: str, limit: int) -> int | None:
        value = await self.cache.get(key)
        if value is None or int(value) < limit:
            return None
        remaining = await self.cache.ttl(key)
        return max(1, math.ceil(remaining if remaining is not None else 1))

    async def retry_after(self, username: str, ip: str | None) -> int | None:
        """Seconds until this login id or IP may try again; None if not locked."""
        waits = [
            await self._retry(_user_key(username), self.settings.max_failures_per_user),
            await self._retry(_ip_key(ip), self.settings.max_failures_per_ip),
        ]
        found = [w for w in waits if w is not None]
        return max(found) if found else None

    async def failed(self, username: str, ip: str | None) -> bool:
        """Count a failure; True if it just reached a limit (the next attempt is refused)."""
        window = self.settings.lockout_window_s
        per_user = await self.cache.incr(_user_key(username), ttl=window)
        per_ip = await self.cache.incr(_ip_key(ip), ttl=window)
        return (
            per_user == self.settings.max_failures_per_user
            or per_ip == self.settings.max_failures_per_ip
        )

    async def succeeded(self, username: str) -> None:
        await self.cache.delete(_user_key(username))

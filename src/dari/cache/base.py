"""The `Cache` interface: what Dari needs from Redis, and nothing more."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol, runtime_checkable


class CacheUnavailable(Exception):
    """The cache/bus backend cannot be reached."""


@runtime_checkable
class Subscription(Protocol):
    """Messages published on the subscribed channels, as (channel, data) pairs."""

    def __aiter__(self) -> AsyncIterator[tuple[str, bytes]]: ...

    async def get(self, timeout: float) -> tuple[str, bytes] | None:
        """The next message, or None after `timeout` seconds."""
        ...

    async def close(self) -> None: ...


@runtime_checkable
class Cache(Protocol):
    """Key/value with TTL, atomic counters, capped lists and pub/sub.

    Keys and channels are plain strings; the backend adds its own prefix. Values are bytes
    (str is encoded as UTF-8). TTLs are seconds.
    """

    name: str

    async def get(self, key: str) -> bytes | None: ...

    async def set(
        self, key: str, value: bytes | str, ttl: float | None = None, *, only_new: bool = False
    ) -> bool:
        """Store a value; with `only_new`, only if the key is absent (returns whether stored)."""
        ...

    async def delete(self, *keys: str) -> int: ...

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        """Add atomically; `ttl` starts when the counter is created (fixed windows)."""
        ...

    async def ttl(self, key: str) -> float | None:
        """Seconds until the key expires; None if it is absent or never expires."""
        ...

    async def list_push(
        self, key: str, value: bytes | str, *, max_len: int | None = None, ttl: float | None = None
    ) -> int:
        """Append to a list, trimming to the newest `max_len`; returns the new length."""
        ...

    async def list_range(self, key: str, start: int = 0, end: int = -1) -> list[bytes]: ...

    async def push_publish(
        self,
        key: str,
        channel: str | None,
        values: Sequence[bytes | str],
        *,
        max_len: int | None = None,
        ttl: float | None = None,
    ) -> None:
        """Append `values` to the list `key` and publish each on `channel` (in order; none when
        `channel` is None), in one round trip.

        A subscriber that reads the list after subscribing misses nothing: the values are in
        the list before they are published. `ttl=None` keeps the list's expiry as it is."""
        ...

    async def window_add(self, key: str, now: float, window_s: float, limit: int) -> int:
        """Count one event at `now` (seconds) in a sliding window of `window_s` seconds.

        Returns how many events the window held *before* this one; when that is `limit` or
        more the event is refused and not counted (a client that keeps trying is let in as
        soon as the oldest counted event leaves the window)."""
        ...

    async def publish(self, channel: str, message: bytes | str) -> int:
        """Send to the channel's subscribers; returns 0 when nobody listens, else a positive
        count (subscriptions in-process; subscribing processes for Redis, which shares one
        connection between a process's subscriptions)."""
        ...

    async def subscribe(self, *channels: str) -> Subscription:
        """Receive the channels' messages published from now on."""
        ...

    async def ping(self) -> None:
        """Raise `CacheUnavailable` when the backend is unreachable."""
        ...

    async def close(self) -> None: ...

"""In-process cache and bus: the embedded default (one process, nothing to install)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field


def _b(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


@dataclass
class _Entry:
    value: bytes | list[bytes]
    expires: float | None = None


@dataclass(eq=False)
class MemorySubscription:
    cache: MemoryCache
    channels: tuple[str, ...]
    queue: asyncio.Queue[tuple[str, bytes]] = field(default_factory=asyncio.Queue)

    def __aiter__(self) -> AsyncIterator[tuple[str, bytes]]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[tuple[str, bytes]]:
        while True:
            yield await self.queue.get()

    async def get(self, timeout: float) -> tuple[str, bytes] | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    async def close(self) -> None:
        for channel in self.channels:
            self.cache._subscribers.get(channel, set()).discard(self)


class MemoryCache:
    """A dict with expiry and asyncio queues for pub/sub. Not shared between processes."""

    name = "memory"

    def __init__(self) -> None:
        self._data: dict[str, _Entry] = {}
        self._subscribers: dict[str, set[MemorySubscription]] = {}

    def _live(self, key: str) -> _Entry | None:
        entry = self._data.get(key)
        if entry is not None and entry.expires is not None and entry.expires <= time.monotonic():
            del self._data[key]
            return None
        return entry

    @staticmethod
    def _expiry(ttl: float | None) -> float | None:
        return time.monotonic() + ttl if ttl is not None else None

    async def get(self, key: str) -> bytes | None:
        entry = self._live(key)
        if entry is None or isinstance(entry.value, list):
            return None
        return entry.value

    async def set(
        self, key: str, value: bytes | str, ttl: float | None = None, *, only_new: bool = False
    ) -> bool:
        if only_new and self._live(key) is not None:
            return False
        self._data[key] = _Entry(_b(value), self._expiry(ttl))
        return True

    async def delete(self, *keys: str) -> int:
        return sum(1 for key in keys if self._live(key) and self._data.pop(key, None))

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        entry = self._live(key)
        if entry is None:
            entry = self._data[key] = _Entry(b"0", self._expiry(ttl))
        assert isinstance(entry.value, bytes)
        number = int(entry.value) + amount
        entry.value = str(number).encode()
        return number

    async def ttl(self, key: str) -> float | None:
        entry = self._live(key)
        if entry is None or entry.expires is None:
            return None
        return max(0.0, entry.expires - time.monotonic())

    async def list_push(
        self, key: str, value: bytes | str, *, max_len: int | None = None, ttl: float | None = None
    ) -> int:
        entry = self._live(key)
        if entry is None or not isinstance(entry.value, list):
            entry = self._data[key] = _Entry([], None)
        assert isinstance(entry.value, list)
        entry.value.append(_b(value))
        if max_len is not None and len(entry.value) > max_len:
            del entry.value[: len(entry.value) - max_len]
        if ttl is not None:
            entry.expires = self._expiry(ttl)
        return len(entry.value)

    async def list_range(self, key: str, start: int = 0, end: int = -1) -> list[bytes]:
        entry = self._live(key)
        if entry is None or not isinstance(entry.value, list):
            return []
        stop = None if end == -1 else end + 1
        return list(entry.value[start:stop])

    async def publish(self, channel: str, message: bytes | str) -> int:
        subscribers = list(self._subscribers.get(channel, ()))
        for subscription in subscribers:
            subscription.queue.put_nowait((channel, _b(message)))
        return len(subscribers)

    async def subscribe(self, *channels: str) -> MemorySubscription:
        subscription = MemorySubscription(self, channels)
        for channel in channels:
            self._subscribers.setdefault(channel, set()).add(subscription)
        return subscription

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._subscribers.clear()

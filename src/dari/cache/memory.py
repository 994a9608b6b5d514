"""In-process cache and bus: the embedded default (one process, nothing to install).

Expired keys are removed without being read again: every key with a TTL sits in a heap of
expiry times, writes remove the keys that are due (a bounded number per write, so no write
pays for a backlog), and a background task sweeps the rest every `sweep_interval_s`. Without
that, each answer's event list and each minute's rate-limit counters stayed for ever.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import time
import weakref
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from prometheus_client import Gauge

KEYS = Gauge("dari_cache_memory_keys", "Keys held by the in-process cache (expired not yet swept).")

# Expired keys removed by one write: enough to outpace any write rate, small enough that a
# write never stalls on a backlog (the background sweep takes the rest).
SWEEP_PER_WRITE = 32


def _b(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


@dataclass(eq=False)
class _Entry:
    value: bytes | list[bytes]
    expires: float | None = None
    # The time of this key's entry in the expiry heap (at most one that matters; None: none).
    scheduled: float | None = None


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
        subscribers = self.cache._subscribers
        for channel in self.channels:
            members = subscribers.get(channel)
            if members is not None:
                members.discard(self)
                if not members:  # one channel per answer: an empty set left behind would pile up
                    del subscribers[channel]


class MemoryCache:
    """A dict with expiry and asyncio queues for pub/sub. Not shared between processes."""

    name = "memory"

    def __init__(self, sweep_interval_s: float = 1.0) -> None:
        self._data: dict[str, _Entry] = {}
        self._heap: list[tuple[float, str]] = []
        self._subscribers: dict[str, set[MemorySubscription]] = {}
        self.sweep_interval_s = sweep_interval_s
        self._sweeper: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        """Keys held, including expired ones the next sweep removes."""
        return len(self._data)

    # --- expiry ------------------------------------------------------------------------------

    def _live(self, key: str) -> _Entry | None:
        entry = self._data.get(key)
        if entry is not None and entry.expires is not None and entry.expires <= time.monotonic():
            del self._data[key]
            return None
        return entry

    @staticmethod
    def _expiry(ttl: float | None) -> float | None:
        return time.monotonic() + ttl if ttl is not None else None

    def _store(self, key: str, entry: _Entry) -> _Entry:
        self._data[key] = entry
        self._schedule(key, entry)
        return entry

    def _schedule(self, key: str, entry: _Entry) -> None:
        # A later expiry needs no new heap item: the earlier one finds the key extended and
        # re-schedules it. So a list whose TTL every push renews costs one heap item, not one
        # per push.
        if entry.expires is not None and (
            entry.scheduled is None or entry.expires < entry.scheduled
        ):
            entry.scheduled = entry.expires
            heapq.heappush(self._heap, (entry.expires, key))

    def sweep(self, limit: int | None = None) -> int:
        """Remove keys whose time has come (at most `limit` heap items); returns how many."""
        now = time.monotonic()
        heap, removed, seen = self._heap, 0, 0
        while heap and heap[0][0] <= now and (limit is None or seen < limit):
            when, key = heapq.heappop(heap)
            seen += 1
            entry = self._data.get(key)
            if entry is None or entry.scheduled != when:
                continue  # deleted or replaced since: another heap item (or none) stands for it
            entry.scheduled = None
            if entry.expires is not None and entry.expires <= now:
                del self._data[key]
                removed += 1
            else:
                self._schedule(key, entry)  # extended (or made persistent) since
        return removed

    def _wrote(self) -> None:
        self.sweep(SWEEP_PER_WRITE)
        self._ensure_sweeper()

    def _ensure_sweeper(self) -> None:
        task = self._sweeper
        loop = asyncio.get_running_loop()
        if task is None or task.done() or task.get_loop() is not loop:
            self._sweeper = loop.create_task(_sweep_forever(weakref.ref(self)))

    # --- the Cache interface -----------------------------------------------------------------

    async def get(self, key: str) -> bytes | None:
        entry = self._live(key)
        if entry is None or isinstance(entry.value, list):
            return None
        return entry.value

    async def set(
        self, key: str, value: bytes | str, ttl: float | None = None, *, only_new: bool = False
    ) -> bool:
        self._wrote()
        if only_new and self._live(key) is not None:
            return False
        self._store(key, _Entry(_b(value), self._expiry(ttl)))
        return True

    async def delete(self, *keys: str) -> int:
        return sum(1 for key in keys if self._live(key) and self._data.pop(key, None))

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        self._wrote()
        entry = self._live(key)
        if entry is None:
            entry = self._store(key, _Entry(b"0", self._expiry(ttl)))
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
        self._wrote()
        entry = self._live(key)
        if entry is None or not isinstance(entry.value, list):
            entry = self._store(key, _Entry([], None))
        assert isinstance(entry.value, list)
        entry.value.append(_b(value))
        if max_len is not None and len(entry.value) > max_len:
            del entry.value[: len(entry.value) - max_len]
        if ttl is not None:
            entry.expires = self._expiry(ttl)
            self._schedule(key, entry)
        return len(entry.value)

    async def list_range(self, key: str, start: int = 0, end: int = -1) -> list[bytes]:
        entry = self._live(key)
        if entry is None or not isinstance(entry.value, list):
            return []
        stop = None if end == -1 else end + 1
        return list(entry.value[start:stop])

    async def push_publish(
        self,
        key: str,
        channel: str | None,
        values: Sequence[bytes | str],
        *,
        max_len: int | None = None,
        ttl: float | None = None,
    ) -> None:
        for value in values:
            await self.list_push(key, value, max_len=max_len, ttl=ttl)
        if channel is not None:
            for value in values:
                await self.publish(channel, value)

    async def window_add(self, key: str, now: float, window_s: float, limit: int) -> int:
        self._wrote()
        entry = self._live(key)
        if entry is None or not isinstance(entry.value, list):
            entry = self._store(key, _Entry([], None))
        assert isinstance(entry.value, list)
        times = entry.value  # event times, oldest first (as text)
        start = now - window_s
        while times and float(times[0]) <= start:
            del times[0]
        count = len(times)
        if count < limit:
            times.append(repr(now).encode())
        # The key lives as long as its newest event counts.
        entry.expires = self._expiry(window_s)
        self._schedule(key, entry)
        return count

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
        task, self._sweeper = self._sweeper, None
        if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _sweep_forever(ref: weakref.ref[MemoryCache]) -> None:
    """Sweep every `sweep_interval_s`, so keys nobody reads or writes again still go.

    Holds the cache only weakly between sweeps: a cache dropped without `close()` is collected
    and its task ends instead of keeping it alive.
    """
    while True:
        cache = ref()
        if cache is None:
            return
        interval = cache.sweep_interval_s
        cache.sweep()
        KEYS.set(len(cache))
        del cache
        await asyncio.sleep(interval)

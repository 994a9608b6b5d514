"""The in-process cache lets go of expired keys nobody reads again (issue 19, item 4)."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
import weakref
from collections.abc import AsyncIterator

import pytest

from dari.cache.memory import MemoryCache

EVENT = "x" * 12_000  # about one answer's event list


@pytest.fixture
async def cache() -> AsyncIterator[MemoryCache]:
    backend = MemoryCache(sweep_interval_s=0.1)
    yield backend
    await backend.close()


async def _answers_and_rate_limits(cache: MemoryCache, count: int, ttl: float) -> None:
    """What chat leaves per answer (event list, owner key) and per user (a minute counter)."""
    for index in range(count):
        await cache.list_push(f"chat:events:{index}", EVENT, max_len=20000, ttl=ttl)
        await cache.set(f"chat:owner:{index}", f"user-{index}", ttl=ttl)
        await cache.incr(f"chat:rate:user-{index}:29000000", ttl=ttl)


async def test_expired_keys_go_without_being_read(cache: MemoryCache):
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        # A TTL far longer than the writes take even on a loaded machine under tracemalloc
        # (with 0.2 s, the first keys expired while the last were still being written).
        await _answers_and_rate_limits(cache, 1000, ttl=3.0)
        assert len(cache) == 3000
        held = tracemalloc.get_traced_memory()[0] - baseline
        await asyncio.sleep(3.5)  # nothing reads or writes: only the background sweep runs
        assert len(cache) == 0
        left = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    assert held > 12_000_000 and left < 1_000_000, (held, left)


async def test_writes_sweep_expired_keys():
    # A sweep interval longer than the test: only the writes remove the expired keys.
    cache = MemoryCache(sweep_interval_s=3600)
    try:
        await _answers_and_rate_limits(cache, 300, ttl=0.1)
        await asyncio.sleep(0.15)
        for index in range(30):  # each write removes up to 32 due keys
            await cache.set(f"fresh:{index}", "1", ttl=60)
        assert len(cache) == 30
    finally:
        await cache.close()


async def test_renewed_ttl_keeps_the_key(cache: MemoryCache):
    # Wide margins: a loaded CI machine oversleeps by tenths of a second.
    await cache.list_push("events", "a", ttl=1.5)
    await asyncio.sleep(1.0)
    await cache.list_push("events", "b", ttl=1.5)  # expires 1.5 s from now, not from the start
    await asyncio.sleep(1.0)  # past the first expiry; the sweep must not take it
    assert len(cache) == 1 and await cache.list_range("events") == [b"a", b"b"]
    await asyncio.sleep(1.5)
    assert len(cache) == 0


async def test_replaced_values_keep_their_own_expiry(cache: MemoryCache):
    await cache.set("shorter", "old", ttl=60)
    await cache.set("shorter", "new", ttl=0.1)  # a shorter TTL than the value it replaces
    await cache.set("forever", "old", ttl=0.1)
    await cache.set("forever", "new")  # no TTL: the earlier expiry no longer applies
    await cache.incr("window", ttl=0.1)
    await cache.delete("window")
    await cache.incr("window")  # recreated without a TTL after the delete
    await asyncio.sleep(0.35)
    assert len(cache) == 2
    assert await cache.get("forever") == b"new" and await cache.get("window") == b"1"


async def test_closed_subscriptions_leave_no_channels(cache: MemoryCache):
    for index in range(100):
        subscription = await cache.subscribe(f"chat:live:{index}", "chat:cancel:user")
        await subscription.close()
    assert cache._subscribers == {}


async def test_sweeper_stops_with_the_cache():
    cache = MemoryCache(sweep_interval_s=0.05)
    await cache.set("k", "v", ttl=1)
    task = cache._sweeper
    assert task is not None and not task.done()
    await cache.close()
    assert task.done()
    # A cache dropped without close() is not kept alive by its sweeper.
    dropped = MemoryCache(sweep_interval_s=0.05)
    await dropped.set("k", "v", ttl=1)
    task, ref = dropped._sweeper, weakref.ref(dropped)
    del dropped
    await asyncio.sleep(0.1)
    gc.collect()
    await asyncio.sleep(0.1)
    assert ref() is None and task is not None and task.done()

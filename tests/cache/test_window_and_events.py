"""Sliding-window counting and the one-round-trip event write, on both cache backends; and
the chat's per-user message limit built on the window (issue 19: a limit per clock minute let
twice the limit through at the turn of a minute)."""

from __future__ import annotations

import asyncio
import types
import uuid
from collections.abc import AsyncIterator

import pytest

from dari.cache import Cache
from dari.cache.memory import MemoryCache
from dari.chat import limits
from dari.chat.errors import ChatError
from dari.config.chat import ChatSettings


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    if request.param == "memory":
        backend: Cache = MemoryCache()
    else:
        from dari.cache.redis import RedisCache

        url = request.getfixturevalue("redis_url")
        backend = RedisCache(url, prefix=f"dari-test:{uuid.uuid4().hex[:12]}:")
    yield backend
    await backend.close()


async def test_window_counts_the_last_seconds_only(cache: Cache) -> None:
    assert [await cache.window_add("w", 100.0 + i, 10, 3) for i in range(3)] == [0, 1, 2]
    assert await cache.window_add("w", 105.0, 10, 3) == 3  # refused, not counted
    assert await cache.window_add("w", 109.9, 10, 3) == 3
    assert await cache.window_add("w", 110.5, 10, 3) == 2  # the event at 100 left the window
    assert await cache.window_add("w", 110.6, 10, 3) == 3


async def test_window_is_atomic(cache: Cache) -> None:
    counts = await asyncio.gather(*(cache.window_add("burst", 50.0, 60, 5) for _ in range(20)))
    assert sorted(counts) == [0, 1, 2, 3, 4] + [5] * 15


async def test_window_key_expires(cache: Cache) -> None:
    await cache.window_add("gone", 1.0, 0.3, 5)
    remaining = await cache.ttl("gone")
    assert remaining is not None and remaining <= 0.3


async def test_push_publish_lists_then_broadcasts(cache: Cache) -> None:
    subscription = await cache.subscribe("live")
    try:
        await cache.push_publish("events", "live", ["e1"], max_len=3, ttl=30)
        await cache.push_publish("events", "live", ["e2", "e3"], max_len=3)
        await cache.push_publish("events", "live", ["e4"], max_len=3)
        await cache.push_publish("events", None, ["e5"])  # kept, not broadcast
        assert await cache.list_range("events") == [b"e2", b"e3", b"e4", b"e5"]
        ttl = await cache.ttl("events")  # set by the first push, kept by the others
        assert ttl is not None and 25 < ttl <= 30
        received = [await subscription.get(timeout=2) for _ in range(4)]
        assert received == [("live", f"e{i}".encode()) for i in range(1, 5)]
        assert await subscription.get(timeout=0.2) is None
    finally:
        await subscription.close()


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


async def test_message_limit_is_a_sliding_minute(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five messages at 0:59.5 and one at 1:00.5: within one minute, so refused. A limit per
    clock minute (the old one) let the sixth through, and five more after it."""
    clock = Clock(60 * 28_000_000 + 59.5)
    monkeypatch.setattr(limits, "time", types.SimpleNamespace(time=clock.time))
    settings = ChatSettings(messages_per_minute=5)
    for _ in range(5):
        await limits.count_message(cache, settings, "u1")
    clock.now += 1.0  # 1:00.5, a new clock minute
    with pytest.raises(ChatError) as refused:
        await limits.count_message(cache, settings, "u1")
    assert refused.value.code == "rate_limited"
    await limits.count_message(cache, settings, "u2")  # per user
    clock.now += 59.1  # 60.1 s after the five: they left the window
    for _ in range(5):
        await limits.count_message(cache, settings, "u1")
    with pytest.raises(ChatError):
        await limits.count_message(cache, settings, "u1")

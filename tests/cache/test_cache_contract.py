"""One contract every cache/bus backend passes: in-process and Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from dari.cache import Cache
from dari.cache.memory import MemoryCache


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


async def test_get_set_delete_korean(cache: Cache) -> None:
    assert await cache.get("k") is None
    assert await cache.set("k", "한빛정밀 미수금")
    assert (await cache.get("k")) == "한빛정밀 미수금".encode()
    assert await cache.delete("k", "missing") == 1
    assert await cache.get("k") is None


async def test_ttl_expires(cache: Cache) -> None:
    await cache.set("short", b"x", ttl=0.2)
    remaining = await cache.ttl("short")
    assert remaining is not None and 0 < remaining <= 0.2
    await asyncio.sleep(0.35)
    assert await cache.get("short") is None
    assert await cache.ttl("short") is None


async def test_only_new(cache: Cache) -> None:
    assert await cache.set("lock", "a", only_new=True)
    assert not await cache.set("lock", "b", only_new=True)
    assert await cache.get("lock") == b"a"


async def test_counter_is_atomic(cache: Cache) -> None:
    results = await asyncio.gather(*(cache.incr("hits", ttl=30) for _ in range(50)))
    assert sorted(results) == list(range(1, 51))


async def test_counter_window_is_fixed(cache: Cache) -> None:
    assert await cache.incr("window", ttl=0.6) == 1
    first_ttl = await cache.ttl("window")
    await asyncio.sleep(0.1)
    assert await cache.incr("window", ttl=0.6) == 2
    # The window does not slide: a later increment keeps the original expiry.
    later_ttl = await cache.ttl("window")
    assert first_ttl is not None and later_ttl is not None and later_ttl < first_ttl
    await asyncio.sleep(0.7)
    assert await cache.incr("window", ttl=0.6) == 1


async def test_capped_list(cache: Cache) -> None:
    for index in range(7):
        await cache.list_push("events", f"e{index}", max_len=5, ttl=10)
    assert await cache.list_range("events") == [b"e2", b"e3", b"e4", b"e5", b"e6"]
    assert await cache.list_range("events", 3) == [b"e5", b"e6"]


async def test_pubsub_fan_out(cache: Cache) -> None:
    first = await cache.subscribe("chat:1")
    second = await cache.subscribe("chat:1", "chat:2")
    await asyncio.sleep(0.05)
    # A count of receivers (subscriptions in-process, subscribing processes for Redis): callers
    # may only rely on 0 meaning "nobody listens".
    assert await cache.publish("chat:1", "안녕") >= 1
    assert await cache.publish("chat:nobody", "x") == 0
    await cache.publish("chat:2", b"two")
    assert await first.get(timeout=2) == ("chat:1", "안녕".encode())
    assert await second.get(timeout=2) == ("chat:1", "안녕".encode())
    assert await second.get(timeout=2) == ("chat:2", b"two")
    assert await first.get(timeout=0.1) is None
    await first.close()
    await second.close()


async def test_ping(cache: Cache) -> None:
    await cache.ping()


async def test_unreachable_redis_raises_clear_error() -> None:
    from dari.cache.base import CacheUnavailable
    from dari.cache.redis import RedisCache

    dead = RedisCache("redis://127.0.0.1:1/0")
    with pytest.raises(CacheUnavailable, match="Redis unreachable"):
        await dead.ping()
    await dead.close()

"""A process opens at most DARI_REDIS_MAX_CONNECTIONS to Redis (issue 19: 262 stayed open)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from tests.conftest import make_settings

from dari.cache import create_cache
from dari.cache.redis import RedisCache
from dari.config.redis import RedisSettings

CLIENTS = 200


@pytest.fixture
async def spy(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """A separate connection that counts the cache's connections in `CLIENT LIST`."""
    client = aioredis.Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def _connections(spy: aioredis.Redis, name: str) -> int:
    return sum(1 for c in await spy.client_list() if c.get("name") == name)


@pytest.fixture
async def small_cache(redis_url: str) -> AsyncIterator[RedisCache]:
    name = f"dari-test-{uuid.uuid4().hex[:8]}"
    cache = RedisCache(redis_url, prefix=f"{name}:", max_connections=4, client_name=name)
    yield cache
    await cache.close()


def test_the_setting_bounds_the_pool(redis_url: str, tmp_path: Path):
    settings = make_settings(tmp_path, redis=RedisSettings(url=redis_url, max_connections=7))
    cache = create_cache(settings)
    assert isinstance(cache, RedisCache)
    assert cache.pool.max_connections == 7
    assert RedisSettings().max_connections == 32  # documented default


async def test_200_answers_share_4_connections(small_cache: RedisCache, spy: aioredis.Redis):
    """200 clients at once, each like an answer: a subscription held open while it writes its
    events and counters. All get their messages; Redis never sees more than 4 connections."""
    name = small_cache.pool.connection_kwargs["client_name"]
    all_subscribed = asyncio.Barrier(CLIENTS + 1)
    counted = asyncio.Event()

    async def answer(index: int) -> tuple[str, bytes] | None:
        subscription = await small_cache.subscribe(f"live:{index}", "cancel:all")
        try:
            await all_subscribed.wait()
            await counted.wait()
            await small_cache.list_push(f"events:{index}", "x" * 1000, ttl=30)
            await small_cache.incr(f"rate:{index}", ttl=30)
            await small_cache.publish(f"live:{index}", f"done {index}")
            return await subscription.get(timeout=5)
        finally:
            await subscription.close()

    answers = [asyncio.create_task(answer(i)) for i in range(CLIENTS)]
    await all_subscribed.wait()
    during = await _connections(spy, name)
    counted.set()
    results = await asyncio.gather(*answers)
    assert results == [(f"live:{i}", f"done {i}".encode()) for i in range(CLIENTS)]
    assert 1 <= during <= 4
    assert await _connections(spy, name) <= 4


async def test_one_message_reaches_every_local_subscription(small_cache: RedisCache):
    subscriptions = [await small_cache.subscribe("cancel:user") for _ in range(50)]
    assert await small_cache.publish("cancel:user", "*") == 1  # one process listens
    for subscription in subscriptions:
        assert await subscription.get(timeout=2) == ("cancel:user", b"*")
    for subscription in subscriptions[:49]:
        await subscription.close()
    await small_cache.publish("cancel:user", "again")
    assert await subscriptions[49].get(timeout=2) == ("cancel:user", b"again")
    await subscriptions[49].close()


async def test_subscriptions_survive_a_lost_connection(
    small_cache: RedisCache, spy: aioredis.Redis
):
    name = small_cache.pool.connection_kwargs["client_name"]
    subscription = await small_cache.subscribe("live:1")
    # Only this cache's subscriber: other test workers hold pub/sub connections of their own
    # on the same Redis (CLIENT KILL has no name filter before Redis 8).
    mine = [c["id"] for c in await spy.client_list(_type="pubsub") if c.get("name") == name]
    assert len(mine) == 1
    assert await spy.client_kill_filter(_id=mine[0]) == 1
    received = None
    for _ in range(50):  # messages sent while it reconnects are lost (pub/sub); keep sending
        await small_cache.publish("live:1", "hello")
        received = await subscription.get(timeout=0.1)
        if received is not None:
            break
    assert received == ("live:1", b"hello")
    await subscription.close()


async def test_a_full_pool_makes_commands_wait_not_fail(small_cache: RedisCache):
    # 4 connections, one of them for pub/sub: 100 blocking commands at once queue for the rest.
    await small_cache.subscribe("live:1")
    results = await asyncio.gather(*(small_cache.incr("hits") for _ in range(100)))
    assert sorted(results) == list(range(1, 101))

"""The arq job queue opens at most DARI_REDIS_MAX_CONNECTIONS connections (issue 19)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import redis.asyncio as aioredis
from tests.conftest import make_settings

from dari.config.redis import RedisSettings
from dari.core.runtime import Runtime
from dari.jobs import job
from dari.jobs.arq_queue import ArqJobQueue


@job("test_pool_noop")
async def noop_job(runtime: Runtime, value: str) -> None:
    return None


async def test_the_queue_pool_is_bounded(redis_url: str, tmp_path: Path) -> None:
    prefix = f"dari-test-{uuid.uuid4().hex[:8]}:"
    redis = RedisSettings(url=redis_url, key_prefix=prefix, max_connections=3)
    queue = ArqJobQueue(make_settings(tmp_path, redis=redis))
    spy = aioredis.Redis.from_url(redis_url)
    try:
        client = await queue._redis()
        assert client.connection_pool.max_connections == 3
        # 60 enqueues at once wait for the 3 connections instead of opening 60.
        ids = await asyncio.gather(
            *(queue.enqueue("test_pool_noop", {"value": str(i)}) for i in range(60))
        )
        assert len(set(ids)) == 60
        assert await client.zcard(queue.queue_name) == 60
        names = [c.get("name") for c in await spy.client_list()]
        assert 1 <= names.count(queue.queue_name) <= 3
    finally:
        keys = [k async for k in spy.scan_iter(match=f"*{prefix}*")]
        if keys:
            await spy.delete(*keys)
        await spy.aclose()
        await queue.close()

"""Redis cache and bus, shared by every replica (`DARI_REDIS_URL`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from dari.cache.base import CacheUnavailable


def _ms(ttl: float | None) -> int | None:
    return max(1, int(ttl * 1000)) if ttl is not None else None


class RedisSubscription:
    def __init__(self, pubsub: Any, prefix: str) -> None:
        self._pubsub = pubsub
        self._prefix = prefix

    def __aiter__(self) -> AsyncIterator[tuple[str, bytes]]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[tuple[str, bytes]]:
        while True:
            message = await self.get(timeout=5.0)
            if message is not None:
                yield message

    async def get(self, timeout: float) -> tuple[str, bytes] | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            message = await self._pubsub.get_message(
                ignore_subscribe_messages=True, timeout=remaining
            )
            if message is not None and message.get("type") == "message":
                channel = message["channel"].decode().removeprefix(self._prefix)
                return channel, message["data"]

    async def close(self) -> None:
        await self._pubsub.aclose()


class RedisCache:
    """Every key and channel is prefixed (`DARI_REDIS_KEY_PREFIX`) so Dari can share a Redis."""

    name = "redis"

    def __init__(self, url: str, prefix: str = "dari:") -> None:
        self._client = aioredis.Redis.from_url(
            url, socket_connect_timeout=3, socket_timeout=10, health_check_interval=30
        )
        self.prefix = prefix

    def _k(self, key: str) -> str:
        return self.prefix + key

    async def get(self, key: str) -> bytes | None:
        return await self._client.get(self._k(key))  # type: ignore[no-any-return]

    async def set(
        self, key: str, value: bytes | str, ttl: float | None = None, *, only_new: bool = False
    ) -> bool:
        result = await self._client.set(self._k(key), value, px=_ms(ttl), nx=only_new)
        return bool(result)

    async def delete(self, *keys: str) -> int:
        if not keys:
            return 0
        return int(await self._client.delete(*(self._k(k) for k in keys)))

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.incrby(self._k(key), amount)
            if ttl is not None:
                pipe.pexpire(self._k(key), _ms(ttl), nx=True)
            result = await pipe.execute()
        return int(result[0])

    async def ttl(self, key: str) -> float | None:
        ms = await self._client.pttl(self._k(key))
        return ms / 1000 if ms and ms > 0 else None

    async def list_push(
        self, key: str, value: bytes | str, *, max_len: int | None = None, ttl: float | None = None
    ) -> int:
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.rpush(self._k(key), value)
            if max_len is not None:
                pipe.ltrim(self._k(key), -max_len, -1)
            if ttl is not None:
                pipe.pexpire(self._k(key), _ms(ttl))
            pipe.llen(self._k(key))
            result = await pipe.execute()
        return int(result[-1])

    async def list_range(self, key: str, start: int = 0, end: int = -1) -> list[bytes]:
        return list(await self._client.lrange(self._k(key), start, end))

    async def publish(self, channel: str, message: bytes | str) -> int:
        return int(await self._client.publish(self._k(channel), message))

    async def subscribe(self, *channels: str) -> RedisSubscription:
        pubsub = self._client.pubsub()
        await pubsub.subscribe(*(self._k(c) for c in channels))
        return RedisSubscription(pubsub, self.prefix)

    async def ping(self) -> None:
        try:
            await self._client.ping()
        except (RedisError, OSError) as exc:
            raise CacheUnavailable(f"Redis unreachable: {type(exc).__name__}") from exc

    async def close(self) -> None:
        await self._client.aclose()

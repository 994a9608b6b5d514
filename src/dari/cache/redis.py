"""Redis cache and bus, shared by every replica (`DARI_REDIS_URL`).

Connections are bounded: commands share a pool of at most `DARI_REDIS_MAX_CONNECTIONS` (a
command waits up to `DARI_REDIS_POOL_TIMEOUT_S` for a free one), and every pub/sub
subscription of the process shares one of them. A subscription per answer used to hold a
connection of its own, and a pool that never shrinks kept them all: 262 connections stayed
open after a run of 200 clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from dari.cache.base import CacheUnavailable

log = logging.getLogger(__name__)

# How long `subscribe` waits for Redis to confirm; afterwards a publish is sure to arrive.
CONFIRM_TIMEOUT_S = 5.0


# Sliding window (`window_add`), atomic: drop the events that left the window, count the rest,
# add this one (member: its time plus a random tail, so equal times stay distinct) if under the
# limit. The key expires when its newest event leaves the window.
WINDOW_ADD = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[1] .. ':' .. math.random(1, 1000000000))
end
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return count
"""


def _ms(ttl: float) -> int:
    return max(1, int(ttl * 1000))


class RedisSubscription:
    """The messages of some channels, handed over by the process's `PubSubHub`."""

    def __init__(self, hub: PubSubHub, channels: tuple[bytes, ...]) -> None:
        self._hub = hub
        self.channels = channels
        self.queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        self.closed = False

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
        if not self.closed:
            self.closed = True
            await self._hub.leave(self)


class PubSubHub:
    """One Redis connection carries every subscription of the process.

    Channels are subscribed in Redis while at least one local subscription wants them; a
    reader task hands each message to the local subscriptions of its channel. After a lost
    connection redis-py reconnects on the next read and subscribes to the channels again.
    """

    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self._pubsub: Any = None
        self._members: dict[bytes, set[RedisSubscription]] = {}
        self._confirmations: dict[bytes, asyncio.Future[None]] = {}
        self._lock = asyncio.Lock()  # one SUBSCRIBE/UNSUBSCRIBE change at a time
        self._reader: asyncio.Task[None] | None = None

    async def join(self, subscription: RedisSubscription) -> None:
        """Deliver the channels' messages to `subscription` from now on (confirmed by Redis)."""
        async with self._lock:
            new = [c for c in dict.fromkeys(subscription.channels) if c not in self._members]
            for channel in subscription.channels:
                self._members.setdefault(channel, set()).add(subscription)
            if not new:
                return
            loop = asyncio.get_running_loop()
            waits = [self._confirmations.setdefault(c, loop.create_future()) for c in new]
            try:
                if self._pubsub is None:
                    self._pubsub = self._client.pubsub()
                await self._pubsub.subscribe(*new)
                if self._reader is None or self._reader.done():
                    self._reader = loop.create_task(self._read())
                async with asyncio.timeout(CONFIRM_TIMEOUT_S):
                    await asyncio.gather(*waits)
            except BaseException as exc:
                for channel in new:
                    self._confirmations.pop(channel, None)
                await self._forget(subscription)
                if isinstance(exc, RedisError | OSError | TimeoutError):
                    raise CacheUnavailable(f"Redis unreachable: {type(exc).__name__}") from exc
                raise

    async def leave(self, subscription: RedisSubscription) -> None:
        async with self._lock:
            await self._forget(subscription)

    async def _forget(self, subscription: RedisSubscription) -> None:
        unused = []
        for channel in dict.fromkeys(subscription.channels):
            members = self._members.get(channel)
            if members is not None:
                members.discard(subscription)
                if not members:
                    del self._members[channel]
                    unused.append(channel)
        if unused and self._pubsub is not None:
            try:
                await self._pubsub.unsubscribe(*unused)
            except (RedisError, OSError):
                # Not re-subscribed after the reconnect either; stray messages would be dropped.
                for channel in unused:
                    self._pubsub.channels.pop(channel, None)

    async def _read(self) -> None:
        delay = 0.1
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
                delay = 0.1
            except (RedisError, OSError) as exc:
                log.warning("Redis pub/sub connection lost (%s); reconnecting", type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(5.0, delay * 2)
                continue
            if message is None:
                continue
            channel = message.get("channel")
            if message["type"] == "subscribe":
                future = self._confirmations.pop(channel, None)
                if future is not None and not future.done():
                    future.set_result(None)
            elif message["type"] == "message":
                name = channel.decode().removeprefix(self._prefix)
                for subscription in tuple(self._members.get(channel, ())):
                    subscription.queue.put_nowait((name, message["data"]))

    async def close(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()
            self._pubsub = None
        self._members.clear()


class RedisCache:
    """Every key and channel is prefixed (`DARI_REDIS_KEY_PREFIX`) so Dari can share a Redis."""

    name = "redis"

    def __init__(
        self,
        url: str,
        prefix: str = "dari:",
        *,
        max_connections: int = 32,
        pool_timeout_s: float = 5.0,
        client_name: str = "dari",
    ) -> None:
        # Blocking: at the limit a command waits for a free connection (then fails with a
        # clear error) instead of opening one more.
        self.pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=pool_timeout_s,
            socket_connect_timeout=3,
            socket_timeout=10,
            health_check_interval=30,
            client_name=client_name,  # `CLIENT LIST` shows whose connections these are
        )
        self._client = aioredis.Redis.from_pool(self.pool)
        self.prefix = prefix
        self._hub = PubSubHub(self._client, prefix)
        self._window_add = self._client.register_script(WINDOW_ADD)  # EVALSHA, loaded once

    def _k(self, key: str) -> str:
        return self.prefix + key

    async def get(self, key: str) -> bytes | None:
        return await self._client.get(self._k(key))  # type: ignore[no-any-return]

    async def set(
        self, key: str, value: bytes | str, ttl: float | None = None, *, only_new: bool = False
    ) -> bool:
        px = _ms(ttl) if ttl is not None else None
        result = await self._client.set(self._k(key), value, px=px, nx=only_new)
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
        return list(await self._client.lrange(self._k(key), start, end))  # type: ignore[misc]

    async def push_publish(
        self,
        key: str,
        channel: str | None,
        values: Sequence[bytes | str],
        *,
        max_len: int | None = None,
        ttl: float | None = None,
    ) -> None:
        if not values:
            return
        # One round trip, no MULTI: commands of one pipeline run in order on one connection,
        # so the values are in the list before any subscriber receives them.
        async with self._client.pipeline(transaction=False) as pipe:
            pipe.rpush(self._k(key), *values)
            if max_len is not None:
                pipe.ltrim(self._k(key), -max_len, -1)
            if ttl is not None:
                pipe.pexpire(self._k(key), _ms(ttl))
            if channel is not None:
                for value in values:
                    pipe.publish(self._k(channel), value)
            await pipe.execute()

    async def window_add(self, key: str, now: float, window_s: float, limit: int) -> int:
        result = await self._window_add(keys=[self._k(key)], args=[repr(now), window_s, limit])
        return int(result)

    async def publish(self, channel: str, message: bytes | str) -> int:
        return int(await self._client.publish(self._k(channel), message))

    async def subscribe(self, *channels: str) -> RedisSubscription:
        subscription = RedisSubscription(self._hub, tuple(self._k(c).encode() for c in channels))
        await self._hub.join(subscription)
        return subscription

    async def ping(self) -> None:
        try:
            await self._client.ping()
        except (RedisError, OSError) as exc:
            raise CacheUnavailable(f"Redis unreachable: {type(exc).__name__}") from exc

    async def close(self) -> None:
        await self._hub.close()
        await self._client.aclose()

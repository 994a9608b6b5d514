"""Per-user limits shared by every replica through the cache: concurrent streams, messages in
the last minute (sliding window).

Counters live in `runtime.cache` (Redis when configured), so two chat processes count the same
user together. The stream counter expires after `max_stream_s` should a process die mid-answer.
"""

from __future__ import annotations

import asyncio
import logging
import time

from dari.cache import Cache
from dari.chat.errors import ChatError
from dari.config.chat import ChatSettings

log = logging.getLogger(__name__)
WINDOW_S = 60.0


def _streams_key(user_id: str) -> str:
    return f"chat:streams:{user_id}"


async def acquire_stream(cache: Cache, settings: ChatSettings, user_id: str) -> None:
    """Count one more running answer for the user, or raise `busy`."""
    key = _streams_key(user_id)
    count = await cache.incr(key, 1, ttl=settings.max_stream_s)
    if count > settings.max_concurrent_streams:
        await release_stream(cache, user_id)
        raise ChatError(
            "busy", "다른 답변을 생성하는 중입니다. 끝나거나 중지한 뒤에 다시 보내 주세요."
        )


async def release_stream(cache: Cache, user_id: str) -> None:
    key = _streams_key(user_id)
    if await cache.incr(key, -1) <= 0:
        await cache.delete(key)


class StreamSlot:
    """One running answer counted for its user; taken and released by `chat.turns` only.

    `release` is idempotent and never raises: if the cache is gone the counter expires on its
    own (`max_stream_s`)."""

    def __init__(self, cache: Cache, user_id: str) -> None:
        self.cache = cache
        self.user_id = user_id
        self.released = False

    @classmethod
    async def acquire(
        cls, cache: Cache, settings: ChatSettings, user_id: str, *, limited: bool = True
    ) -> StreamSlot:
        """Take a slot, or raise `busy` past `max_concurrent_streams` (`limited=False`: an
        operator's command, counted but never refused)."""
        if limited:
            await acquire_stream(cache, settings, user_id)
        else:
            await cache.incr(_streams_key(user_id), 1, ttl=settings.max_stream_s)
        return cls(cache, user_id)

    async def release(self) -> None:
        if self.released:
            return
        self.released = True
        try:
            # Shielded: a cancel arriving now (shutdown) does not keep the slot taken.
            await asyncio.shield(release_stream(self.cache, self.user_id))
        except Exception:
            log.warning("could not release the stream slot of %s", self.user_id)


async def running_streams(cache: Cache, user_id: str) -> int:
    value = await cache.get(_streams_key(user_id))
    return max(0, int(value)) if value else 0


async def count_message(cache: Cache, settings: ChatSettings, user_id: str) -> None:
    """Count a message in the user's last 60 seconds (a sliding window), or raise
    `rate_limited`. A window per clock minute let twice the limit through around the turn of
    a minute (the end of one, the start of the next); a refused message is not counted."""
    limit = settings.messages_per_minute
    before = await cache.window_add(f"chat:rate:{user_id}", time.time(), WINDOW_S, limit)
    if before >= limit:
        raise ChatError(
            "rate_limited",
            f"메시지를 너무 자주 보냈습니다 (1분에 {limit}개까지). 잠시 후 다시 시도해 주세요.",
        )

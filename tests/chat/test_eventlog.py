"""An answer's events written behind it: in order, the last one after all others, a failing
cache ends the answer at its next event (`eventlog.AnswerStream`)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from dari.cache.memory import MemoryCache
from dari.chat.eventlog import AnswerStream, events_key, live_key
from dari.config.chat import ChatSettings


class SlowCache(MemoryCache):
    """Each write takes a while and is counted; `fail` makes writes raise."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[int] = []
        self.fail = False

    async def push_publish(
        self, key: str, channel: str | None, values: Sequence[bytes | str], **kwargs: Any
    ) -> None:
        await asyncio.sleep(0.01)
        if self.fail:
            raise RedisConnectionError("gone")
        self.writes.append(len(values))
        await super().push_publish(key, channel, values, **kwargs)


def stream(cache: SlowCache, sink: Any = None) -> AnswerStream:
    runtime = SimpleNamespace(cache=cache, settings=SimpleNamespace(chat=ChatSettings()))
    return AnswerStream(runtime, "m1", sink)  # type: ignore[arg-type]


async def test_events_are_kept_in_order_and_batched() -> None:
    cache, seen = SlowCache(), []

    async def sink(event: dict[str, Any]) -> None:
        seen.append(event["seq"])

    live = await cache.subscribe(live_key("m1"))
    answer = stream(cache, sink)
    for index in range(50):
        await answer.emit({"type": "token", "delta": str(index)})
    assert seen == list(range(1, 51))  # handed over at once, not after the cache
    last = await answer.record({"type": "done"})
    assert last["seq"] == 51
    kept = [json.loads(raw)["seq"] for raw in await cache.list_range(events_key("m1"))]
    assert kept == list(range(1, 52))
    assert sum(cache.writes) == 51 and len(cache.writes) < 51  # several per round trip
    published = [json.loads((await live.get(timeout=1))[1])["seq"] for _ in range(50)]
    assert published == list(range(1, 51))  # the last one is published by `deliver`
    assert await live.get(timeout=0.05) is None


async def test_a_failing_cache_ends_the_answer_at_its_next_event() -> None:
    cache = SlowCache()
    answer = stream(cache)
    await answer.emit({"type": "started"})
    await answer.written()
    cache.fail = True
    await answer.emit({"type": "token", "delta": "a"})  # queued; its write fails
    with pytest.raises(RedisConnectionError):
        await answer.written()
    with pytest.raises(RedisConnectionError):
        await answer.emit({"type": "token", "delta": "b"})
    with pytest.raises(RedisConnectionError):
        await answer.record({"type": "done"})
    assert answer.seq == 2  # the refused events were not numbered

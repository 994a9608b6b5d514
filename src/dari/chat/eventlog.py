"""One answer's event log: numbered events kept in the cache for resume and broadcast live.

Every event of an answer is appended to a cache list (`chat:ev:<message id>`) and published
on `chat:live:<message id>`; `streams.replay` serves a reconnecting client from both. The list
lives `DARI_CHAT_MAX_STREAM_S` + `DARI_CHAT_RESUME_TTL_S` from the first event and
`DARI_CHAT_RESUME_TTL_S` from the last.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from dari.core.runtime import Runtime

log = logging.getLogger(__name__)
Sink = Callable[[dict[str, Any]], Awaitable[None]]
MAX_EVENTS = 20000  # kept per answer for resume (newest)
TRIM_EVERY = 500  # events between two trims of the list to MAX_EVENTS (and at the last one)


def events_key(message_id: str) -> str:
    return f"chat:ev:{message_id}"


def live_key(message_id: str) -> str:
    return f"chat:live:{message_id}"


class AnswerStream:
    """Numbers one answer's events, keeps them for resume and hands them to the local sink.

    Events are written to the cache behind the answer: `emit` hands the event to this
    connection at once and queues it; one writer task at a time appends and publishes what
    is queued in one round trip (events emitted back to back — `started`, `intent`, `sources`,
    `status`… — travel together). Order is kept (one writer, events in seq order), and the
    last event is stored only after every earlier one (`record` waits for the writer). A
    write that fails ends the answer at its next event, with the cache's error.
    """

    def __init__(self, runtime: Runtime, message_id: str, sink: Sink | None) -> None:
        self.runtime = runtime
        self.message_id = message_id
        self.sink = sink
        self.seq = 0
        self._queued: list[str] = []
        self._writer: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None
        self._written = 0  # events in the cache list

    def _number(self, event: dict[str, Any]) -> tuple[dict[str, Any], str]:
        self.seq += 1
        event = {**event, "message_id": self.message_id, "seq": self.seq}
        return event, json.dumps(event, ensure_ascii=False, default=str)

    async def emit(self, event: dict[str, Any]) -> None:
        """Number the event, queue it for the cache (kept for resume, broadcast) and hand it
        to the local connection."""
        if self._failure is not None:
            raise self._failure
        event, data = self._number(event)
        self._queued.append(data)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await self._hand_over(event)

    async def _write(self) -> None:
        settings = self.runtime.settings.chat
        while self._queued and self._failure is None:
            batch, self._queued = self._queued, []
            # The list's expiry: set by the first write (the longest answer plus the resume
            # time) and by the last event (`record`: the resume time from the end).
            first = self._written == 0
            ttl = settings.max_stream_s + settings.resume_ttl_s if first else None
            crossed = (self._written + len(batch)) // TRIM_EVERY > self._written // TRIM_EVERY
            try:
                await self.runtime.cache.push_publish(
                    events_key(self.message_id),
                    live_key(self.message_id),
                    batch,
                    max_len=MAX_EVENTS if crossed else None,
                    ttl=ttl,
                )
            except Exception as exc:
                self._failure = exc
                self._queued.clear()
                return
            self._written += len(batch)

    async def written(self) -> None:
        """Wait until every emitted event is in the cache; raise the write's error if any."""
        writer = self._writer
        if writer is not None:
            await asyncio.shield(writer)
        if self._failure is not None:
            raise self._failure

    async def record(self, event: dict[str, Any]) -> dict[str, Any]:
        """Number the event and keep it for resume after every earlier one (not broadcast:
        see `deliver`). Raises when the cache fails (this or an earlier write)."""
        await self.written()
        event, data = self._number(event)
        cache, ttl = self.runtime.cache, self.runtime.settings.chat.resume_ttl_s
        try:
            await cache.push_publish(
                events_key(self.message_id), None, [data], max_len=MAX_EVENTS, ttl=ttl
            )
        except BaseException:
            self.seq -= 1  # not stored: the caller numbers its stand-in the same
            raise
        return event

    async def deliver(self, event: dict[str, Any], *, strict: bool = True) -> None:
        """Broadcast the event to resuming clients and hand it to the local connection.

        `strict=False` (the last event): a cache that fails does not keep the event from the
        client on this connection."""
        data = json.dumps(event, ensure_ascii=False, default=str)
        try:
            await self.runtime.cache.publish(live_key(self.message_id), data)
        except Exception:
            if strict:
                raise
            log.warning("could not broadcast the last event of %s", self.message_id)
        await self._hand_over(event)

    async def _hand_over(self, event: dict[str, Any]) -> None:
        if self.sink is not None:
            try:
                await self.sink(event)
            except Exception:  # the client went away; the answer goes on for a resume
                self.sink = None

"""Waiting in line for the model: a fair queue with places, so timeouts start at one's turn.

The embedded llama.cpp server answers one request at a time. Without a queue, five people
asking at once all start their first-token timeout together and the last ones time out
while they wait. With it, each request waits here (told its place in line as it moves up)
and calls the model only when a slot is free; the gateway's timeouts start then.
`DARI_LLM_MAX_CONCURRENT_REQUESTS` sets the slots (0: one for the embedded server,
unlimited for a remote one such as vLLM, which batches requests itself).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from prometheus_client import Gauge

from dari.core.runtime import Runtime, Slot

WAITING = Gauge("dari_llm_queue_waiting", "Requests waiting for a model slot")
OnPlace = Callable[[int], Awaitable[None]]


class LLMQueue:
    """First come, first served slots; `slots=None` never waits."""

    def __init__(self, slots: int | None) -> None:
        self.slots = slots
        self.busy = 0
        self._waiting: deque[asyncio.Future[None]] = deque()

    def place(self, waiter: asyncio.Future[None]) -> int:
        """1-based place in line of a waiting request (0 when not waiting)."""
        try:
            return self._waiting.index(waiter) + 1
        except ValueError:
            return 0

    @asynccontextmanager
    async def slot(self, on_place: OnPlace | None = None) -> AsyncIterator[None]:
        """Hold a slot for the body; `on_place(n)` is awaited whenever the place changes."""
        if self.slots is None:
            yield
            return
        if self.busy < self.slots and not self._waiting:
            self.busy += 1
        else:
            await self._wait(on_place)
        try:
            yield
        finally:
            self._release()

    async def _wait(self, on_place: OnPlace | None) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        WAITING.inc()
        told = 0
        try:
            while not waiter.done():
                place = self.place(waiter)
                if on_place is not None and place != told:
                    told = place
                    await on_place(place)
                # Wake up now and then to report a better place (others left the line).
                await asyncio.wait({waiter}, timeout=1.0)
        except BaseException:
            if waiter in self._waiting:
                self._waiting.remove(waiter)
            elif waiter.done() and not waiter.cancelled():
                self._release()  # handed a slot just as we were cancelled: give it on
            raise
        finally:
            WAITING.dec()

    def _release(self) -> None:
        while self._waiting:
            nxt = self._waiting.popleft()
            if not nxt.done():
                nxt.set_result(None)  # the slot passes on directly; `busy` stays the same
                return
        self.busy -= 1


QUEUE: Slot[LLMQueue] = Slot("llm.queue")


def get_queue(runtime: Runtime) -> LLMQueue:
    """The process's queue in front of the configured model."""

    def build() -> LLMQueue:
        settings = runtime.settings.llm
        slots: int | None = settings.max_concurrent_requests
        if slots == 0:
            slots = None if settings.base_url else 1
        return LLMQueue(slots)

    return runtime.get(QUEUE, build)

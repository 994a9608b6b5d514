"""The process's long-lived parts: settings, database, cache/bus, job queue, domain services."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from dari.cache import Cache, create_cache
from dari.config import Settings
from dari.core.slots import Slot
from dari.db.engine import create_engine, create_sessionmaker
from dari.jobs import JobQueue, create_queue

__all__ = ["ReadinessCheck", "Runtime", "Slot", "build_runtime"]
log = logging.getLogger(__name__)
T = TypeVar("T")
ReadinessCheck = Callable[[], Awaitable[None]]


@dataclass
class Runtime:
    """Built once per process (or per test) and shared by HTTP handlers, the chat server and jobs.

    Domains keep their own singletons (the LLM client, the retriever, the ERP toolset) in typed
    `Slot`s (`get`, `peek`, `put`, `take`) and add readiness checks to `readiness` at startup.
    """

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    cache: Cache
    queue: JobQueue
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    _slots: dict[str, Any] = field(default_factory=dict, repr=False)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def get(self, slot: Slot[T], factory: Callable[[], T]) -> T:
        """The singleton in `slot`, created by `factory` on first use."""
        if slot.name not in self._slots:
            self._slots[slot.name] = factory()
        return self._slots[slot.name]  # type: ignore[no-any-return]

    def peek(self, slot: Slot[T]) -> T | None:
        """The singleton in `slot` if one was made, else None (nothing is created)."""
        return self._slots.get(slot.name)

    def put(self, slot: Slot[T], value: T) -> None:
        self._slots[slot.name] = value

    def take(self, slot: Slot[T]) -> T | None:
        """Remove and return the singleton in `slot` (None if there was none)."""
        return self._slots.pop(slot.name, None)

    async def close(self) -> None:
        for closer in reversed(self.closers):
            try:
                await closer()
            except Exception:
                log.exception("error while closing")
        await self.queue.close()
        await self.cache.close()
        await self.engine.dispose()


def build_runtime(settings: Settings) -> Runtime:
    engine = create_engine(settings)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        cache=create_cache(settings),
        queue=create_queue(settings),
    )

    async def database() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    runtime.readiness["database"] = database
    runtime.readiness["cache"] = runtime.cache.ping
    return runtime

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
from dari.db.engine import create_engine, create_sessionmaker
from dari.jobs import JobQueue, create_queue

log = logging.getLogger(__name__)
T = TypeVar("T")
ReadinessCheck = Callable[[], Awaitable[None]]


@dataclass
class Runtime:
    """Built once per process (or per test) and shared by HTTP handlers, the chat server and jobs.

    Domains keep their own singletons (the LLM client, the retriever, the ERP toolset) in
    `services` via `service()`, and add readiness checks to `readiness` at startup.
    """

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    cache: Cache
    queue: JobQueue
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    services: dict[str, Any] = field(default_factory=dict)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def service(self, name: str, factory: Callable[[], T]) -> T:
        """The domain singleton `name`, created by `factory` on first use."""
        if name not in self.services:
            self.services[name] = factory()
        return self.services[name]  # type: ignore[no-any-return]

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

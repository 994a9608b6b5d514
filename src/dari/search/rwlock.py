"""A small asyncio readers-writer lock: searches share, index writes are exclusive."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class RWLock:
    """Writer-preferring: a waiting writer stops new readers, so writes are not starved."""

    def __init__(self) -> None:
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0
        self._changed = asyncio.Condition()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[None]:
        async with self._changed:
            await self._changed.wait_for(lambda: not self._writer and not self._waiting_writers)
            self._readers += 1
        try:
            yield
        finally:
            async with self._changed:
                self._readers -= 1
                self._changed.notify_all()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[None]:
        async with self._changed:
            self._waiting_writers += 1
            try:
                await self._changed.wait_for(lambda: not self._writer and not self._readers)
            finally:
                self._waiting_writers -= 1
            self._writer = True
        try:
            yield
        finally:
            async with self._changed:
                self._writer = False
                self._changed.notify_all()

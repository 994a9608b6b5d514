"""In-process job queue: the embedded default. Jobs run as asyncio tasks in this process."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import TYPE_CHECKING, Any

from dari.config import Settings
from dari.jobs.registry import get_job

if TYPE_CHECKING:
    from dari.core.runtime import Runtime

log = logging.getLogger(__name__)


class MemoryJobQueue:
    """Runs jobs with retries and backoff. Jobs queued before `start_worker` wait for it."""

    name = "memory"

    def __init__(self, settings: Settings, concurrency: int = 2) -> None:
        self._settings = settings
        self._queue: asyncio.Queue[tuple[str, str, dict[str, Any]]] = asyncio.Queue()
        self._known: set[str] = set()
        self._workers: list[asyncio.Task[None]] = []
        self._runtime: Runtime | None = None
        self._concurrency = concurrency
        self.retry_base_delay = 0.5

    async def enqueue(
        self, job_name: str, payload: dict[str, Any], job_id: str | None = None
    ) -> str:
        get_job(job_name)  # fail now, not in the worker, for an unknown name
        job_id = job_id or uuid.uuid4().hex
        if job_id in self._known:
            return job_id
        self._known.add(job_id)
        self._queue.put_nowait((job_id, job_name, payload))
        return job_id

    async def start_worker(self, runtime: Runtime) -> None:
        self._runtime = runtime
        for index in range(self._concurrency):
            self._workers.append(asyncio.create_task(self._work(), name=f"dari-job-{index}"))

    async def _work(self) -> None:
        while True:
            job_id, job_name, payload = await self._queue.get()
            try:
                await self._run(job_id, job_name, payload)
            finally:
                self._known.discard(job_id)
                self._queue.task_done()

    async def _run(self, job_id: str, job_name: str, payload: dict[str, Any]) -> None:
        spec = get_job(job_name)
        tries = spec.max_tries or self._settings.redis.job_max_tries
        for attempt in range(1, tries + 1):
            try:
                await asyncio.wait_for(
                    spec.func(self._runtime, **payload), self._settings.redis.job_timeout_s
                )
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job %s (%s) failed, try %d of %d", job_name, job_id, attempt, tries)
                if attempt < tries:
                    await asyncio.sleep(self.retry_base_delay * 2 ** (attempt - 1))

    async def drain(self, timeout: float = 60.0) -> None:
        await asyncio.wait_for(self._queue.join(), timeout)

    async def close(self) -> None:
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers.clear()

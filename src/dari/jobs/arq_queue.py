"""Redis job queue through arq: durable, shared by worker replicas, retried after a crash.

Its connections are bounded like the cache's (DARI_REDIS_MAX_CONNECTIONS, a pool of its own).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import TYPE_CHECKING, Any

from arq import Retry
from arq.connections import ArqRedis
from arq.jobs import JobStatus
from arq.worker import Worker, func
from redis.asyncio import BlockingConnectionPool

from dari.config import Settings
from dari.jobs.registry import get_job, load_jobs

if TYPE_CHECKING:
    from dari.core.runtime import Runtime

log = logging.getLogger(__name__)


def _retry_delay(attempt: int) -> float:
    return float(min(60, 2**attempt))


async def run_job(ctx: dict[str, Any], job_name: str, payload: dict[str, Any]) -> None:
    spec = get_job(job_name)
    settings: Settings = ctx["runtime"].settings
    tries = spec.max_tries or settings.redis.job_max_tries
    try:
        await spec.func(ctx["runtime"], **payload)
    except Exception as exc:
        if ctx["job_try"] < tries:
            log.warning("job %s failed (try %d of %d): %r", job_name, ctx["job_try"], tries, exc)
            raise Retry(defer=_retry_delay(ctx["job_try"])) from exc
        log.exception("job %s failed for good after %d tries", job_name, tries)


class ArqJobQueue:
    name = "redis"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.queue_name = f"{settings.redis.key_prefix}jobs"
        self._pool: ArqRedis | None = None
        self._worker: Worker | None = None
        self._task: asyncio.Task[None] | None = None

    async def _redis(self) -> ArqRedis:
        """The queue's Redis client: at most DARI_REDIS_MAX_CONNECTIONS connections (arq's own
        `create_pool` has no bound); at the limit a command waits DARI_REDIS_POOL_TIMEOUT_S
        for a free one, like the cache's."""
        if self._pool is None:
            cfg = self._settings.redis
            pool = BlockingConnectionPool.from_url(
                cfg.url,
                max_connections=cfg.max_connections,
                timeout=cfg.pool_timeout_s,
                socket_connect_timeout=3,
                client_name=self.queue_name,  # `CLIENT LIST` tells them from the cache's
            )
            redis = ArqRedis(pool, default_queue_name=self.queue_name)
            try:
                await redis.ping()
            except BaseException:
                await redis.aclose()
                raise
            self._pool = redis
        return self._pool

    async def enqueue(
        self, job_name: str, payload: dict[str, Any], job_id: str | None = None
    ) -> str:
        get_job(job_name)
        redis = await self._redis()
        job_id = job_id or uuid.uuid4().hex
        # arq's job keys are global (`arq:job:<id>`): scope ids by our prefix so two Dari
        # installations sharing a Redis never mistake each other's jobs for duplicates.
        await redis.enqueue_job(
            "run_job",
            job_name,
            payload,
            _job_id=f"{self.queue_name}:{job_id}",
            _queue_name=self.queue_name,
        )
        return job_id

    async def start_worker(self, runtime: Runtime) -> None:
        load_jobs()
        self._worker = Worker(
            functions=[func(run_job, name="run_job", max_tries=self._settings.redis.job_max_tries)],
            redis_pool=await self._redis(),
            queue_name=self.queue_name,
            ctx={"runtime": runtime},
            handle_signals=False,
            job_timeout=self._settings.redis.job_timeout_s,
            poll_delay=0.2,
            max_jobs=4,
        )
        self._task = asyncio.create_task(self._worker.main(), name="dari-arq-worker")

    async def drain(self, timeout: float = 60.0) -> None:
        redis = await self._redis()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            # Counting (rather than reading) queued jobs cannot race a job that finishes
            # between the listing and the read.
            queued = await redis.zcard(self.queue_name)
            if not queued and not await redis.keys(f"arq:in-progress:{self.queue_name}:*"):
                return
            await asyncio.sleep(0.1)
        raise TimeoutError("jobs still queued after drain timeout")

    async def job_status(self, job_id: str) -> JobStatus:
        from arq.jobs import Job

        redis = await self._redis()
        return await Job(f"{self.queue_name}:{job_id}", redis, _queue_name=self.queue_name).status()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None

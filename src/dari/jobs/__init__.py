"""Durable background jobs (ingestion, training).

Domains declare jobs in `dari/<domain>/jobs.py` with `@job("name")`; `JobQueue.enqueue`
schedules them. Embedded mode runs them in-process; with Redis they go through arq, so any
worker replica picks them up and a job whose worker died is run again.
"""

from __future__ import annotations

from dari.config import Settings
from dari.jobs.base import JobQueue
from dari.jobs.registry import JOBS, JobSpec, job

__all__ = ["JOBS", "JobQueue", "JobSpec", "create_queue", "job"]


def create_queue(settings: Settings) -> JobQueue:
    if settings.redis.url:
        from dari.jobs.arq_queue import ArqJobQueue

        return ArqJobQueue(settings)
    from dari.jobs.memory import MemoryJobQueue

    return MemoryJobQueue(settings)

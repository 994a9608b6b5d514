"""Registry of job functions by name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from dari.core.modules import domain_modules

JobFunc = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: JobFunc
    max_tries: int | None = None  # None: the DARI_REDIS_JOB_MAX_TRIES setting


JOBS: dict[str, JobSpec] = {}


def job(name: str, *, max_tries: int | None = None) -> Callable[[JobFunc], JobFunc]:
    """Register `async def f(runtime, **payload)` as the job `name`."""

    def decorate(func: JobFunc) -> JobFunc:
        JOBS[name] = JobSpec(name, func, max_tries)
        return func

    return decorate


def load_jobs() -> dict[str, JobSpec]:
    """Import every domain's `jobs` module so their jobs are registered."""
    domain_modules("jobs")
    return JOBS


def get_job(name: str) -> JobSpec:
    load_jobs()
    try:
        return JOBS[name]
    except KeyError:
        raise LookupError(f"no job named {name!r}; known: {', '.join(sorted(JOBS))}") from None

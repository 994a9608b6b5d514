"""The `JobQueue` interface."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from dari.core.runtime import Runtime


class JobQueue(Protocol):
    """Schedules registered jobs and, in a worker process, runs them."""

    name: str

    async def enqueue(
        self, job_name: str, payload: dict[str, Any], job_id: str | None = None
    ) -> str:
        """Schedule `job_name(runtime, **payload)`; a repeated `job_id` is not queued twice.

        Returns the job id. The payload must be JSON-serialisable.
        """
        ...

    async def start_worker(self, runtime: Runtime) -> None:
        """Start running jobs in this process (the `worker` role)."""
        ...

    async def drain(self, timeout: float = 60.0) -> None:
        """Wait until no job is queued or running (tests, graceful shutdown)."""
        ...

    async def close(self) -> None: ...

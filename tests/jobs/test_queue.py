"""Both job queues run registered jobs, retry failures and de-duplicate job ids."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from dari.core.runtime import Runtime
from dari.jobs import JOBS, job

CALLS: dict[str, list[Any]] = {}


@job("test_record", max_tries=3)
async def record_job(runtime: Runtime, key: str, value: str) -> None:
    CALLS.setdefault(key, []).append(value)


@job("test_flaky", max_tries=3)
async def flaky_job(runtime: Runtime, key: str, fail_times: int) -> None:
    CALLS.setdefault(key, []).append("try")
    if len(CALLS[key]) <= fail_times:
        raise RuntimeError("transient failure")


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    import dari.jobs.arq_queue as arq_queue

    monkeypatch.setattr(arq_queue, "_retry_delay", lambda attempt: 0.05)


async def _wait_for(predicate: Any, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.05)


async def test_runs_job_with_korean_payload(
    any_runtime: Runtime, request: pytest.FixtureRequest
) -> None:
    key = request.node.nodeid
    await any_runtime.queue.start_worker(any_runtime)
    await any_runtime.queue.enqueue("test_record", {"key": key, "value": "문서 색인"})
    await _wait_for(lambda: CALLS.get(key) == ["문서 색인"])


async def test_retries_then_succeeds(any_runtime: Runtime, request: pytest.FixtureRequest) -> None:
    key = request.node.nodeid
    if any_runtime.queue.name == "memory":
        any_runtime.queue.retry_base_delay = 0.01  # type: ignore[attr-defined]
    await any_runtime.queue.start_worker(any_runtime)
    await any_runtime.queue.enqueue("test_flaky", {"key": key, "fail_times": 2})
    await _wait_for(lambda: len(CALLS.get(key, [])) == 3)
    await any_runtime.queue.drain(timeout=10)  # nothing left queued or running
    assert len(CALLS[key]) == 3  # succeeded on the third try, not run again


async def test_same_job_id_is_queued_once(
    any_runtime: Runtime, request: pytest.FixtureRequest
) -> None:
    key = request.node.nodeid
    for _ in range(3):
        await any_runtime.queue.enqueue(
            "test_record", {"key": key, "value": "x"}, job_id=f"{key}-1"
        )
    await any_runtime.queue.start_worker(any_runtime)
    await _wait_for(lambda: CALLS.get(key) == ["x"])
    await any_runtime.queue.drain(timeout=10)  # nothing left queued or running
    assert CALLS[key] == ["x"]


async def test_unknown_job_is_refused(runtime: Runtime) -> None:
    with pytest.raises(LookupError, match="no job named"):
        await runtime.queue.enqueue("no_such_job", {})
    assert "test_record" in JOBS

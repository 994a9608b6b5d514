"""Running a training run: status, progress, errors, metrics — restart-safe.

A run goes queued → running → candidate (or failed / cancelled). Only `promote` (an admin
action) switches a candidate on, so a run that dies halfway never changes what users get.
A repeated job for a run that already ended does nothing; a run left `running` by a trainer
that died is failed (`trainer_restarted`) when a trainer starts (`recover`), after
`DARI_TRAINING_STALE_AFTER_S` without progress.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from datetime import timedelta
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

from dari.core.runtime import Runtime
from dari.db.base import utcnow
from dari.training import errors, service, store
from dari.training import repository as repo

log = logging.getLogger(__name__)

RUNS = Counter(
    "dari_training_runs_total",
    "Training runs that ended, by kind (router, lora) and outcome (candidate, failed, cancelled).",
    ["kind", "outcome"],
)
DURATION = Histogram(
    "dari_training_run_duration_seconds",
    "Duration of training runs by kind.",
    ["kind"],
    buckets=(1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 21600),
)
RUNNING = Gauge("dari_training_runs_running", "Training runs in progress.", ["kind"])
LAST_LOSS = Gauge("dari_training_lora_loss", "Last training loss of the running LoRA run.")


RESTARTED = (
    "학습 서버가 다시 시작되어 실행이 중단되었습니다. 적용된 것은 없습니다. 다시 실행해 주세요."
)
INTERRUPTED = (
    "학습이 중단되었습니다(시간 제한 또는 학습 서버 종료). "
    "적용된 것은 없습니다. 다시 실행해 주세요."
)


class Cancelled(Exception):
    pass


async def execute(runtime: Runtime, run_id: str) -> str:
    """Run `run_id` to its end; returns the final status (never raises for a run's failure)."""
    async with runtime.sessionmaker() as session:
        run = await repo.run(session, run_id)
        if run is None:
            log.warning("training run %s does not exist", run_id)
            return "missing"
        if run.status in service.TERMINAL:
            return run.status  # a repeated job (a worker restart): nothing to do again
        if run.status in ("running", "cancelling"):  # a retry after its attempt died
            run.status, run.error_code, run.error = "failed", "trainer_restarted", RESTARTED
            run.finished_at = run.updated_at = utcnow()
            await session.commit()
            RUNS.labels(run.kind, "failed").inc()
            return "failed"
        kind, version = run.kind, run.dataset_version
        run.status, run.progress, run.updated_at = "running", {"step": 0}, utcnow()
        run.error, run.error_code = None, None
        await session.commit()
    started = time.perf_counter()
    RUNNING.labels(kind).inc()
    try:
        if kind == "router":
            from dari.training.router_run import train_candidate

            artifact, report = await train_candidate(runtime, version, run_id)
        else:
            artifact, report = await _lora(runtime, run_id, version)
    except asyncio.CancelledError:  # the job's time limit, or the trainer shutting down
        error = errors.TrainingError("interrupted", INTERRUPTED)
        await asyncio.shield(_finish(runtime, run_id, kind, started, error=error))
        raise
    except (errors.TrainingError, Cancelled) as exc:
        error = exc if isinstance(exc, errors.TrainingError) else errors.cancelled()
        return await _finish(runtime, run_id, kind, started, error=error)
    except Exception as exc:  # a bug or a broken model file: failed, reported, nothing applied
        log.exception("training run %s failed", run_id)
        error = errors.TrainingError("internal_error", f"학습 중 오류가 발생했습니다: {exc}")
        return await _finish(runtime, run_id, kind, started, error=error)
    finally:
        RUNNING.labels(kind).dec()
    return await _finish(runtime, run_id, kind, started, artifact=artifact, report=report)


async def _finish(
    runtime: Runtime,
    run_id: str,
    kind: str,
    started: float,
    *,
    error: errors.TrainingError | None = None,
    artifact: str | None = None,
    report: dict[str, Any] | None = None,
) -> str:
    seconds = time.perf_counter() - started
    DURATION.labels(kind).observe(seconds)
    async with runtime.sessionmaker() as session:
        run = await service.get_run(session, run_id)
        if run.status in service.TERMINAL:  # failed meanwhile (recovered, interrupted)
            return run.status
        if error is None and run.status == "cancelling":
            error = errors.cancelled()
        if error is not None:
            run.status = "cancelled" if error.code == "cancelled" else "failed"
            run.error_code, run.error = error.code, error.message
            log.warning("training run %s %s: %s", run_id, run.status, error.message)
        else:
            run.status, run.artifact = "candidate", artifact
            run.report = {**(report or {}), "seconds_total": round(seconds, 2)}
        run.finished_at = run.updated_at = utcnow()
        status = run.status
        await session.commit()
    RUNS.labels(kind, status).inc()
    return status


async def _lora(runtime: Runtime, run_id: str, version: int) -> tuple[str, dict[str, Any]]:
    from dari.training import datasets, lora
    from dari.training.serving import serving_base

    settings = runtime.settings
    directory = store.dataset_dir(settings.server.data_dir, version)
    if not directory.exists():
        raise errors.not_found(f"데이터셋 v{version}")
    train_rows = datasets.read(directory, "chat.train")
    heldout_rows = datasets.read(directory, "chat.heldout")
    if not train_rows:
        raise errors.no_examples("chat")
    lora.require_extra()
    base = serving_base(settings)
    cfg = settings.training
    options = lora.LoraOptions(
        steps=cfg.lora_steps,
        rank=cfg.lora_rank,
        learning_rate=cfg.lora_learning_rate,
        max_tokens=cfg.lora_max_tokens,
        device=cfg.device,
    )
    out = store.candidate_path(settings.server.data_dir, "lora", run_id)
    stop = threading.Event()
    latest: dict[str, Any] = {}

    def on_step(step: int, steps: int, loss: float) -> None:
        latest.update(step=step, steps=steps, loss=round(loss, 4))
        LAST_LOSS.set(loss)
        if stop.is_set():
            raise Cancelled()

    task = asyncio.create_task(
        asyncio.to_thread(lora.train, base, train_rows, heldout_rows, out, options, on_step)
    )
    while not task.done():
        try:
            await asyncio.wait({task}, timeout=1.0)
        except asyncio.CancelledError:
            stop.set()  # the thread stops after its current step
            raise
        async with runtime.sessionmaker() as session:  # progress out, cancellation in
            run = await service.get_run(session, run_id)
            if run.status == "cancelling":
                stop.set()
            if latest:
                run.progress = dict(latest)
            run.updated_at = utcnow()
            await session.commit()
    report = task.result()
    before, after = report["heldout_loss"]["before"], report["heldout_loss"]["after"]
    passed = after is not None and (before is None or after <= before)
    report["gate"] = {
        "passed": passed,
        "heldout_ok": passed,
        "assistant_questions": "답변 모델 평가는 `dari bench assistant`로 GPU 서버에서 "
        "실행합니다 (docs/training.md#gate)",
    }
    return str(out), report


async def recover(runtime: Runtime, now: Any = None) -> list[str]:
    """Fail runs a dead trainer left running (no progress for `stale_after_s`)."""
    limit = (now or utcnow()) - timedelta(seconds=runtime.settings.training.stale_after_s)
    failed = []
    async with runtime.sessionmaker() as session:
        for run in await repo.runs_in(session, ("running", "cancelling")):
            if run.updated_at <= limit:
                run.status = "failed"
                run.error_code = "trainer_restarted"
                run.error = RESTARTED
                run.finished_at = run.updated_at = utcnow()
                failed.append(run.id)
                RUNS.labels(run.kind, "failed").inc()
        await session.commit()
    return failed

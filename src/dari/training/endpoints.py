"""Training API (`/api/admin/training/...`), for admins (`admin:system`). Mounted for `api`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from dari.api.deps import RuntimeDep, SessionDep
from dari.auth.deps import require
from dari.core.principal import Principal
from dari.training import errors, service
from dari.training import repository as repo
from dari.training.schemas import (
    DatasetOut,
    ReviewList,
    ReviewOut,
    ReviewRequest,
    RunOut,
    RunRequest,
)

Admin = Annotated[Principal, Depends(require("admin:system"))]
router = APIRouter(prefix="/api/admin/training", tags=["training"])


@router.get("/reviews", response_model=ReviewList)
async def reviews(
    session: SessionDep,
    _admin: Admin,
    rating: Annotated[str | None, Query(alias="feedback", pattern="^(up|down)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: datetime | None = None,
) -> ReviewList:
    """Rated answers with question, sources, ERP calls, the router's plan and their review."""
    return await service.rated(session, rating, limit=limit, before=before)


@router.put("/reviews/{message_id}", response_model=ReviewOut)
async def save_review(
    message_id: str, body: ReviewRequest, session: SessionDep, runtime: RuntimeDep, admin: Admin
) -> ReviewOut:
    """Accept an answer, correct it, correct its route (intent, tool, arguments) or reject it."""
    from dari.chat import routing

    catalog = routing.catalog(runtime) if body.route else None
    return await service.save_review(session, message_id, body, admin, catalog)


@router.get("/datasets", response_model=list[DatasetOut])
async def list_datasets(
    session: SessionDep, runtime: RuntimeDep, _admin: Admin
) -> list[DatasetOut]:
    return [service.dataset_out(runtime, d) for d in await repo.datasets(session)]


@router.post("/datasets", response_model=DatasetOut, status_code=201)
async def export_dataset(session: SessionDep, runtime: RuntimeDep, admin: Admin) -> DatasetOut:
    """Export the next dataset version (masked, with its fixed held-out split)."""
    return await service.export_dataset(runtime, session, admin)


@router.get("/runs", response_model=list[RunOut])
async def list_runs(
    session: SessionDep,
    runtime: RuntimeDep,
    _admin: Admin,
    kind: Annotated[str | None, Query(pattern="^(router|lora)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[RunOut]:
    return [service.run_out(runtime, r) for r in await repo.runs(session, kind, limit)]


@router.get("/runs/{run_id}", response_model=RunOut)
async def get_run(run_id: str, session: SessionDep, runtime: RuntimeDep, _admin: Admin) -> RunOut:
    return service.run_out(runtime, await service.get_run(session, run_id))


@router.post("/runs", response_model=RunOut, status_code=202)
async def start_run(
    body: RunRequest, session: SessionDep, runtime: RuntimeDep, admin: Admin
) -> RunOut:
    """Router: trained and gated now (seconds). LoRA: queued for a `trainer` process."""
    from dari.training.runs import execute

    settings = runtime.settings
    if body.kind == "lora" and not settings.redis.url and "trainer" not in settings.server.roles:
        raise errors.TrainingError("no_trainer", errors.NO_TRAINER)
    run = await service.new_run(session, body.kind, body.dataset, admin.username)
    run_id = run.id
    await session.commit()
    if body.kind == "router":
        await execute(runtime, run_id)
    else:
        from dari.training.queue import enqueue_lora

        await enqueue_lora(runtime, run_id)
    session.expire_all()
    return service.run_out(runtime, await service.get_run(session, run_id))


@router.post("/runs/{run_id}/promote", response_model=RunOut)
async def promote(run_id: str, session: SessionDep, runtime: RuntimeDep, admin: Admin) -> RunOut:
    """Switch a candidate on (refused when its gate failed); recorded in the audit log."""
    run = await service.promote(runtime, session, run_id, admin)
    return service.run_out(runtime, run)


@router.post("/runs/{run_id}/cancel", response_model=RunOut)
async def cancel(run_id: str, session: SessionDep, runtime: RuntimeDep, _admin: Admin) -> RunOut:
    run = await service.request_cancel(session, run_id)
    return service.run_out(runtime, run)


@router.post("/{kind}/rollback")
async def rollback(
    kind: Annotated[str, "router or lora"], session: SessionDep, runtime: RuntimeDep, admin: Admin
) -> dict[str, Any]:
    """Back to what was switched on before the last promotion (one action, audited)."""
    if kind not in ("router", "lora"):
        raise errors.TrainingError("not_found", "알 수 없는 종류입니다.")
    return await service.rollback(runtime, session, kind, admin)

"""Training logic: reviews, dataset export, runs, promotion and rollback. Never commits."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dari.audit.service import record
from dari.chat import admin as chat_admin
from dari.chat.routing import forget_router
from dari.core.principal import Principal
from dari.core.runtime import Runtime
from dari.db.base import utcnow
from dari.training import datasets, errors, store
from dari.training import repository as repo
from dari.training.masking import Masker, people_names
from dari.training.models import Dataset, Review, Run
from dari.training.schemas import (
    DatasetOut,
    ReviewItem,
    ReviewList,
    ReviewOut,
    ReviewRequest,
    RunOut,
)

log = logging.getLogger(__name__)
TERMINAL = ("failed", "cancelled", "candidate", "promoted", "rolled_back")


def review_out(review: Review) -> ReviewOut:
    return ReviewOut(
        message_id=review.message_id,
        kind=review.kind,
        question=review.question,
        answer=review.answer,
        route=review.route,
        updated_at=review.updated_at,
    )


async def rated(
    session: AsyncSession, rating: str | None, *, limit: int, before: datetime | None
) -> ReviewList:
    """Rated answers with question, sources, ERP calls, the router's plan and their review."""
    rows = await chat_admin.rated_answers(session, rating, limit=limit, before=before)
    reviews = await repo.reviews_for(session, [m.id for _, m, _ in rows])
    items = []
    for feedback, message, question in rows:
        review = reviews.get(message.id)
        items.append(
            ReviewItem(
                message_id=message.id,
                rating=feedback.rating,  # type: ignore[arg-type]
                reason=feedback.reason,
                comment=feedback.comment,
                question=question.content if question else "",
                answer=message.content,
                intent=message.intent,
                sources=message.sources or [],
                tool_results=message.tool_results or [],
                rated_at=feedback.updated_at,
                review=review_out(review) if review else None,
            )
        )
    next_before = items[-1].rated_at if len(items) == limit else None
    return ReviewList(items=items, next_before=next_before)


def check_route(route: dict[str, Any], catalog: Any) -> None:
    intent, tool = route.get("intent"), route.get("tool")
    if intent in ("erp", "mixed"):
        names = {t.name for t in getattr(catalog, "tools", [])}
        if not tool:
            raise errors.bad_route("ERP 경로에는 도구(tool)가 필요합니다.")
        if catalog is not None and tool not in names:  # no ERP: checked when training
            raise errors.bad_route(f"ERP 카탈로그에 '{tool}' 도구가 없습니다.")
    elif tool:
        raise errors.bad_route(f"'{intent}' 경로에는 도구를 지정하지 않습니다.")


async def save_review(
    session: AsyncSession,
    message_id: str,
    body: ReviewRequest,
    reviewer: Principal,
    catalog: Any = None,
) -> ReviewOut:
    message = await repo.message(session, message_id)
    if message is None or message.role != "assistant":
        raise errors.not_found("답변")
    question = await chat_admin.question_of(session, message)
    if body.kind == "answer" and not (body.answer or "").strip():
        raise errors.TrainingError("answer_required", "교정한 답변을 입력해 주세요.")
    if body.kind == "route" and body.route is None:
        raise errors.TrainingError("route_required", "교정한 경로(의도, 도구)를 입력해 주세요.")
    route = body.route.model_dump() if body.route else None
    if route is not None:
        check_route(route, catalog)
    answer = (body.answer or "").strip()
    if body.kind == "accept":
        answer = answer or message.content
    review = await repo.review(session, message_id)
    if review is None:
        review = Review(message_id=message_id, reviewer_id=reviewer.user_id)
        session.add(review)
    review.kind = body.kind
    review.question = question.content if question else ""
    review.answer = answer if body.kind != "reject" else ""
    review.route = route
    review.reviewer_id = reviewer.user_id
    review.updated_at = utcnow()
    await session.flush()
    await record(
        session,
        "training.review",
        actor=reviewer,
        subject_type="chat_message",
        subject_id=message_id,
        details={"kind": body.kind},
    )
    return review_out(review)


async def known_people(runtime: Runtime, session: AsyncSession) -> list[str]:
    """ERP employees and Dari users' display names (masked in exports)."""
    entities: list[Any] = []
    try:
        from dari.chat import routing

        index = await routing._entity_index(runtime, None)
        entities = list(getattr(index, "entities", ()) or ())
    except Exception:  # no ERP: users only
        log.info("ERP entities unavailable; masking Dari users' names only")
    return people_names(entities, await repo.users_display_names(session))


async def export_dataset(
    runtime: Runtime, session: AsyncSession, actor: Principal | None, actor_name: str = "cli"
) -> DatasetOut:
    """Write the next dataset version from every review (masked, split)."""
    settings = runtime.settings.training
    reviews = list(await repo.all_reviews(session))
    if not reviews:
        raise errors.empty_dataset()
    if len(reviews) < settings.min_examples:
        raise errors.too_few(len(reviews), settings.min_examples)
    masker = Masker(await known_people(runtime, session))
    rows = datasets.build(reviews, masker, settings.heldout_percent)
    version = await repo.next_dataset_version(session)
    counts = {name: len(items) for name, items in rows.items()}
    masking = {"rules": "docs/training.md#masking", **dict(masker.counts)}
    directory = store.dataset_dir(runtime.settings.server.data_dir, version)
    manifest = {
        "version": version,
        "counts": counts,
        "masking": masking,
        "heldout_percent": settings.heldout_percent,
        "heldout_ids": sorted(r["id"] for k in ("chat.heldout", "routes.heldout") for r in rows[k]),
    }
    datasets.write(directory, rows, manifest)
    dataset = Dataset(
        version=version,
        created_by=actor.user_id if actor else actor_name,
        counts=counts,
        masking=masking,
    )
    session.add(dataset)
    await session.flush()
    await record(
        session,
        "training.dataset_export",
        actor=actor,
        actor_name=None if actor else actor_name,
        subject_type="training_dataset",
        subject_id=str(version),
        details=counts,
    )
    return dataset_out(runtime, dataset)


def dataset_out(runtime: Runtime, dataset: Dataset) -> DatasetOut:
    return DatasetOut(
        version=dataset.version,
        counts=dataset.counts,
        masking=dataset.masking,
        created_at=dataset.created_at,
        path=str(store.dataset_dir(runtime.settings.server.data_dir, dataset.version)),
    )


async def new_run(session: AsyncSession, kind: str, version: int, created_by: str) -> Run:
    if await repo.dataset(session, version) is None:
        raise errors.not_found(f"데이터셋 v{version}")
    run = Run(kind=kind, dataset_version=version, status="queued", created_by=created_by)
    run.progress, run.report = {}, {}
    session.add(run)
    await session.flush()
    return run


def run_out(runtime: Runtime, run: Run) -> RunOut:
    pointer = store.read_pointer(runtime.settings.server.data_dir, run.kind) or {}
    return RunOut(
        id=run.id,
        kind=run.kind,
        dataset_version=run.dataset_version,
        status=run.status,
        progress=run.progress or {},
        report=run.report or {},
        error_code=run.error_code,
        error=run.error,
        artifact=run.artifact,
        created_by=run.created_by,
        created_at=run.created_at,
        finished_at=run.finished_at,
        active=pointer.get("run_id") == run.id,
    )


async def get_run(session: AsyncSession, run_id: str) -> Run:
    run = await repo.run(session, run_id)
    if run is None:
        raise errors.not_found("학습 실행")
    return run


async def promote(
    runtime: Runtime,
    session: AsyncSession,
    run_id: str,
    actor: Principal | None,
    actor_name: str = "cli",
) -> Run:
    """Switch a candidate on (an admin action, audited). Refused when its gate failed."""
    run = await get_run(session, run_id)
    if run.status not in ("candidate", "rolled_back") or not run.artifact:
        raise errors.not_promotable(run.status)
    if not (run.report or {}).get("gate", {}).get("passed"):
        raise errors.gate_failed()
    if run.kind == "lora":
        from dari.training.serving import check_adapter

        check_adapter(runtime.settings, run.artifact)
    data_dir = runtime.settings.server.data_dir
    previous = store.read_pointer(data_dir, run.kind)
    if previous and previous.get("run_id") and previous["run_id"] != run.id:
        older = await repo.run(session, previous["run_id"])
        if older is not None and older.status == "promoted":
            older.status = "candidate"
    run.status = "promoted"
    run.updated_at = utcnow()
    await record(
        session,
        "training.promote",
        actor=actor,
        actor_name=None if actor else actor_name,
        subject_type=f"training_{run.kind}",
        subject_id=run.id,
        details={"dataset": run.dataset_version, "gate": run.report.get("gate")},
    )
    # Last: the switch itself, one atomic rename; if it fails the transaction rolls back.
    store.promote(data_dir, run.kind, run.id, run.artifact, actor.username if actor else actor_name)
    forget_router(runtime)
    return run


async def rollback(
    runtime: Runtime,
    session: AsyncSession,
    kind: str,
    actor: Principal | None,
    actor_name: str = "cli",
) -> dict[str, Any]:
    """One action: back to what was switched on before the last promotion."""
    current, previous = store.rollback(runtime.settings.server.data_dir, kind)
    run = await repo.run(session, str(current.get("run_id")))
    if run is not None:
        run.status = "rolled_back"
        run.updated_at = utcnow()
    if previous and previous.get("run_id"):
        restored = await repo.run(session, previous["run_id"])
        if restored is not None:
            restored.status = "promoted"
    await record(
        session,
        "training.rollback",
        actor=actor,
        actor_name=None if actor else actor_name,
        subject_type=f"training_{kind}",
        subject_id=str(current.get("run_id")),
        details={"restored": (previous or {}).get("run_id")},
    )
    forget_router(runtime)
    return {"rolled_back": current.get("run_id"), "active": (previous or {}).get("run_id")}


async def request_cancel(session: AsyncSession, run_id: str) -> Run:
    run = await get_run(session, run_id)
    if run.status in ("queued", "running"):
        run.status = "cancelling" if run.status == "running" else "cancelled"
        if run.status == "cancelled":
            run.error_code, run.error = "cancelled", errors.cancelled().message
            run.finished_at = utcnow()
        run.updated_at = utcnow()
    return run

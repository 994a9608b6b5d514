"""All SQL of the training domain (reviews, dataset versions, runs; rated chat answers)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dari.chat.models import Message
from dari.training.models import Dataset, Review, Run


async def message(session: AsyncSession, message_id: str) -> Message | None:
    return await session.get(Message, message_id)


async def reviews_for(session: AsyncSession, message_ids: Sequence[str]) -> dict[str, Review]:
    if not message_ids:
        return {}
    rows = await session.scalars(select(Review).where(Review.message_id.in_(message_ids)))
    return {r.message_id: r for r in rows}


async def review(session: AsyncSession, message_id: str) -> Review | None:
    return (await session.scalars(select(Review).where(Review.message_id == message_id))).first()


async def all_reviews(session: AsyncSession) -> Sequence[Review]:
    query = select(Review).where(Review.kind != "reject").order_by(Review.created_at, Review.id)
    return (await session.scalars(query)).all()


async def next_dataset_version(session: AsyncSession) -> int:
    return int((await session.scalar(select(func.max(Dataset.version)))) or 0) + 1


async def dataset(session: AsyncSession, version: int) -> Dataset | None:
    return await session.get(Dataset, version)


async def datasets(session: AsyncSession) -> Sequence[Dataset]:
    return (await session.scalars(select(Dataset).order_by(Dataset.version.desc()))).all()


async def run(session: AsyncSession, run_id: str) -> Run | None:
    return await session.get(Run, run_id)


async def runs(session: AsyncSession, kind: str | None, limit: int) -> Sequence[Run]:
    query = select(Run).order_by(Run.created_at.desc(), Run.id).limit(limit)
    if kind:
        query = query.where(Run.kind == kind)
    return (await session.scalars(query)).all()


async def runs_in(session: AsyncSession, statuses: Sequence[str]) -> Sequence[Run]:
    return (await session.scalars(select(Run).where(Run.status.in_(statuses)))).all()


async def users_display_names(session: AsyncSession) -> list[str]:
    from dari.auth.models import User

    return [n for n in (await session.scalars(select(User.display_name))).all() if n]

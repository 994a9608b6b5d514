"""All chat SQL: conversations, messages, feedback, and the admin views over them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dari.chat.models import Conversation, Feedback, Message


async def get_conversation(
    session: AsyncSession, conversation_id: str, user_id: str
) -> Conversation | None:
    """The conversation if it exists *and* belongs to `user_id` (else None: never leak)."""
    query = select(Conversation).where(
        Conversation.id == conversation_id, Conversation.user_id == user_id
    )
    return (await session.scalars(query)).first()


async def list_conversations(
    session: AsyncSession,
    user_id: str,
    *,
    q: str | None = None,
    limit: int = 30,
    before: datetime | None = None,
) -> Sequence[Conversation]:
    query = (
        select(Conversation)
        .where(Conversation.user_id == user_id)
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        .limit(limit)
    )
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matching = select(Message.conversation_id).where(
            Message.user_id == user_id, Message.content.like(pattern, escape="\\")
        )
        query = query.where(
            Conversation.title.like(pattern, escape="\\") | Conversation.id.in_(matching)
        )
    if before is not None:
        query = query.where(Conversation.updated_at < before)
    return (await session.scalars(query)).all()


async def last_messages(
    session: AsyncSession, conversation_ids: Sequence[str]
) -> dict[str, Message]:
    """The newest message of each conversation (for list previews)."""
    if not conversation_ids:
        return {}
    newest = (
        select(Message.conversation_id, func.max(Message.seq).label("seq"))
        .where(Message.conversation_id.in_(conversation_ids))
        .group_by(Message.conversation_id)
        .subquery()
    )
    query = select(Message).join(
        newest,
        (Message.conversation_id == newest.c.conversation_id) & (Message.seq == newest.c.seq),
    )
    return {m.conversation_id: m for m in (await session.scalars(query)).all()}


async def messages(
    session: AsyncSession, conversation_id: str, *, last: int | None = None
) -> list[Message]:
    """Messages in order; with `last`, only the newest `last` of them."""
    query = select(Message).where(Message.conversation_id == conversation_id)
    if last is not None:
        query = query.order_by(Message.seq.desc()).limit(last)
        return list(reversed((await session.scalars(query)).all()))
    return list((await session.scalars(query.order_by(Message.seq))).all())


async def next_seq(session: AsyncSession, conversation_id: str) -> int:
    query = select(func.max(Message.seq)).where(Message.conversation_id == conversation_id)
    return int((await session.scalar(query)) or 0) + 1


async def get_message(session: AsyncSession, message_id: str, user_id: str) -> Message | None:
    query = select(Message).where(Message.id == message_id, Message.user_id == user_id)
    return (await session.scalars(query)).first()


async def delete_conversation(session: AsyncSession, conversation: Conversation) -> None:
    message_ids = select(Message.id).where(Message.conversation_id == conversation.id)
    # Explicit deletes: SQLite and MariaDB both honour them, whatever the FK cascade setting.
    await session.execute(delete(Feedback).where(Feedback.message_id.in_(message_ids)))
    await session.execute(delete(Message).where(Message.conversation_id == conversation.id))
    await session.delete(conversation)
    await session.flush()


async def get_feedback(session: AsyncSession, message_id: str, user_id: str) -> Feedback | None:
    query = select(Feedback).where(Feedback.message_id == message_id, Feedback.user_id == user_id)
    return (await session.scalars(query)).first()


async def feedback_for(session: AsyncSession, message_ids: Sequence[str]) -> dict[str, Feedback]:
    if not message_ids:
        return {}
    query = select(Feedback).where(Feedback.message_id.in_(message_ids))
    return {f.message_id: f for f in (await session.scalars(query)).all()}


async def rated_messages(
    session: AsyncSession, rating: str | None, *, limit: int, before: datetime | None
) -> Sequence[tuple[Feedback, Message]]:
    """Feedback with its assistant message, newest first (admin review)."""
    query = (
        select(Feedback, Message)
        .join(Message, Message.id == Feedback.message_id)
        .order_by(Feedback.updated_at.desc(), Feedback.id.desc())
        .limit(limit)
    )
    if rating:
        query = query.where(Feedback.rating == rating)
    if before is not None:
        query = query.where(Feedback.updated_at < before)
    return [(f, m) for f, m in (await session.execute(query)).all()]


async def question_before(session: AsyncSession, message: Message) -> Message | None:
    query = select(Message).where(
        Message.conversation_id == message.conversation_id,
        Message.seq < message.seq,
        Message.role == "user",
    )
    return (await session.scalars(query.order_by(Message.seq.desc()).limit(1))).first()


async def usage_rows(session: AsyncSession, since: datetime) -> list[dict[str, Any]]:
    """One row per message since `since`: when, who, role, answer time (for daily stats)."""
    query = select(Message.created_at, Message.user_id, Message.role, Message.total_ms).where(
        Message.created_at >= since
    )
    return [
        {"at": at, "user_id": user_id, "role": role, "total_ms": total_ms}
        for at, user_id, role, total_ms in (await session.execute(query)).all()
    ]


async def feedback_rows(session: AsyncSession, since: datetime) -> list[tuple[datetime, str]]:
    query = select(Feedback.updated_at, Feedback.rating).where(Feedback.updated_at >= since)
    return [(at, rating) for at, rating in (await session.execute(query)).all()]

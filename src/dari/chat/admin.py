"""Admin views of the chat: answers rated 👎 (for review and training) and daily usage."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from dari.chat import repository as repo
from dari.chat.models import Feedback, Message
from dari.chat.schemas import RatedList, RatedMessage, Usage, UsageDay
from dari.db.base import utcnow


async def rated_answers(
    session: AsyncSession, rating: str | None, *, limit: int, before: datetime | None
) -> list[tuple[Feedback, Message, Message | None]]:
    """Rated answers, newest first: each vote with its answer and the question before it (also
    read by training's review page)."""
    rows = await repo.rated_messages(session, rating, limit=limit, before=before)
    return [(vote, answer, await repo.question_before(session, answer)) for vote, answer in rows]


async def question_of(session: AsyncSession, answer: Message) -> Message | None:
    """The user's question an answer replies to."""
    return await repo.question_before(session, answer)


async def rated(
    session: AsyncSession, rating: str | None, *, limit: int, before: datetime | None
) -> RatedList:
    items = []
    for feedback, message, question in await rated_answers(
        session, rating, limit=limit, before=before
    ):
        items.append(
            RatedMessage(
                message_id=message.id,
                conversation_id=message.conversation_id,
                user_id=message.user_id,
                question=question.content if question else "",
                answer=message.content,
                citations=message.citations or [],
                tool_results=message.tool_results or [],
                rating=feedback.rating,  # type: ignore[arg-type]
                reason=feedback.reason,
                comment=feedback.comment,
                rated_at=feedback.updated_at,
            )
        )
    next_before = items[-1].rated_at if len(items) == limit else None
    return RatedList(items=items, next_before=next_before)


async def usage(session: AsyncSession, days: int) -> Usage:
    """Questions, distinct users, median answer time and votes per UTC day, oldest first."""
    today = utcnow().date()
    first = today - timedelta(days=days - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=utcnow().tzinfo)
    questions: dict[str, int] = defaultdict(int)
    users: dict[str, set[str]] = defaultdict(set)
    times: dict[str, list[int]] = defaultdict(list)
    votes: dict[str, dict[str, int]] = defaultdict(lambda: {"up": 0, "down": 0})
    for row in await repo.usage_rows(session, since):
        day = row["at"].date().isoformat()
        if row["role"] == "user":
            questions[day] += 1
            users[day].add(row["user_id"])
        elif row["total_ms"] is not None:
            times[day].append(row["total_ms"])
    for at, rating in await repo.feedback_rows(session, since):
        votes[at.date().isoformat()][rating] += 1
    result = []
    for offset in range(days):
        day = (first + timedelta(days=offset)).isoformat()
        result.append(
            UsageDay(
                date=day,
                questions=questions[day],
                users=len(users[day]),
                answer_ms_p50=statistics.median(times[day]) if times[day] else None,
                up=votes[day]["up"],
                down=votes[day]["down"],
            )
        )
    every_time = [t for values in times.values() for t in values]
    totals = {
        "questions": sum(questions.values()),
        "users": len(set().union(*users.values())) if users else 0,
        "answer_ms_p50": statistics.median(every_time) if every_time else None,
        "up": sum(v["up"] for v in votes.values()),
        "down": sum(v["down"] for v in votes.values()),
    }
    return Usage(days=result, totals=totals)

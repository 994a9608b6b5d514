"""Chat HTTP endpoints (the WebSocket is in `ws.py`, included here): ask, conversations,
feedback, citation sources and the admin views. Mounted for the `chat` role."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from dari.api.deps import RuntimeDep, SessionDep
from dari.auth.deps import require
from dari.chat import admin, service, turns, ws
from dari.chat import repository as repo
from dari.chat.errors import ChatError
from dari.chat.schemas import (
    ChatRequest,
    ChatResponse,
    ChunkOut,
    ConversationDetail,
    ConversationList,
    ConversationSummary,
    FeedbackOut,
    FeedbackRequest,
    MessageOut,
    RatedList,
    RenameRequest,
    Usage,
)
from dari.core.principal import Principal

ChatUser = Annotated[Principal, Depends(require("chat:use"))]
ChatAdmin = Annotated[Principal, Depends(require("admin:system"))]

router = APIRouter(tags=["chat"])
router.include_router(ws.router)


def _shown(verification: dict[str, Any] | None) -> dict[str, Any] | None:
    """The answer's check as its user sees it: the rejected model sentence is for admins."""
    if verification is None:
        return None
    return {k: v for k, v in verification.items() if k != "rejected"}


@router.post("/api/chat", response_model=ChatResponse)
async def ask(body: ChatRequest, runtime: RuntimeDep, user: ChatUser) -> ChatResponse:
    """Answer one question with the same pipeline as the WebSocket, in one response."""
    started = await turns.start_turn(runtime, user, body.text, conversation_id=body.conversation_id)
    final = await started.result()
    if final["type"] == "error":
        raise ChatError(final["code"], final["message"])
    state, turn = final["state"], started.turn
    return ChatResponse(
        conversation_id=turn.conversation_id,
        message_id=turn.message_id,
        user_message_id=turn.user_message_id,
        **{**state.outcome(), "verification": _shown(state.verification)},
    )


def _summary(conversation: Any, last: Any = None) -> ConversationSummary:
    preview = " ".join((last.content if last else "").split())[:120]
    return ConversationSummary(
        id=conversation.id,
        title=conversation.title,
        created_at=conversation.created_at,
        updated_at=conversation.updated_at,
        last_message=preview,
    )


@router.get("/api/conversations", response_model=ConversationList)
async def list_conversations(
    session: SessionDep,
    user: ChatUser,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
    before: datetime | None = None,
) -> ConversationList:
    """The user's conversations, newest first; `q` searches titles and message text."""
    found = await repo.list_conversations(session, user.user_id, q=q, limit=limit, before=before)
    last = await repo.last_messages(session, [c.id for c in found])
    items = [_summary(c, last.get(c.id)) for c in found]
    return ConversationList(
        items=items, next_before=items[-1].updated_at if len(items) == limit else None
    )


@router.get("/api/conversations/{conversation_id}", response_model=ConversationDetail)
async def get_conversation(
    conversation_id: str, session: SessionDep, user: ChatUser
) -> ConversationDetail:
    conversation = await repo.get_conversation(session, conversation_id, user.user_id)
    if conversation is None:
        raise service.not_found()
    messages = await repo.messages(session, conversation.id)
    feedback = await repo.feedback_for(session, [m.id for m in messages])
    items = []
    for m in messages:
        vote = feedback.get(m.id)
        items.append(
            MessageOut(
                id=m.id,
                role=m.role,  # type: ignore[arg-type]
                content=m.content,
                created_at=m.created_at,
                intent=m.intent,
                sources=m.sources or [],
                citations=m.citations or [],
                tool_results=m.tool_results or [],
                timings=m.timings,
                verification=_shown(m.verification),
                cancelled=m.cancelled,
                feedback=FeedbackOut(rating=vote.rating, reason=vote.reason, comment=vote.comment)  # type: ignore[arg-type]
                if vote
                else None,
            )
        )
    return ConversationDetail(**_summary(conversation).model_dump(), messages=items)


@router.patch("/api/conversations/{conversation_id}", response_model=ConversationSummary)
async def rename_conversation(
    conversation_id: str, body: RenameRequest, session: SessionDep, user: ChatUser
) -> ConversationSummary:
    conversation = await service.rename(session, user, conversation_id, body.title.strip())
    return _summary(conversation)


@router.delete("/api/conversations/{conversation_id}", status_code=204)
async def delete_conversation(
    conversation_id: str, session: SessionDep, user: ChatUser
) -> Response:
    await service.delete(session, user, conversation_id)
    return Response(status_code=204)


@router.post("/api/messages/{message_id}/feedback", response_model=FeedbackOut)
async def feedback(
    message_id: str, body: FeedbackRequest, session: SessionDep, user: ChatUser
) -> FeedbackOut:
    """Store 👍/👎 (with a reason and comment) on one of the user's answers."""
    vote = await service.give_feedback(session, user, message_id, body.model_dump())
    return FeedbackOut(rating=vote.rating, reason=vote.reason, comment=vote.comment)  # type: ignore[arg-type]


@router.get("/api/chunks/{chunk_id}", response_model=ChunkOut)
async def get_chunk(
    chunk_id: str, runtime: RuntimeDep, session: SessionDep, user: ChatUser
) -> ChunkOut:
    """The text behind a citation chip, if the user may read its document (else 404).

    Chunks of ingested documents come from the documents domain; chunks indexed directly
    into search (no document row) from the search store. Both check the access tokens.
    """
    view = await service.cited_chunk(runtime, session, user, chunk_id[:255])
    if view is None:
        raise ChatError("not_found", "출처를 찾을 수 없습니다.")
    return view


@router.get("/api/admin/conversations", response_model=RatedList)
async def rated_answers(
    session: SessionDep,
    _admin: ChatAdmin,
    rating: Annotated[str | None, Query(alias="feedback", pattern="^(up|down)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: datetime | None = None,
) -> RatedList:
    """Rated answers with their question, newest first (`feedback=down` for review)."""
    return await admin.rated(session, rating, limit=limit, before=before)


@router.get("/api/admin/usage", response_model=Usage)
async def usage(
    session: SessionDep, _admin: ChatAdmin, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> Usage:
    """Questions, users, median answer time and votes per day."""
    return await admin.usage(session, days)

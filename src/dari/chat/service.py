"""Chat logic on a session (never commits): preparing a turn, saving it, conversations, feedback."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dari.chat import repository as repo
from dari.chat.assistant.marks import CITATION
from dari.chat.errors import ChatError
from dari.chat.models import Conversation, Feedback, Message
from dari.chat.pipeline import Turn, TurnState
from dari.chat.schemas import ChunkOut
from dari.config.chat import ChatSettings
from dari.core.access import can_read
from dari.core.modules import module_exists
from dari.core.principal import Principal
from dari.core.runtime import Runtime
from dari.db.base import new_id, utcnow
from dari.llm.base import ChatMessage

_CITATION = re.compile(rf"\s?{CITATION.pattern}")
TITLE_CHARS = 60


def check_text(text: str, settings: ChatSettings) -> str:
    """The message text, or `empty_message` / `message_too_long`."""
    if not text or not text.strip():
        raise ChatError("empty_message", "메시지가 비어 있습니다.")
    if len(text) > settings.max_message_chars:
        raise ChatError(
            "message_too_long",
            f"메시지가 너무 깁니다 (최대 {settings.max_message_chars:,}자, "
            f"보낸 글 {len(text):,}자).",
        )
    return text.strip()


def not_found() -> ChatError:
    return ChatError("not_found", "대화를 찾을 수 없습니다.")


def history_messages(messages: Sequence[Message]) -> list[ChatMessage]:
    """Earlier turns for the model; old citation marks are removed so numbers never clash."""
    result = []
    for message in messages:
        if message.role == "assistant" and (message.cancelled and not message.content):
            continue
        content = (
            _CITATION.sub("", message.content) if message.role == "assistant" else message.content
        )
        role = "assistant" if message.role == "assistant" else "user"
        result.append(ChatMessage(role=role, content=content[:2000]))
    return result


async def prepare_turn(
    session: AsyncSession,
    settings: ChatSettings,
    principal: Principal,
    *,
    text: str,
    conversation_id: str | None,
    client_message_id: str | None = None,
) -> Turn:
    """Validate a question and decide its ids; raises `ChatError` before anything is streamed."""
    text = check_text(text, settings)
    history: list[ChatMessage] = []
    previous_plan = None
    if conversation_id:
        conversation = await repo.get_conversation(session, conversation_id, principal.user_id)
        if conversation is None:
            raise not_found()
        earlier = await repo.messages(session, conversation.id, last=max(settings.history_turns, 2))
        if settings.history_turns:
            history = history_messages(earlier[-settings.history_turns :])
        # The router's plan of the last answer: a follow-up changes only what it names.
        answers = [m for m in earlier if m.role == "assistant" and not m.cancelled]
        previous_plan = answers[-1].intent if answers else None
    return Turn(
        principal=principal,
        text=text,
        conversation_id=conversation_id or new_id(),
        new_conversation=not conversation_id,
        message_id=new_id(),
        user_message_id=new_id(),
        client_message_id=client_message_id,
        history=history,
        previous_plan=previous_plan,
    )


def _title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1] + "…"


async def save_turn(
    session: AsyncSession, turn: Turn, state: TurnState, *, cancelled: bool
) -> Message:
    """Store the question and its answer (with sources, citations, ERP results)."""
    user_id = turn.principal.user_id
    now = utcnow()
    if turn.new_conversation:
        conversation = Conversation(
            id=turn.conversation_id, user_id=user_id, title=_title(turn.text), updated_at=now
        )
        session.add(conversation)
        await session.flush()
    else:
        found = await repo.get_conversation(session, turn.conversation_id, user_id)
        if found is None:  # deleted while the answer streamed
            raise not_found()
        found.updated_at = now
    seq = await repo.next_seq(session, turn.conversation_id)
    common = {"conversation_id": turn.conversation_id, "user_id": user_id, "created_at": now}
    session.add(
        Message(
            id=turn.user_message_id,
            seq=seq,
            role="user",
            content=turn.text,
            client_message_id=turn.client_message_id,
            **common,
        )
    )
    answer = Message(
        id=turn.message_id,
        seq=seq + 1,
        role="assistant",
        content=state.answer,
        intent=state.intent,
        sources=[d.event() for d in state.documents],
        citations=state.citations,
        tool_results=[{**t.call_event(), **t.result_event()} for t in state.tools],
        usage=state.usage,
        timings=state.timings,
        verification=state.verification if state.text else None,
        total_ms=int(state.elapsed_ms()),
        cancelled=cancelled,
        **common,
    )
    session.add(answer)
    await session.flush()
    return answer


async def rename(
    session: AsyncSession, principal: Principal, conversation_id: str, title: str
) -> Conversation:
    conversation = await repo.get_conversation(session, conversation_id, principal.user_id)
    if conversation is None:
        raise not_found()
    conversation.title = title
    conversation.updated_at = utcnow()
    await session.flush()
    return conversation


async def delete(session: AsyncSession, principal: Principal, conversation_id: str) -> None:
    conversation = await repo.get_conversation(session, conversation_id, principal.user_id)
    if conversation is None:
        raise not_found()
    await repo.delete_conversation(session, conversation)


async def give_feedback(
    session: AsyncSession, principal: Principal, message_id: str, values: dict[str, Any]
) -> Feedback:
    """Store (or replace) the user's 👍/👎 on one of *their* assistant messages."""
    message = await repo.get_message(session, message_id, principal.user_id)
    if message is None or message.role != "assistant":
        raise ChatError("not_found", "메시지를 찾을 수 없습니다.")
    feedback = await repo.get_feedback(session, message_id, principal.user_id)
    if feedback is None:
        feedback = Feedback(message_id=message_id, user_id=principal.user_id)
        session.add(feedback)
    feedback.rating = values["rating"]
    feedback.reason = values.get("reason")
    feedback.comment = values.get("comment")
    feedback.updated_at = utcnow()
    await session.flush()
    return feedback


async def cited_chunk(
    runtime: Runtime, session: AsyncSession, principal: Principal, chunk_id: str
) -> ChunkOut | None:
    """The text behind a citation chip, or None when absent or not readable by `principal`.

    Chunks of ingested documents come from the documents domain; chunks indexed directly
    into search (no document row) from the search store. Both check the access tokens.
    """
    if module_exists("dari.documents.service"):
        from dari.documents.service import get_chunk as document_chunk

        view = await document_chunk(session, chunk_id, principal)
        if view is not None:
            return ChunkOut(
                **view.model_dump(exclude={"document_title"}), title=view.document_title
            )
    from dari.search.service import get_search_service

    search = get_search_service(runtime)
    await search.start()
    found = await search.keyword.get([chunk_id])
    if not found or not can_read(found[0].access_tokens, principal.access_tokens()):
        return None
    return ChunkOut.model_validate(found[0], from_attributes=True)

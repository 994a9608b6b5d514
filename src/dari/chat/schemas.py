"""REST request and response models of the chat domain (the WebSocket ones: `protocol.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ChatRequest(BaseModel):
    """`POST /api/chat`: one question, answered in full (no streaming)."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: str | None = Field(None, max_length=64)
    text: str = Field(description="The question (whitespace-only is refused).")


class ChatResponse(BaseModel):
    conversation_id: str
    message_id: str
    user_message_id: str
    intent: dict[str, Any] | None
    answer: str
    sources: list[dict[str, Any]]
    citations: list[dict[str, Any]]
    tool_calls: list[dict[str, Any]] = Field(description="ERP calls with their results.")
    usage: dict[str, int]
    timings: dict[str, float]
    verification: dict[str, Any] | None = Field(
        None, description="How the answer was checked: status verified|fallback|built."
    )


class ConversationSummary(BaseModel):
    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    last_message: str = Field("", description="Preview of the newest message.")


class ConversationList(BaseModel):
    items: list[ConversationSummary]
    next_before: datetime | None = Field(
        None, description="Pass as `before` to get the next page (null: no more)."
    )


class FeedbackOut(BaseModel):
    rating: Literal["up", "down"]
    reason: str | None = None
    comment: str | None = None


class MessageOut(BaseModel):
    id: str
    role: Literal["user", "assistant"]
    content: str
    created_at: datetime
    intent: dict[str, Any] | None = None
    sources: list[dict[str, Any]] = Field(default_factory=list)
    citations: list[dict[str, Any]] = Field(default_factory=list)
    tool_results: list[dict[str, Any]] = Field(default_factory=list)
    timings: dict[str, Any] | None = None
    verification: dict[str, Any] | None = None
    cancelled: bool = False
    feedback: FeedbackOut | None = None


class ConversationDetail(ConversationSummary):
    messages: list[MessageOut]


class RenameRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=255)


class FeedbackRequest(BaseModel):
    """👍/👎 on an assistant message; a second vote replaces the first."""

    model_config = ConfigDict(extra="forbid")

    rating: Literal["up", "down"]
    reason: str | None = Field(
        None,
        max_length=64,
        description="Why (free slug, e.g. wrong_answer, wrong_source, incomplete, outdated).",
    )
    comment: str | None = Field(None, max_length=4000)


class ChunkOut(BaseModel):
    """A citation chip's source text."""

    chunk_id: str
    document_id: str
    title: str
    heading_path: list[str]
    location: dict[str, Any]
    text: str


class RatedMessage(BaseModel):
    message_id: str
    conversation_id: str
    user_id: str
    question: str
    answer: str
    citations: list[dict[str, Any]]
    tool_results: list[dict[str, Any]]
    rating: Literal["up", "down"]
    reason: str | None
    comment: str | None
    rated_at: datetime


class RatedList(BaseModel):
    items: list[RatedMessage]
    next_before: datetime | None = None


class UsageDay(BaseModel):
    date: str
    questions: int
    users: int
    answer_ms_p50: float | None
    up: int
    down: int


class Usage(BaseModel):
    days: list[UsageDay]
    totals: dict[str, Any]

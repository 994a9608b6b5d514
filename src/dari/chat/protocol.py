"""The chat WebSocket protocol: every client frame and server event as a pydantic model.

These models are the protocol's single definition: the server validates client frames with
them, tests validate server events with them, and docs/chat-protocol.md shows their JSON
Schemas (`python -m dari.chat.protocol` prints them).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

ErrorCode = Literal[
    "unauthorized",
    "token_expired",
    "bad_frame",
    "unknown_frame",
    "empty_message",
    "message_too_long",
    "busy",
    "not_found",
    "nothing_to_cancel",
    "rate_limited",
    "llm_unavailable",
    "llm_timeout",
    "llm_bad_output",
    "erp_unavailable",
    "unavailable",
    "internal_error",
]
ERROR_CODES: tuple[str, ...] = get_args(ErrorCode)
Intent = Literal["doc_qa", "erp", "mixed", "chitchat", "out_of_scope"]


class Frame(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClientFrameBase(BaseModel):
    # Unknown members are ignored, so newer clients can add fields without breaking.
    model_config = ConfigDict(extra="ignore")


# --- client → server ---------------------------------------------------------------------------


class AuthFrame(ClientFrameBase):
    """First frame when no `bearer.<token>` subprotocol was sent; later, to refresh a token."""

    type: Literal["auth"]
    token: str = Field(max_length=8192, description="An access token or a `dari_` API key.")


class MessageFrame(ClientFrameBase):
    """Ask a question, in a new (`conversation_id: null`) or an existing conversation."""

    type: Literal["message"]
    conversation_id: str | None = Field(None, max_length=64)
    text: str
    client_message_id: str | None = Field(
        None, max_length=64, description="The client's own id, echoed in `started`."
    )


class CancelFrame(ClientFrameBase):
    """Stop the running answer (the given one, or whichever of the user's is running)."""

    type: Literal["cancel"]
    message_id: str | None = Field(None, max_length=64)


class PingFrame(ClientFrameBase):
    type: Literal["ping"]


class ResumeFrame(ClientFrameBase):
    """Replay the events of an answer after `after_seq`, then follow it live if still running."""

    type: Literal["resume"]
    message_id: str = Field(max_length=64)
    after_seq: int = Field(0, ge=0)


ClientFrame = Annotated[
    AuthFrame | MessageFrame | CancelFrame | PingFrame | ResumeFrame, Field(discriminator="type")
]
CLIENT_FRAMES: TypeAdapter[Any] = TypeAdapter(ClientFrame)
CLIENT_TYPES = ("auth", "message", "cancel", "ping", "resume")


# --- server → client ---------------------------------------------------------------------------


class AnswerEvent(Frame):
    """Every event of an answer carries the assistant message id and its sequence number."""

    message_id: str
    seq: int = Field(ge=1)


class User(BaseModel):
    id: str
    username: str
    display_name: str


class ReadyEvent(Frame):
    type: Literal["ready"]
    user: User


class StartedEvent(AnswerEvent):
    type: Literal["started"]
    conversation_id: str
    user_message_id: str
    client_message_id: str | None = None


class IntentEvent(AnswerEvent):
    type: Literal["intent"]
    intent: Intent
    search_query: str
    needs_clarification: bool
    route: str = Field("", description="The router's label: a tool name, doc_qa, mixed, …")
    confidence: float = Field(1.0, description="The router's confidence in the route (0–1).")
    source: Literal["router", "follow_up", "llm", "rule"] = Field(
        "router", description="Who planned: the router, a follow-up of the last plan, the LLM."
    )


class StatusEvent(AnswerEvent):
    """The model is busy: `queued` with the place in line (1 = next), then `generating`."""

    type: Literal["status"]
    state: Literal["queued", "generating"]
    position: int = Field(ge=0, description="Place in line while queued; 0 when generating.")


class ChoiceInfo(BaseModel):
    label: str = Field(description="What to show on the button.")
    text: str = Field(description="The message to send when it is chosen.")


class ClarificationEvent(AnswerEvent):
    """The question is ambiguous (e.g. two customers match): pick one of `choices`."""

    type: Literal["clarification"]
    message: str
    choices: list[ChoiceInfo]


class DocumentSource(BaseModel):
    n: int = Field(ge=1, description="The number cited as [n] in the answer.")
    kind: Literal["document"]
    chunk_id: str
    document_id: str
    title: str
    location: dict[str, Any]
    snippet: str


class SourcesEvent(AnswerEvent):
    type: Literal["sources"]
    sources: list[DocumentSource]


class ToolCallEvent(AnswerEvent):
    type: Literal["tool_call"]
    call_id: str
    tool: str
    title: str | None = Field(None, description="What the tool looks up, in Korean.")
    arguments: dict[str, Any]
    n: int | None = Field(None, description="The citation number of this result, [n].")


class Column(BaseModel):
    name: str
    label: str
    unit: str | None = None


class Chart(BaseModel):
    type: Literal["line", "bar"]
    x: str
    y: str


class ToolError(BaseModel):
    code: str
    message: str


class ToolResultEvent(AnswerEvent):
    type: Literal["tool_result"]
    call_id: str
    tool: str
    ok: bool
    columns: list[Column]
    rows: list[list[Any]]
    row_count: int
    truncated: bool
    chart: Chart | None = None
    error: ToolError | None = None
    n: int | None = None


class TokenEvent(AnswerEvent):
    type: Literal["token"]
    delta: str


class CitationEvent(AnswerEvent):
    type: Literal["citation"]
    n: int = Field(ge=1)
    kind: Literal["document", "erp"]
    title: str
    chunk_id: str | None = None
    document_id: str | None = None
    location: dict[str, Any] | None = None
    snippet: str | None = None
    tool: str | None = None
    arguments: dict[str, Any] | None = None
    call_id: str | None = None


class UsageInfo(BaseModel):
    prompt_tokens: int
    completion_tokens: int


class StageTimings(BaseModel):
    intent_ms: float
    retrieval_ms: float
    erp_ms: float
    ttft_ms: float
    total_ms: float
    llm_ms: float = Field(0.0, description="Time spent with the model (0: no model text).")


class Verification(BaseModel):
    status: Literal["verified", "fallback", "built"] = Field(
        description="`verified`: the model's text passed the check; `fallback`: it failed (or "
        "the model was unavailable) and the built/extractive answer was sent; `built`: "
        "the answer was built by code from the sources."
    )
    problems: list[str] = Field(default_factory=list, description="Why the model text failed.")


class DoneEvent(AnswerEvent):
    type: Literal["done"]
    conversation_id: str
    usage: UsageInfo
    timings: StageTimings
    cancelled: bool
    verification: Verification | None = None


class ErrorEvent(Frame):
    """A refused frame or a failed answer; `message_id`/`seq` only when tied to an answer."""

    type: Literal["error"]
    code: ErrorCode
    message: str
    message_id: str | None = None
    seq: int | None = None


class PongEvent(Frame):
    type: Literal["pong"]


ServerEvent = Annotated[
    ReadyEvent
    | StartedEvent
    | IntentEvent
    | StatusEvent
    | ClarificationEvent
    | SourcesEvent
    | ToolCallEvent
    | ToolResultEvent
    | TokenEvent
    | CitationEvent
    | DoneEvent
    | ErrorEvent
    | PongEvent,
    Field(discriminator="type"),
]
SERVER_EVENTS: TypeAdapter[Any] = TypeAdapter(ServerEvent)

CLIENT_MODELS: tuple[type[BaseModel], ...] = (
    AuthFrame,
    MessageFrame,
    CancelFrame,
    PingFrame,
    ResumeFrame,
)
SERVER_MODELS: tuple[type[BaseModel], ...] = (
    ReadyEvent,
    StartedEvent,
    IntentEvent,
    StatusEvent,
    ClarificationEvent,
    SourcesEvent,
    ToolCallEvent,
    ToolResultEvent,
    TokenEvent,
    CitationEvent,
    DoneEvent,
    ErrorEvent,
    PongEvent,
)


def frame_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of every frame, keyed by `client.<type>` / `server.<type>`."""
    result: dict[str, dict[str, Any]] = {}
    for side, models in (("client", CLIENT_MODELS), ("server", SERVER_MODELS)):
        for model in models:
            kind = model.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
            result[f"{side}.{kind}"] = model.model_json_schema()
    return result


if __name__ == "__main__":  # pragma: no cover - documentation helper
    print(json.dumps(frame_schemas(), ensure_ascii=False, indent=2))

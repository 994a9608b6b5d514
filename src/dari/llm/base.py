"""The `LLMClient` interface every part of Dari codes against, and its value types.

One backend speaks the OpenAI-compatible chat API (vLLM, llama.cpp, Ollama); the interface
keeps the assistant independent of it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, Field

from dari.core.errors import DariError

ErrorCode = Literal["llm_unavailable", "llm_timeout", "llm_bad_output"]
M = TypeVar("M", bound=BaseModel)


class LLMError(DariError):
    """A call to the LLM failed. `code` is stable; `message` is safe to show to a user; the
    HTTP status (`http_status`) comes from the catalogue in `dari.core.errors`."""

    code: ErrorCode

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(code, message)


class LLMUnavailable(LLMError):
    def __init__(self, message: str) -> None:
        super().__init__("llm_unavailable", message)


class LLMTimeout(LLMError):
    def __init__(self, message: str) -> None:
        super().__init__("llm_timeout", message)


class LLMBadOutput(LLMError):
    def __init__(self, message: str) -> None:
        super().__init__("llm_bad_output", message)


class ChatMessage(BaseModel):
    """One chat turn."""

    role: Literal["system", "user", "assistant"]
    content: str = ""
    name: str | None = None

    def to_openai(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.name:
            message["name"] = self.name
        return message


class Usage(BaseModel):
    """Token counts; `estimated` when the server did not report them (counted from chunks)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated: bool = False


class Timings(BaseModel):
    """Per-call timings: first token latency, whole call, and generation speed."""

    ttft_ms: float = 0.0
    total_ms: float = 0.0
    tokens_per_s: float = 0.0


class LLMDelta(BaseModel):
    """One streamed item: a text piece, or (last item, `done`) usage, timings and the reason."""

    text: str = ""
    done: bool = False
    finish_reason: str | None = None
    usage: Usage | None = None
    timings: Timings | None = None


class LLMResult(BaseModel):
    """A whole completion."""

    text: str
    finish_reason: str | None = None
    model: str = ""
    usage: Usage = Field(default_factory=Usage)
    timings: Timings = Field(default_factory=Timings)


@runtime_checkable
class LLMClient(Protocol):
    """Chat with the configured LLM server. Every method raises `LLMError` on failure.

    `stream_chat` yields text deltas and, last, an item with `done=True`, usage and timings.
    Closing the iterator (`aclose()`) or cancelling the task aborts the HTTP stream, so the
    server stops generating.
    """

    async def stream_chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: list[str] | None = None,
    ) -> AsyncIterator[LLMDelta]:
        raise NotImplementedError
        yield LLMDelta()  # an async generator, like every implementation

    async def chat(self, messages: Sequence[ChatMessage], **kw: Any) -> LLMResult: ...

    async def generate_json(self, messages: Sequence[ChatMessage], schema: type[M], **kw: Any) -> M:
        """JSON-schema constrained output validated by `schema`; one retry with the error."""
        ...

    async def health(self) -> None:
        """Raise `LLMUnavailable` unless the server answers."""
        ...

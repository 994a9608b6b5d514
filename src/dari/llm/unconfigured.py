"""The client `get_llm` returns when no LLM server is configured: every call explains why."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel

from dari.llm.base import ChatMessage, LLMDelta, LLMResult, LLMUnavailable

M = TypeVar("M", bound=BaseModel)


class UnconfiguredClient:
    def __init__(self, reason: str) -> None:
        self.reason = reason

    def _fail(self) -> NoReturn:
        raise LLMUnavailable(self.reason)

    async def stream_chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: list[str] | None = None,
    ) -> AsyncGenerator[LLMDelta, None]:
        self._fail()
        yield LLMDelta()

    async def chat(self, messages: Sequence[ChatMessage], **kw: Any) -> LLMResult:
        self._fail()

    async def generate_json(self, messages: Sequence[ChatMessage], schema: type[M], **kw: Any) -> M:
        self._fail()

    async def health(self) -> None:
        self._fail()

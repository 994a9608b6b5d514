"""Reading an OpenAI-compatible chat stream (server-sent events) into text pieces."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from dari.llm.base import LLMBadOutput, LLMUnavailable, Timings, Usage

DONE = object()


def parse_event(line: str) -> dict[str, Any] | object | None:
    """One SSE line: a chunk dict, `DONE`, or None for blank lines, comments and other fields."""
    line = line.strip()
    if not line.startswith("data:"):
        return None
    data = line[5:].strip()
    if data == "[DONE]":
        return DONE
    try:
        chunk = json.loads(data)
    except ValueError:
        raise LLMBadOutput("The LLM server sent a malformed stream chunk.") from None
    if not isinstance(chunk, dict):
        raise LLMBadOutput("The LLM server sent a malformed stream chunk.")
    if "error" in chunk:
        error = chunk["error"]
        detail = error.get("message", "") if isinstance(error, dict) else str(error)
        raise LLMUnavailable(f"The LLM server failed while answering: {str(detail)[:200]}")
    return chunk


@dataclass
class StreamState:
    """What one completion has produced so far, and its timings."""

    started: float = field(default_factory=time.perf_counter)
    first_token_at: float | None = None
    last_token_at: float | None = None
    pieces: int = 0
    chars: int = 0
    finish_reason: str | None = None
    usage: Usage | None = None
    model: str = ""

    def take(self, chunk: dict[str, Any]) -> str:
        """The text of a chunk (possibly empty); records finish reason and usage."""
        if chunk.get("model") and not self.model:
            self.model = str(chunk["model"])
        usage = chunk.get("usage")
        if isinstance(usage, dict) and usage.get("completion_tokens") is not None:
            self.usage = Usage(
                prompt_tokens=int(usage.get("prompt_tokens") or 0),
                completion_tokens=int(usage.get("completion_tokens") or 0),
            )
        choices = chunk.get("choices") or []
        if not choices:
            return ""
        try:
            choice = choices[0]
            delta = choice.get("delta") or {}
            text = delta.get("content") or ""
        except (AttributeError, TypeError):
            raise LLMBadOutput("The LLM server sent a chunk of an unexpected shape.") from None
        if not isinstance(text, str):
            raise LLMBadOutput("The LLM server sent a chunk of an unexpected shape.")
        if choice.get("finish_reason"):
            self.finish_reason = str(choice["finish_reason"])
        if text:
            now = time.perf_counter()
            if self.first_token_at is None:
                self.first_token_at = now
            self.last_token_at = now
            self.pieces += 1
            self.chars += len(text)
        return text

    def final_usage(self) -> Usage:
        if self.usage is not None:
            return self.usage
        # llama-cpp-python does not report usage in streams; it sends one token per chunk.
        return Usage(completion_tokens=self.pieces, estimated=True)

    def timings(self) -> Timings:
        end = time.perf_counter()
        ttft = (self.first_token_at - self.started) if self.first_token_at else 0.0
        tokens = self.final_usage().completion_tokens
        speed = 0.0
        if self.first_token_at and self.last_token_at and tokens > 1:
            span = self.last_token_at - self.first_token_at
            speed = (tokens - 1) / span if span > 0 else 0.0
        return Timings(
            ttft_ms=round(ttft * 1000, 2),
            total_ms=round((end - self.started) * 1000, 2),
            tokens_per_s=round(speed, 2),
        )

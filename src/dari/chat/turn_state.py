"""One question and what its answer has produced so far (the pipeline's input and record).

`Turn` is decided before anything is streamed (ids, history, the previous plan); `TurnState`
collects the answer as it is produced, so a cancelled answer can be saved as far as it got.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dari.chat.assistant.context import DocSource, ToolOutcome
from dari.core.principal import Principal
from dari.llm.base import ChatMessage


@dataclass
class Turn:
    """One question, validated and with its ids decided before anything is streamed."""

    principal: Principal
    text: str
    conversation_id: str
    new_conversation: bool
    message_id: str
    user_message_id: str
    client_message_id: str | None = None
    history: list[ChatMessage] = field(default_factory=list)
    today: date = field(default_factory=date.today)  # what "이번 달" means (bench: data's end)
    previous_plan: dict[str, Any] | None = None  # the router's plan of the previous answer


@dataclass
class TurnState:
    """What the answer has produced so far (saved at the end, or as far as it got if cancelled)."""

    intent: dict[str, Any] | None = None
    documents: list[DocSource] = field(default_factory=list)
    tools: list[ToolOutcome] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, int] = field(
        default_factory=lambda: {"prompt_tokens": 0, "completion_tokens": 0}
    )
    timings: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(
            ("intent_ms", "retrieval_ms", "erp_ms", "ttft_ms", "llm_ms", "total_ms"), 0.0
        )
    )
    started: float = field(default_factory=time.perf_counter)
    verification: dict[str, Any] = field(
        default_factory=lambda: {"status": "built", "problems": []}
    )
    rejected: str = ""  # the model's first sentence that failed the check (not shown)
    answer_rows: int = 5  # rows an ERP answer lists (DARI_CHAT_ANSWER_ROWS)

    @property
    def answer(self) -> str:
        return "".join(self.text)

    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 1)

    def outcome(self) -> dict[str, Any]:
        """The finished answer as `POST /api/chat` and `dari ask --json` return it (the
        verification whole: the REST answer hides its rejected model sentence)."""
        return {
            "intent": self.intent,
            "answer": self.answer,
            "sources": [d.event() for d in self.documents],
            "citations": self.citations,
            "tool_calls": [{**t.call_event(), **t.result_event()} for t in self.tools],
            "usage": self.usage,
            "timings": self.timings,
            "verification": self.verification,
        }

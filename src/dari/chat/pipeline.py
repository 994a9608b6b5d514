"""The assistant pipeline, independent of transport: 질문 → 의도 → 문서/ERP → 답변 (events).

`answer_turn` emits the protocol's events (without `message_id`/`seq`, which the stream adds)
through `emit` and records what it produced in a `TurnState`, so a cancelled answer can still
be saved as far as it got.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dari.chat import backends
from dari.chat.assistant import answer, intent
from dari.chat.assistant.context import (
    DocSource,
    ToolOutcome,
    render_context,
    select_documents,
)
from dari.chat.assistant.prompts import fixed
from dari.chat.errors import ChatError
from dari.core.principal import Principal
from dari.core.runtime import Runtime
from dari.llm.base import ChatMessage

log = logging.getLogger(__name__)
Emit = Callable[[dict[str, Any]], Awaitable[None]]
ERP_DOWN = ("erp_unavailable", "erp_timeout")


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
            ("intent_ms", "retrieval_ms", "erp_ms", "ttft_ms", "total_ms"), 0.0
        )
    )
    started: float = field(default_factory=time.perf_counter)

    @property
    def answer(self) -> str:
        return "".join(self.text)

    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 1)


async def _run_tools(
    runtime: Runtime,
    turn: Turn,
    plan: intent.IntentPlan,
    tools: list[Any],
    state: TurnState,
    emit: Emit,
) -> None:
    started = time.perf_counter()
    titles = {intent.tool_field(t, "name"): intent.tool_field(t, "description_ko") for t in tools}
    for call in plan.erp_tool_calls:
        outcome = ToolOutcome(
            n=len(state.documents) + len(state.tools) + 1,
            tool=call.tool,
            arguments=call.arguments,
            title=str(titles.get(call.tool) or call.tool)[:120],
        )
        state.tools.append(outcome)
        await emit({"type": "tool_call", **outcome.call_event()})
        try:
            result = await backends.call_tool(runtime, turn.principal, call.tool, call.arguments)
        except Exception as exc:
            code = str(getattr(exc, "code", ""))
            if not code.startswith("erp_"):
                raise
            if code in ERP_DOWN:
                raise ChatError(
                    "erp_unavailable", "ERP에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요."
                ) from exc
            outcome.error = {"code": code, "message": str(getattr(exc, "message", exc))}
        else:
            outcome.fill(result)
        await emit({"type": "tool_result", **outcome.result_event()})
    state.timings["erp_ms"] = round((time.perf_counter() - started) * 1000, 1)


async def _stream(
    runtime: Runtime, messages: list[ChatMessage], state: TurnState, emit: Emit
) -> None:
    llm = backends.llm(runtime)
    stream = llm.stream_chat(messages, max_tokens=runtime.settings.chat.answer_max_tokens)
    try:
        async for delta in stream:
            if delta.text:
                if not state.text:
                    state.timings["ttft_ms"] = state.elapsed_ms()
                state.text.append(delta.text)
                await emit({"type": "token", "delta": delta.text})
            if delta.done and delta.usage is not None:
                state.usage = {
                    "prompt_tokens": delta.usage.prompt_tokens,
                    "completion_tokens": delta.usage.completion_tokens,
                }
    finally:
        # Closing the stream aborts generation on the server (cancel, client gone, error).
        await stream.aclose()  # type: ignore[attr-defined]


async def _say(text: str, state: TurnState, emit: Emit) -> None:
    """A fixed reply, streamed like a generated one."""
    state.timings["ttft_ms"] = state.elapsed_ms()
    state.text.append(text)
    await emit({"type": "token", "delta": text})


async def answer_turn(runtime: Runtime, turn: Turn, state: TurnState, emit: Emit) -> None:
    """Run the pipeline for `turn`, emitting intent → sources → tool calls → tokens → citations.

    Raises `LLMError` or `ChatError` when a step fails; the caller turns it into an `error`.
    """
    settings = runtime.settings.chat
    tools = await backends.erp_tools(runtime, turn.principal)
    plan = await intent.analyse(backends.llm(runtime), turn.text, turn.history, tools, date.today())
    state.intent = plan.model_dump()
    state.timings["intent_ms"] = state.elapsed_ms()
    await emit(
        {
            "type": "intent",
            "intent": plan.intent,
            "search_query": plan.search_query,
            "needs_clarification": plan.needs_clarification,
        }
    )
    wants_docs = plan.intent in ("doc_qa", "mixed") or (
        plan.intent == "erp" and not plan.erp_tool_calls
    )
    if wants_docs and not plan.needs_clarification:
        started = time.perf_counter()
        try:
            hits = await backends.search(
                runtime, plan.search_query, turn.principal.access_tokens(), settings.search_k
            )
        except Exception as exc:
            log.exception("document search failed")
            raise ChatError("internal_error", "문서 검색에 실패했습니다.") from exc
        share = settings.context_max_chars // (2 if plan.erp_tool_calls else 1)
        state.documents = select_documents(hits, share)
        state.timings["retrieval_ms"] = round((time.perf_counter() - started) * 1000, 1)
    await emit({"type": "sources", "sources": [d.event() for d in state.documents]})
    if plan.erp_tool_calls and not plan.needs_clarification:
        await _run_tools(runtime, turn, plan, tools, state, emit)

    if plan.needs_clarification:
        await _stream(
            runtime, answer.plain_messages("clarify", turn.text, turn.history), state, emit
        )
    elif plan.intent == "chitchat":
        await _stream(
            runtime, answer.plain_messages("chitchat", turn.text, turn.history), state, emit
        )
    elif plan.intent == "out_of_scope":
        await _say(fixed("out_of_scope"), state, emit)
    elif not state.documents and not any(t.ok for t in state.tools):
        refused = any((t.error or {}).get("code") == "erp_forbidden" for t in state.tools)
        await _say(fixed("forbidden" if refused else "not_found"), state, emit)
    else:
        used = sum(len(d.text) for d in state.documents)
        context = render_context(
            state.documents,
            state.tools,
            max_rows=settings.erp_max_rows,
            budget=max(400, settings.context_max_chars - used),
        )
        messages = answer.answer_messages(turn.text, turn.history, context)
        await _stream(runtime, messages, state, emit)
        state.citations = answer.bind_citations(state.answer, state.documents, state.tools)
        for citation in state.citations:
            await emit({"type": "citation", **citation})
    state.timings["total_ms"] = state.elapsed_ms()

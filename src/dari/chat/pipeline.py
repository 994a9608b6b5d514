"""The assistant pipeline, independent of transport: 질문 → 라우터 → 문서/ERP → 검증된 답변.

The router (code and a trained classifier, no model call) decides the route, the ERP calls
and their arguments; documents give evidence sentences; ERP answers are built from rows;
the model only phrases, and every sentence it writes is checked before it is sent
(docs/assistant.md).

`answer_turn` emits the protocol's events (without `message_id`/`seq`, which the stream adds)
through `emit` and records what it produced in a `TurnState`, so a cancelled answer can still
be saved as far as it got.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import Counter

from dari.chat import backends, routing
from dari.chat.assistant import answer, compose, erp_answer, synonyms, verify
from dari.chat.assistant import evidence as ev
from dari.chat.assistant.context import ToolOutcome, select_documents
from dari.chat.assistant.prompts import fixed
from dari.chat.errors import ChatError
from dari.chat.router.plan import RoutePlan, ToolCall
from dari.chat.turn_state import Turn, TurnState
from dari.core.runtime import Runtime

log = logging.getLogger(__name__)
Emit = Callable[[dict[str, Any]], Awaitable[None]]
ERP_DOWN = ("erp_unavailable", "erp_timeout")
CHECKS = Counter(
    "dari_chat_answer_checks_total",
    "Answers by check outcome: verified (model text passed), fallback (replaced by the "
    "built/extractive answer), built (no model text)",
    ["status"],
)


async def _run_tools(
    runtime: Runtime, turn: Turn, plan: RoutePlan, state: TurnState, emit: Emit
) -> list[tuple[ToolCall, ToolOutcome]]:
    started = time.perf_counter()
    done: list[tuple[ToolCall, ToolOutcome]] = []
    catalog = routing.catalog(runtime)
    for call in plan.calls:
        tool = catalog.tool(call.tool) if catalog else None
        outcome = ToolOutcome(
            n=len(state.documents) + len(state.tools) + 1,
            tool=call.tool,
            arguments=call.arguments,
            title=(tool.description_ko.split(".")[0] if tool else call.tool)[:120],
        )
        outcome.labels = call.labels
        state.tools.append(outcome)
        done.append((call, outcome))
        await emit({"type": "tool_call", **outcome.call_event()})
        if call.blocked:
            outcome.error = {"code": call.blocked_code or "erp_forbidden", "message": call.blocked}
            await emit({"type": "tool_result", **outcome.result_event()})
            continue
        try:
            result = await backends.call_tool(runtime, turn.principal, call.tool, call.arguments)
        except backends.ErpError as exc:
            if exc.code in ERP_DOWN:
                raise ChatError(
                    "erp_unavailable", "ERP에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요."
                ) from exc
            outcome.error = {"code": exc.code, "message": exc.message}
        else:
            outcome.fill(result)
        await emit({"type": "tool_result", **outcome.result_event()})
    state.timings["erp_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return done


def _erp_text(runtime: Runtime, call: ToolCall, outcome: ToolOutcome) -> str:
    if not outcome.ok:
        error = outcome.error or {}
        if error.get("code") == "erp_forbidden" and not call.blocked:
            return fixed("forbidden")
        return str(error.get("message") or fixed("forbidden"))
    catalog = routing.catalog(runtime)
    tool = catalog.tool(call.tool) if catalog else None
    template = getattr(tool, "answer", None)
    return erp_answer.build(outcome, call, template, max_rows=runtime.settings.chat.answer_rows)


async def _documents(
    runtime: Runtime, turn: Turn, query: str, state: TurnState, share: int
) -> None:
    started = time.perf_counter()
    # A pasted page of text is a question too: search with as much of it as search takes.
    query = query[: runtime.settings.search.max_query_chars]
    try:
        hits = await backends.search(
            runtime, query, turn.principal.access_tokens(), runtime.settings.chat.search_k
        )
    except Exception as exc:
        log.exception("document search failed")
        raise ChatError("internal_error", "문서 검색에 실패했습니다.") from exc
    state.documents = select_documents(hits, share)
    state.timings["retrieval_ms"] = round((time.perf_counter() - started) * 1000, 1)


def _check_built(text: str, state: TurnState, question: str) -> None:
    """Built answers are checked like any other: their figures must be in the sources."""
    sources = {d.n: d.text for d in state.documents}
    labels = {t.n: t.labels for t in state.tools}
    rows = state.answer_rows
    sources.update(
        {t.n: erp_answer.facts(t, labels.get(t.n), max_rows=rows) for t in state.tools if t.ok}
    )
    verdict = verify.check_answer(text, sources, question, require_citation=False)
    if not verdict.ok:
        log.warning("built answer failed its check: %s", [p.code for p in verdict.problems])
        state.verification = {
            "status": "built",
            "problems": sorted({p.code for p in verdict.problems}),
        }


async def answer_turn(runtime: Runtime, turn: Turn, state: TurnState, emit: Emit) -> None:
    """Run the pipeline for `turn`, emitting intent → sources → tool calls → tokens → citations.

    Raises `LLMError` or `ChatError` only when nothing can be answered; a failing model is
    replaced by the built/extractive answer.
    """
    settings = runtime.settings.chat
    state.answer_rows = settings.answer_rows
    plan = await routing.plan_turn(runtime, turn)
    if plan.confidence < PROBE_BELOW and (
        plan.intent in ("chitchat", "out_of_scope") or _stuck_erp(plan)
    ):
        plan = await _probe_documents(runtime, turn, plan, state)
    state.intent = plan.to_json()
    state.timings["intent_ms"] = state.elapsed_ms()
    await emit(
        {
            "type": "intent",
            "intent": plan.intent,
            "search_query": plan.search_query,
            "needs_clarification": plan.needs_clarification,
            "route": plan.route,
            "confidence": round(plan.confidence, 3),
            "source": plan.source,
        }
    )
    writer = compose.Writer(state, emit)
    use_model = settings.use_model and routing.model_available(runtime)
    if plan.refusal:
        await emit({"type": "sources", "sources": []})
        await writer.say(plan.refusal)
    elif plan.needs_clarification:
        await emit({"type": "sources", "sources": []})
        choices = [{"label": c.label, "text": c.text} for c in plan.choices]
        await emit({"type": "clarification", "message": plan.clarification, "choices": choices})
        await writer.say(str(plan.clarification))
    elif plan.intent == "chitchat":
        await emit({"type": "sources", "sources": []})
        await compose.chitchat_answer(
            runtime, turn.text, turn.history, writer, state, emit, use_model=use_model
        )
    elif plan.intent == "out_of_scope":
        await emit({"type": "sources", "sources": []})
        await writer.say(fixed("out_of_scope"))
    else:
        await _answer_with_data(runtime, turn, plan, state, emit, writer, use_model)
    has_data = state.documents or any(t.ok for t in state.tools)
    if state.text and state.verification["status"] == "built" and has_data:
        _check_built(state.answer, state, turn.text)
    CHECKS.labels(state.verification["status"]).inc()
    state.citations = answer.bind_citations(state.answer, state.documents, state.tools)
    for citation in state.citations:
        await emit({"type": "citation", **citation})
    state.timings["total_ms"] = state.elapsed_ms()


PROBE_BELOW = 0.6


def _stuck_erp(plan: RoutePlan) -> bool:
    """An ERP plan that would give no data: refused, asked back, or every call forbidden."""
    if plan.intent != "erp" or "other_person_record" in plan.notes:
        return False
    forbidden = bool(plan.calls) and all(c.blocked_code == "erp_forbidden" for c in plan.calls)
    return forbidden or plan.needs_clarification or plan.refusal is not None


async def _probe_documents(
    runtime: Runtime, turn: Turn, plan: RoutePlan, state: TurnState
) -> RoutePlan:
    """A short question the router took for small talk or out of scope ("출장 일비?"), or an
    unsure ERP plan that would give no data ("H107 베어링 교체주기": 베어링 is also an item
    category), may be about the company's documents: if they can answer it, it is a document
    question (and the documents found are kept for the answer, not searched again)."""
    try:
        await _documents(runtime, turn, turn.text, state, runtime.settings.chat.context_max_chars)
    except ChatError:
        return plan  # logged by _documents; small talk stays small talk
    words = synonyms.load(runtime.settings.chat.synonyms_file)
    evidence = (
        ev.select_evidence(turn.text, state.documents, synonyms=words) if state.documents else []
    )
    if ev.answerable(turn.text, evidence, state.documents, require_subject=True, synonyms=words):
        plan.notes.append(f"probed:{plan.intent}")
        plan.intent = "doc_qa"
        plan.search_query = turn.text
        plan.calls, plan.refusal, plan.refusal_code = [], None, None
        plan.clarification, plan.choices = None, []
    else:
        state.documents = []
    return plan


async def _answer_with_data(
    runtime: Runtime,
    turn: Turn,
    plan: RoutePlan,
    state: TurnState,
    emit: Emit,
    writer: compose.Writer,
    use_model: bool,
) -> None:
    settings = runtime.settings.chat
    if plan.intent in ("doc_qa", "mixed"):
        share = settings.context_max_chars // (2 if plan.calls else 1)
        if not state.documents:  # the probe may have found them already
            await _documents(runtime, turn, plan.search_query or turn.text, state, share)
    await emit({"type": "sources", "sources": [d.event() for d in state.documents]})
    done = await _run_tools(runtime, turn, plan, state, emit) if plan.calls else []
    parts = [_erp_text(runtime, call, outcome) for call, outcome in done]
    for part in parts:
        await writer.say(("\n\n" if state.text else "") + part)
    if plan.intent not in ("doc_qa", "mixed"):
        return
    # A mixed question's document half is its own clause ("…보증 기간은 어떻게 돼?").
    question = plan.search_query if plan.intent == "mixed" else turn.text
    words = synonyms.load(settings.synonyms_file)
    evidence = (
        ev.select_evidence(question, state.documents, synonyms=words) if state.documents else []
    )
    if not ev.answerable(question, evidence, state.documents, synonyms=words):
        # What was found is about something else: say so, cite nothing (after an ERP answer
        # the documents' silence is no news, and "찾을 수 없습니다" would read as a refusal).
        state.documents = []
        if not any(outcome.ok for _, outcome in done):
            await writer.say(("\n\n" if parts else "") + fixed("not_found"))
        return
    if state.text:
        await writer.say("\n\n")
    await compose.document_answer(
        runtime, question, evidence, state.documents, writer, state, emit, use_model=use_model
    )

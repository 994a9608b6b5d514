"""The router in a running Dari: its model (trained when the catalog changes), the entities a
user may see, and the plan for one turn."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from dari.chat import backends
from dari.chat.router import messages, rules
from dari.chat.router.arguments import Mentioned
from dari.chat.router.plan import RoutePlan, ToolCall
from dari.chat.router.service import Router, RouterInput, Thresholds, training_mentions
from dari.chat.router.training import (
    all_examples,
    load_or_train,
    load_promoted,
    model_path,
    promoted_marker,
)
from dari.core.principal import Principal
from dari.core.runtime import Runtime
from dari.core.slots import Slot

log = logging.getLogger(__name__)
ROUTER: Slot[Router] = Slot("chat.router")  # trained for the current catalog and promotion
ROUTER_LOCK: Slot[asyncio.Lock] = Slot("chat.router.lock")


def catalog(runtime: Runtime) -> Any:
    """The current ERP catalog (None when the ERP is not configured)."""
    try:
        return backends.toolset(runtime).catalog
    except Exception:  # an unreadable catalog is reported by the ERP's own readiness
        log.warning("ERP catalog unavailable; the router routes documents only", exc_info=True)
        return None


def model_available(runtime: Runtime) -> bool:
    """Whether a language model is configured (the embedded one, or a remote server)."""
    from dari.llm.unconfigured import UnconfiguredClient

    return not isinstance(backends.llm(runtime), UnconfiguredClient)


async def get_router(runtime: Runtime) -> Router:
    """The router for the current catalog; trained (in a thread) when its examples changed."""
    current = catalog(runtime)
    data_dir = runtime.settings.server.data_dir
    marker = promoted_marker(data_dir)  # a router promoted by training (docs/training.md)
    cached = runtime.peek(ROUTER)
    if cached is not None and cached.catalog is current and cached.marker == marker:
        return cached
    async with runtime.get(ROUTER_LOCK, asyncio.Lock):
        cached = runtime.peek(ROUTER)
        if cached is not None and cached.catalog is current and cached.marker == marker:
            return cached
        finder = training_mentions(current, await all_entities_finder(runtime))
        examples = all_examples(current)
        path = model_path(data_dir)
        started = time.perf_counter()
        model, trained = await asyncio.to_thread(load_or_train, path, examples, finder)
        promoted = await asyncio.to_thread(load_promoted, data_dir, examples)
        model = promoted or model
        if trained:
            log.info(
                "router trained on %d examples in %.1f s",
                len(examples),
                time.perf_counter() - started,
            )
        thresholds = Thresholds(accept=runtime.settings.chat.router_min_confidence)
        router = Router(model, current, thresholds)
        router.marker = marker
        runtime.put(ROUTER, router)
        return router


def forget_router(runtime: Runtime) -> None:
    """Drop the cached router: the next question loads the one now on disk (trained, promoted
    or rolled back)."""
    runtime.take(ROUTER)


async def all_entities_finder(runtime: Runtime) -> Any:
    """Mentions of any ERP entity (for placeholders in training); None without an ERP."""
    index = await _entity_index(runtime, None)
    if index is None:
        return None
    from dari.chat.router.features import Mention

    def find(text: str) -> list[Mention]:
        return [Mention(m.kind, m.start, m.end) for m in link_mentions(index, None, text)]

    return find


async def _entity_index(runtime: Runtime, principal: Principal | None) -> Any:
    try:
        from dari.erp import entities

        toolset = backends.toolset(runtime)
        if principal is None:  # every entity: only to tell "not yours" from "no such name"
            return await entities.load_all_entities(toolset, None)
        return await entities.load_entities(toolset, None, principal)
    except Exception:
        log.warning("ERP entities unavailable; the router links no names", exc_info=True)
        return None


def link_mentions(index: Any, visible: Any, text: str) -> list[Mentioned]:
    """Entity mentions in `text`: from every entity, flagged visible if the user may see it."""
    found = index.find(text)
    by_span: dict[tuple[int, int, str], list[Any]] = {}
    for match in found:
        by_span.setdefault((match.span[0], match.span[1], match.kind), []).append(match)
    result: list[Mentioned] = []
    mine = {(m.kind, m.code) for m in visible.find(text)} if visible is not None else None
    for (start, end, kind), matches in sorted(by_span.items()):
        if any(r.start < end and start < r.end for r in result):
            continue
        best = max(m.score for m in matches)
        top = [m for m in matches if m.score >= best - 1e-9]
        if mine is not None:
            seen = [m for m in top if (m.kind, m.code) in mine]
            if not seen:
                result.append(Mentioned(kind, top[0].code, top[0].name, start, end, False))
                continue
            top = seen
        first = top[0]
        ties = [(m.code, m.name) for m in top[1:]]
        result.append(Mentioned(kind, first.code, first.name, start, end, True, ties))
    return result


async def plan_turn(runtime: Runtime, turn: Any) -> RoutePlan:
    """The router's plan for `turn` (and the LLM planner's, when allowed and unsure)."""
    router = await get_router(runtime)
    principal: Principal = turn.principal
    everything = await _entity_index(runtime, None)
    visible = await _entity_index(runtime, principal)
    tools = await backends.erp_tools(runtime, principal)

    linked: dict[str, list[Mentioned]] = {}  # the router and the record check ask alike

    def find(text: str) -> list[Mentioned]:
        if text not in linked:
            found = link_mentions(everything, visible, text) if everything is not None else []
            linked[text] = found
        return list(linked[text])

    def closest(kind: str, mention: str) -> list[str]:
        if visible is None or not hasattr(visible, "closest"):
            return []
        return [m.name for m in visible.closest(kind, mention, n=3)]

    inp = RouterInput(
        question=turn.text,
        today=turn.today,
        allowed_tools={str(getattr(t, "name", "")) for t in tools},
        attributes=dict(principal.attributes),
        display_name=principal.display_name,
        find_entities=find,
        previous=RoutePlan.from_json(turn.previous_plan),
        closest=closest,
    )
    plan = router.route(inp)
    employees = [m.name for m in find(turn.text) if m.kind == "employee"]
    other = rules.other_person_record(turn.text, employees, principal.display_name)
    if other is not None:
        plan.notes.append("other_person_record")  # never turned into a document question
        if plan.intent in ("doc_qa", "chitchat", "out_of_scope") and plan.refusal is None:
            # No document holds one employee's pay or evaluation; a policy text in its place
            # would read like an answer about that person. (ERP tools check this per tool.)
            plan.refusal, plan.refusal_code = messages.other_person(other), "erp_forbidden"
            plan.source, plan.confidence = "rule", 1.0
    settings = runtime.settings.chat
    if "low_confidence" in plan.notes and settings.router_llm_fallback and model_available(runtime):
        plan = await _llm_plan(runtime, turn, tools, inp) or plan
    return plan


async def _llm_plan(runtime: Runtime, turn: Any, tools: list[Any], inp: RouterInput) -> Any:
    """The LLM planner (complete tool descriptions); its calls are checked like the router's."""
    from dari.chat.assistant import intent
    from dari.llm.base import LLMError

    try:
        planned = await intent.analyse(
            backends.llm(runtime), turn.text, turn.history, tools, turn.today, full=True
        )
    except LLMError as exc:
        log.info("LLM planner failed (%s); keeping the router's plan", exc.code)
        return None
    plan = RoutePlan(
        intent=planned.intent, search_query=planned.search_query, source="llm", confidence=0.0
    )
    for call in planned.erp_tool_calls:
        step = ToolCall(tool=call.tool, arguments=dict(call.arguments))
        if call.tool not in inp.allowed_tools:
            step.blocked = "이 데이터를 조회할 권한이 없습니다."
            step.blocked_code = "erp_forbidden"
        plan.calls.append(step)
    return plan

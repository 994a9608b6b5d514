"""Step 1 — intent analysis: one constrained-JSON LLM call decides what the question needs.

The call sees the question, the recent conversation (to resolve "그럼 지난달은?") and the ERP
tools *this user* may call. It never sees document text or ERP rows, so text inside the data
cannot choose a tool (prompt injection has nothing to act on here).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from dari.chat.assistant.prompts import render
from dari.erp.schemas import ToolDefinition
from dari.llm.base import ChatMessage, LLMClient

MAX_TOOL_CALLS = 3


class ErpCall(BaseModel):
    tool: str = Field(max_length=64)
    arguments: dict[str, Any] = Field(default_factory=dict)


class IntentPlan(BaseModel):
    """What the question needs; produced by the model under this JSON schema."""

    intent: Literal["doc_qa", "erp", "mixed", "chitchat", "out_of_scope"]
    search_query: str = Field("", max_length=500)
    erp_tool_calls: list[ErpCall] = Field(default_factory=list, max_length=MAX_TOOL_CALLS)
    needs_clarification: bool = False


def _parameter(name: str, spec: dict[str, Any], required: bool) -> str:
    kind = "날짜" if spec.get("format") == "date" else str(spec.get("type", "값"))
    if spec.get("enum"):
        kind = "|".join(str(v) for v in spec["enum"])
    return f"{name}{'*' if required else ''}: {kind}"


def _summary(text: str, limit: int = 90) -> str:
    first = text.split(". ")[0].strip()
    return first if len(first) <= limit else first[: limit - 1] + "…"


def describe_tools(tools: Sequence[ToolDefinition], *, full: bool = False) -> str:
    """One line per tool (`name(arg*: type, …) — what it does`): compact for small models
    (the first sentence, cut at 90 characters); `full` keeps the whole description (for a
    large model: `erp_query` then shows its tables and columns)."""
    lines = []
    for tool in tools:
        name, description, schema = tool.name, tool.description_ko, tool.parameters or {}
        required = set(schema.get("required") or [])
        properties = schema.get("properties") or {}
        arguments = ", ".join(
            _parameter(key, spec if isinstance(spec, dict) else {}, key in required)
            for key, spec in properties.items()
        )
        said = str(description) if full else _summary(str(description))
        lines.append(f"- {name}({arguments}) — {said}")
    if not lines:
        return "(없음 — 이 사용자는 ERP 데이터를 조회할 수 없습니다)"
    return "\n".join(lines) + "\n(* 표시는 필수 인자, 날짜는 YYYY-MM-DD)"


def intent_messages(
    question: str,
    history: Sequence[ChatMessage],
    tools: Sequence[ToolDefinition],
    today: date,
    *,
    full: bool = False,
) -> list[ChatMessage]:
    system = render("intent", today=today.isoformat(), tools=describe_tools(tools, full=full))
    lines = [f"{'사용자' if m.role == 'user' else '다리'}: {m.content[:400]}" for m in history]
    conversation = "\n".join(lines) if lines else "(없음)"
    user = f"이전 대화:\n{conversation}\n\n마지막 질문: {question}"
    return [ChatMessage(role="system", content=system), ChatMessage(role="user", content=user)]


async def analyse(
    llm: LLMClient,
    question: str,
    history: Sequence[ChatMessage],
    tools: Sequence[ToolDefinition],
    today: date,
    *,
    full: bool = False,
) -> IntentPlan:
    """The LLM planner's plan (used only when the router is unsure and
    DARI_CHAT_ROUTER_LLM_FALLBACK is on). Raises `LLMError` when it fails."""
    plan = await llm.generate_json(
        intent_messages(question, history, tools, today, full=full), IntentPlan, temperature=0.0
    )
    if not plan.search_query.strip():
        plan.search_query = question
    if plan.intent in ("chitchat", "out_of_scope", "doc_qa"):
        plan.erp_tool_calls = []
    return plan

"""What the router decides for one question: the route, the ERP calls and how to say it.

A plan is plain data: it is emitted (`intent` event), stored with the answer (the message's
`intent` column) and read back for the next turn, so "그럼 지난달은?" can change only the
period of the previous call.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Intent = Literal["doc_qa", "erp", "mixed", "chitchat", "out_of_scope"]
ROUTES: tuple[str, ...] = ("doc_qa", "chitchat", "out_of_scope")


@dataclass
class ToolCall:
    """One ERP tool with the arguments code derived from the question.

    `labels` are the Korean words the answer uses for what was asked: `period` ("2026년
    10월"), `as_of`, and per entity argument the name ("한빛상사" for customer `C0001`).
    """

    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    blocked: str | None = None  # why the call is not made (Korean, shown to the user)
    blocked_code: str | None = None  # erp_forbidden, not_found, bad_period


@dataclass
class Choice:
    """One answer to a clarifying question: `label` to show, `text` to send back."""

    label: str
    text: str


@dataclass
class RoutePlan:
    """The router's decision. `refusal`/`clarification` end the turn with that message."""

    intent: Intent
    search_query: str = ""
    calls: list[ToolCall] = field(default_factory=list)
    confidence: float = 1.0
    route: str = ""  # the classifier's label (a tool name, doc_qa, chitchat, out_of_scope)
    source: Literal["router", "follow_up", "llm", "rule"] = "router"
    clarification: str | None = None
    choices: list[Choice] = field(default_factory=list)
    refusal: str | None = None
    refusal_code: str | None = None
    notes: list[str] = field(default_factory=list)  # why, for logs and the bench

    @property
    def needs_clarification(self) -> bool:
        return self.clarification is not None

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (stored with the message; `from_json` reads it back)."""
        data = asdict(self)
        # The fields the first release stored, kept so older readers still understand it.
        data["erp_tool_calls"] = [{"tool": c.tool, "arguments": c.arguments} for c in self.calls]
        data["needs_clarification"] = self.needs_clarification
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> RoutePlan | None:
        """The plan stored with an earlier answer, or None (older messages, other formats)."""
        if not isinstance(data, dict) or "calls" not in data:
            return None
        try:
            calls = [
                ToolCall(
                    tool=str(c["tool"]),
                    arguments=dict(c.get("arguments") or {}),
                    labels={str(k): str(v) for k, v in (c.get("labels") or {}).items()},
                )
                for c in data.get("calls") or []
            ]
            return cls(
                intent=data.get("intent", "doc_qa"),
                search_query=str(data.get("search_query", "")),
                calls=calls,
                confidence=float(data.get("confidence", 1.0)),
                route=str(data.get("route", "")),
            )
        except (KeyError, TypeError, ValueError):
            return None

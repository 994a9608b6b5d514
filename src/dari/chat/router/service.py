"""The router: question (+ previous plan) → RoutePlan, in milliseconds, without a model.

1. Periods, ERP entities and codes in the question are found and become placeholders
   (`mentions`).
2. The trained classifier picks the route (a tool, documents, chit-chat, out of scope); a
   question in several clauses may get a route per clause ("mixed"). Among its likely
   tools, `rerank` prefers the one that takes what the question names.
3. A follow-up ("그럼 지난달은?") keeps the previous call and changes what it says.
4. Code fills the tool's arguments (`arguments.fill`) and decides, from data, what stops
   the call (`calls`): no permission, an entity the user may not see, two matching names, a
   missing value, an impossible period. The model never takes part in any of this.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from dari.chat.router import messages, rules
from dari.chat.router.arguments import Mentioned
from dari.chat.router.calls import add_call
from dari.chat.router.classifier import Classifier, Prediction
from dari.chat.router.features import Mention, features, normalise
from dari.chat.router.inputs import RouterInput
from dari.chat.router.mentions import (
    EntityFinder,
    Patterns,
    code_mentions,
    code_patterns,
    find_mentions,
    training_mentions,
    unknown_names,
)
from dari.chat.router.periods import Period, PeriodError, find_periods
from dari.chat.router.plan import ROUTES, RoutePlan
from dari.chat.router.rerank import Reranker

# Callers import these from here (chat.routing, training.router_run, router.cli), also the
# names that now live in `mentions` and `inputs`.
__all__ = [
    "ERP_ONLY",
    "ROUTE_CHARS",
    "EntityFinder",
    "Patterns",
    "Router",
    "RouterInput",
    "Thresholds",
    "code_mentions",
    "code_patterns",
    "training_mentions",
]

ROUTE_CHARS = 600
ERP_ONLY = frozenset({"customer", "supplier"})  # kinds documents do not talk about


@dataclass
class Thresholds:
    """The classifier confidences the router decides with."""

    accept: float = 0.30  # below: the route is unsure
    clause: float = 0.4  # a clause's own route counts for a mixed question above this
    # A runner-up this likely that takes a name the best tool cannot take is chosen instead.
    takes_named: float = 0.1


class Router:
    """Routes questions for one catalog with one trained classifier."""

    def __init__(self, model: Classifier, catalog: Any, thresholds: Thresholds | None = None):
        self.model = model
        self.catalog = catalog
        self.thresholds = thresholds or Thresholds()
        self.marker = ""  # which promoted router this is (chat.routing.get_router)
        self.tools = {tool.name: tool for tool in getattr(catalog, "tools", [])}
        self._patterns = code_patterns(catalog)
        self._reranker = Reranker(self.tools)  # which likely tool fits what is named

    # --- understanding ---------------------------------------------------------------------

    def mentions(
        self, text: str, today: date, finder: EntityFinder | None
    ) -> tuple[list[Period], PeriodError | None, list[Mentioned], list[Mention]]:
        """Periods, linked entities and all mentions (for placeholders) in `text`."""
        return find_mentions(text, today, finder, self._patterns)

    def unknown_names(self, text: str, spans: Sequence[Mention]) -> list[Mention]:
        """Company-like names no entity matched ("백두산업"), as customer mentions."""
        return unknown_names(text, spans)

    def predict(self, text: str, spans: Sequence[Mention]) -> Prediction:
        return self.model.predict(features(normalise(text, spans)))

    # --- routing ---------------------------------------------------------------------------

    def route(self, inp: RouterInput) -> RoutePlan:
        """The plan for one question (see the module docstring)."""
        # The question itself, not a pasted page, decides the route (and keeps it fast).
        text = inp.question.strip()[:ROUTE_CHARS]
        if not rules.HANGUL.search(text) and rules.LATIN_WORD.search(text):
            return RoutePlan(
                intent="out_of_scope",
                route="not_korean",
                refusal=messages.NOT_KOREAN,
                refusal_code="not_korean",
                source="rule",
            )
        periods, period_error, entities, spans = self.mentions(text, inp.today, inp.find_entities)
        whole = self.predict(text, spans)
        previous = inp.previous
        if previous and previous.calls and rules.is_follow_up(text, spans):
            switch = whole.label if whole.label in self.tools else None
            if (
                switch
                and switch not in {c.tool for c in previous.calls}
                and whole.confidence >= 0.4
                and rules.content_words(text, spans)
            ):
                # "그 중 제일 큰 거래처는?": another tool, the same conditions.
                plan = RoutePlan(
                    intent="erp", route=switch, source="follow_up", confidence=whole.confidence
                )
                add_call(
                    plan,
                    inp,
                    self.tools[switch],
                    text,
                    periods,
                    period_error,
                    entities,
                    previous.calls[0],
                    tools=self.tools,
                )
                return plan
            return self._follow_up(inp, text, previous, periods, period_error, entities)
        parts = self._clause_routes(text, spans) if len(text) >= 12 else []
        tool_parts = [(label, span) for label, _, span in parts if label in self.tools]
        docs = [span for label, _, span in parts if label == "doc_qa"]
        if tool_parts and (docs or len({label for label, _ in tool_parts}) >= 2):
            if docs:
                plan = RoutePlan(intent="mixed", confidence=whole.confidence, route="mixed")
                doc_text = " ".join(text[s:e] for s, e in docs)
                names = " ".join(e.name for e in entities if e.visible)
                plan.search_query = f"{doc_text} {names}".strip()
            else:
                route = "+".join(label for label, _ in tool_parts)
                plan = RoutePlan(intent="erp", confidence=whole.confidence, route=route)
            seen: set[str] = set()
            for label, (start, end) in tool_parts:
                if label in seen:
                    continue
                seen.add(label)
                # Each call reads only its own clause: "연차 며칠 남았고, 다음 해로 …" must not
                # give the leave balance the period of the other half.
                clause = text[start:end]
                try:
                    own, error = find_periods(clause, inp.today), None
                except PeriodError as exc:
                    own, error = [], exc
                inner = [
                    replace(e, start=e.start - start, end=e.end - start)
                    for e in entities
                    if e.start >= start and e.end <= end
                ]
                add_call(plan, inp, self.tools[label], clause, own, error, inner, tools=self.tools)
            return plan
        else:
            # "백두산업 매출" is a per-customer question even though no customer matched.
            named_spans = [*spans, *self.unknown_names(text, spans)]
            label = self._rerank(whole, named_spans, text, inp.allowed_tools)
            if label == "doc_qa" and whole.confidence < self.thresholds.accept:
                # Unsure, and the question names a customer or supplier (which documents do
                # not hold): the best tool that takes it.
                label = (
                    self._reranker.tool_for(whole, {e.kind for e in entities} & ERP_ONLY) or label
                )
            confidence = dict(whole.ranked)[label]
            tools = [label] if label in self.tools else []
            named = self._reranker.tool_for(whole, {e.kind for e in entities} & ERP_ONLY)
            if label == "doc_qa" and named:
                # A document question that names a customer ("세원테크랑 거래 조건"): the rules
                # and that customer's data both, each checked on its own (mixed).
                plan = RoutePlan(intent="mixed", confidence=confidence, route="mixed")
                plan.search_query = text
                add_call(
                    plan,
                    inp,
                    self.tools[named],
                    text,
                    periods,
                    period_error,
                    entities,
                    tools=self.tools,
                    shared_text=True,
                )
                return plan
            if label in ROUTES or not tools:
                intent = label if label in ROUTES else "doc_qa"
                plan = RoutePlan(intent=intent, confidence=confidence, route=label)  # type: ignore[arg-type]
                plan.search_query = text
                if confidence < self.thresholds.accept:
                    plan.notes.append("low_confidence")
                return plan
            plan = RoutePlan(intent="erp", confidence=confidence, route=label)
            if confidence < self.thresholds.accept:
                plan.notes.append("low_confidence")
        context = None
        # "베어링 B101 재고 있나요?" → "입고 예정은 언제예요?": a short question that names
        # nothing is about what the conversation was about.
        short = len(rules.content_words(text, spans)) <= 3
        if previous and previous.calls and not entities and not periods and short:
            context = previous.calls[0]
        for tool in dict.fromkeys(tools):
            add_call(
                plan,
                inp,
                self.tools[tool],
                text,
                periods,
                period_error,
                entities,
                context,
                tools=self.tools,
            )
        return plan

    def _clause_routes(
        self, text: str, spans: Sequence[Mention]
    ) -> list[tuple[str, float, tuple[int, int]]]:
        pieces = rules.clauses(text)
        if len(pieces) < 2:
            return []
        routes = []
        for start, end in pieces:
            inner = [
                Mention(m.kind, m.start - start, m.end - start)
                for m in spans
                if m.start >= start and m.end <= end
            ]
            prediction = self.predict(text[start:end], inner)
            if prediction.confidence >= self.thresholds.clause:
                routes.append((prediction.label, prediction.confidence, (start, end)))
        return routes

    def _rerank(
        self,
        prediction: Prediction,
        spans: Sequence[Mention],
        text: str = "",
        allowed: Collection[str] | None = None,
    ) -> str:
        """The label `rerank.Reranker.rerank` chooses (kept here: the tests call it)."""
        return self._reranker.rerank(
            prediction, spans, text, allowed, takes_named=self.thresholds.takes_named
        )

    def _follow_up(
        self,
        inp: RouterInput,
        text: str,
        previous: RoutePlan,
        periods: list[Period],
        period_error: PeriodError | None,
        entities: list[Mentioned],
    ) -> RoutePlan:
        plan = RoutePlan(
            intent="erp",
            route=previous.calls[0].tool,
            source="follow_up",
            confidence=previous.confidence,
        )
        for call in previous.calls:
            add_call(
                plan,
                inp,
                self.tools[call.tool],
                text,
                periods,
                period_error,
                entities,
                call,
                tools=self.tools,
            )
        return plan

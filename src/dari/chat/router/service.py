"""The router: question (+ previous plan) → RoutePlan, in milliseconds, without a model.

1. Periods, ERP entities and codes in the question are found and become placeholders.
2. The trained classifier picks the route (a tool, documents, chit-chat, out of scope); a
   question in several clauses may get a route per clause ("mixed").
3. A follow-up ("그럼 지난달은?") keeps the previous call and changes what it says.
4. Code fills the tool's arguments (`arguments.fill`) and decides, from data, what stops
   the call: no permission, an entity the user may not see, two matching names, a missing
   value, an impossible period. The model never takes part in any of this.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dari.chat.router import rules
from dari.chat.router.arguments import Mentioned, fill
from dari.chat.router.classifier import Classifier, Prediction
from dari.chat.router.features import Mention, features, normalise
from dari.chat.router.periods import Period, PeriodError, find_periods
from dari.chat.router.plan import ROUTES, Choice, RoutePlan, ToolCall

EntityFinder = Callable[[str], Sequence[Mentioned]]
Patterns = list[tuple[str, re.Pattern[str]]]
ROUTE_CHARS = 600
ERP_ONLY = frozenset({"customer", "supplier"})  # kinds documents do not talk about
_PERIODISH = re.compile(r"\d{2,4}\s*년(?:도)?|\d{1,2}\s*월|내년|다음\s*(?:달|주|분기|해)")


def code_patterns(catalog: Any) -> Patterns:
    """The code shapes the catalog's parameters declare (`pattern: ^SO[0-9]{10}$`)."""
    return [
        (name, re.compile(rf"(?<![A-Za-z0-9]){str(spec['pattern']).strip('^$')}", re.I))
        for tool in getattr(catalog, "tools", [])
        for name, spec in (tool.parameters.get("properties") or {}).items()
        if isinstance(spec, dict) and spec.get("pattern")
    ]


def code_mentions(text: str, patterns: Patterns) -> list[Mention]:
    return [Mention(name, m.start(), m.end()) for name, p in patterns for m in p.finditer(text)]


def training_mentions(
    catalog: Any, entity_spans: Callable[[str], Sequence[Mention]] | None
) -> Callable[[str], list[Mention]]:
    """The mentions of an example, found exactly as for a live question (periods relative to
    today, ERP entities, codes), so training and routing see the same placeholders."""
    patterns = code_patterns(catalog)

    def find(text: str) -> list[Mention]:
        try:
            periods = find_periods(text, date.today())
        except PeriodError:
            periods = []
        spans = [Mention("period", p.span[0], p.span[1]) for p in periods]
        spans += list(entity_spans(text)) if entity_spans else []
        return spans + code_mentions(text, patterns)

    return find


@dataclass
class RouterInput:
    """Everything the router needs about one turn (no I/O happens inside `route`)."""

    question: str
    today: date
    allowed_tools: Collection[str]
    attributes: Mapping[str, str] = field(default_factory=dict)
    display_name: str = ""
    find_entities: EntityFinder | None = None
    previous: RoutePlan | None = None
    closest: Callable[[str, str], list[str]] | None = None  # (kind, mention) → visible names


@dataclass
class Thresholds:
    accept: float = 0.30  # below: the route is unsure
    clause: float = 0.4  # a clause's own route counts for a mixed question above this


class Router:
    """Routes questions for one catalog with one trained classifier."""

    def __init__(self, model: Classifier, catalog: Any, thresholds: Thresholds | None = None):
        self.model = model
        self.catalog = catalog
        self.thresholds = thresholds or Thresholds()
        self.marker = ""  # which promoted router this is (chat.routing.get_router)
        self.tools = {tool.name: tool for tool in getattr(catalog, "tools", [])}
        self._patterns = code_patterns(catalog)

    # --- understanding ---------------------------------------------------------------------

    def mentions(
        self, text: str, today: date, finder: EntityFinder | None
    ) -> tuple[list[Period], PeriodError | None, list[Mentioned], list[Mention]]:
        """Periods, linked entities and all mentions (for placeholders) in `text`."""
        try:
            periods, error = find_periods(text, today), None
        except PeriodError as exc:
            periods, error = [], exc
        entities = list(finder(text)) if finder else []
        spans = [Mention("period", p.span[0], p.span[1]) for p in periods]
        if error is not None:  # "2030년 매출": still a question about a period
            spans += [Mention("period", m.start(), m.end()) for m in _PERIODISH.finditer(text)]
        spans += [Mention(e.kind, e.start, e.end) for e in entities]
        spans += code_mentions(text, self._patterns)
        return periods, error, entities, spans

    def unknown_names(self, text: str, spans: Sequence[Mention]) -> list[Mention]:
        """Company-like names no entity matched ("백두산업"), as customer mentions."""
        found = []
        for name in rules.unknown_companies(text, spans):
            start = text.find(name)
            found.append(Mention("customer", start, start + len(name)))
        return found

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
                refusal="다리는 한국어 질문에 답합니다. 한국어로 다시 질문해 주세요. "
                "(Please ask in Korean.)",
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
                self._add_call(
                    plan, inp, switch, text, periods, period_error, entities, previous.calls[0]
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
                    Mentioned(
                        e.kind, e.code, e.name, e.start - start, e.end - start, e.visible, e.ties
                    )
                    for e in entities
                    if e.start >= start and e.end <= end
                ]
                self._add_call(plan, inp, label, clause, own, error, inner)
            return plan
        else:
            # "백두산업 매출" is a per-customer question even though no customer matched.
            label = self._rerank(whole, [*spans, *self.unknown_names(text, spans)])
            if label == "doc_qa" and whole.confidence < self.thresholds.accept:
                # Unsure, and the question names a customer or supplier (which documents do
                # not hold): the best tool that takes it.
                label = self._tool_for(whole, {e.kind for e in entities} & ERP_ONLY) or label
            confidence = dict(whole.ranked)[label]
            tools = [label] if label in self.tools else []
            named = self._tool_for(whole, {e.kind for e in entities} & ERP_ONLY)
            if label == "doc_qa" and named:
                # A document question that names a customer ("세원테크랑 거래 조건"): the rules
                # and that customer's data both, each checked on its own (mixed).
                plan = RoutePlan(intent="mixed", confidence=confidence, route="mixed")
                plan.search_query = text
                self._add_call(plan, inp, named, text, periods, period_error, entities)
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
            self._add_call(plan, inp, tool, text, periods, period_error, entities, context)
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

    def _tool_for(self, prediction: Prediction, kinds: set[str]) -> str | None:
        """The most probable tool that takes one of `kinds`."""
        if not kinds:
            return None
        for label, _ in prediction.ranked:
            tool = self.tools.get(label)
            if tool is not None and kinds & _entity_kinds(tool.parameters):
                return label
        return None

    def _rerank(self, prediction: Prediction, spans: Sequence[Mention]) -> str:
        """Among close runners-up, prefer a tool that takes what the question names
        ("한빛상사 매출" is a per-customer question even if "매출" alone is per-period;
        "SO2611015700" is an order number only one tool takes)."""
        kinds = {m.kind for m in spans if m.kind != "period"}
        best = prediction.label
        if not kinds or best not in self.tools:
            return best
        best_score = -1.0
        for label, probability in prediction.ranked[:4]:
            tool = self.tools.get(label)
            if tool is None or probability < prediction.confidence * 0.3:
                continue
            properties = tool.parameters.get("properties") or {}
            accepted = _entity_kinds(tool.parameters) | set(properties)
            score = probability + 0.25 * len(kinds & accepted)
            if score > best_score + 1e-9:
                best, best_score = label, score
        return best

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
            self._add_call(plan, inp, call.tool, text, periods, period_error, entities, call)
        return plan

    def _add_call(
        self,
        plan: RoutePlan,
        inp: RouterInput,
        tool_name: str,
        text: str,
        periods: list[Period],
        period_error: PeriodError | None,
        entities: list[Mentioned],
        previous: ToolCall | None = None,
    ) -> None:
        tool = self.tools[tool_name]
        title = tool.description_ko.split(".")[0].split("(")[0].strip()
        call = ToolCall(tool=tool_name)
        plan.calls.append(call)
        if tool_name not in inp.allowed_tools:
            call.blocked = (
                f"'{title}' 데이터를 조회할 권한이 없습니다. 필요하면 관리자에게 권한을 요청하세요."
            )
            call.blocked_code = "erp_forbidden"
            return
        if period_error is not None:
            call.blocked = str(getattr(period_error, "message", period_error))
            call.blocked_code = "bad_period"
            return
        result = fill(
            tool.parameters,
            text,
            today=inp.today,
            periods=periods,
            mentions=entities,
            attributes=inp.attributes,
            previous=previous.arguments if previous else None,
            previous_labels=previous.labels if previous else None,
            topic=tool.description_ko.split()[0] if tool.description_ko else "",
        )
        call.arguments, call.labels = result.arguments, result.labels
        accepted = _entity_kinds(tool.parameters)
        if result.hidden is not None:
            hidden = result.hidden
            call.blocked = _not_found_message(text[hidden.start : hidden.end], hidden.kind, inp)
            call.blocked_code = "not_found"
            return
        named = [name for name, _, _ in rules.people(text)]
        named += [e.name for e in entities if e.kind == "employee"]
        for name in named:
            if name not in inp.display_name and "employee" not in accepted:
                call.blocked = (
                    f"다른 직원({name})의 정보는 조회할 권한이 없습니다. "
                    "본인의 정보만 조회할 수 있습니다."
                )
                call.blocked_code = "erp_forbidden"
                return
        unknown = rules.unknown_companies(text, [Mention(e.kind, e.start, e.end) for e in entities])
        if unknown and (accepted & {"customer", "supplier"} or rules.surely_company(unknown[0])):
            # Never answer while ignoring a company the question names ("백두산업 매출"
            # answered with the user's whole sales would be a wrong figure).
            kind = (
                "supplier" if "supplier" in accepted and "customer" not in accepted else "customer"
            )
            call.blocked = _not_found_message(unknown[0], kind, inp)
            call.blocked_code = "not_found"
            return
        if result.ambiguous is not None:
            mention = result.ambiguous
            written = text[mention.start : mention.end]
            options = [(mention.code, mention.name), *mention.ties][:5]
            # The code goes into the question sent back: equal names would be ambiguous again.
            plan.choices = [
                Choice(
                    label=f"{name} ({code})",
                    text=text[: mention.start] + code + text[mention.end :],
                )
                for code, name in options
            ]
            listed = ", ".join(choice.label for choice in plan.choices)
            plan.clarification = (
                f"'{written}'에 해당하는 항목이 {len(options)}개입니다: {listed}. 어느 것인가요?"
            )
            return
        if result.missing:
            plan.clarification = (
                f"조회하려면 {', '.join(result.missing)}이(가) 필요합니다. 질문에 함께 알려 주세요."
            )


def _entity_kinds(parameters: Mapping[str, Any]) -> set[str]:
    return {
        str(spec["entity"])
        for spec in (parameters.get("properties") or {}).values()
        if isinstance(spec, dict) and spec.get("entity")
    }


KIND_LABELS = {
    "customer": "거래처",
    "supplier": "공급처",
    "item": "품목",
    "department": "부서",
    "employee": "직원",
    "warehouse": "창고",
    "category": "품목군",
}


def _not_found_message(written: str, kind: str, inp: RouterInput) -> str:
    """One sentence for a name outside the user's scope *and* a name that does not exist,
    so the answer never tells them apart ("태광엔지니어링" of another team vs "없는상사"),
    with the closest names the user may see. The name is quoted as the user wrote it."""
    label = KIND_LABELS.get(kind, "항목")
    message = (
        f"조회할 수 있는 {label} 중에서 '{written}'을(를) 찾을 수 없습니다"
        f"(조회 권한이 없거나 없는 {label}입니다)."
    )
    suggestions = inp.closest(kind, written) if inp.closest else []
    if suggestions:
        message += " 비슷한 이름: " + ", ".join(suggestions[:3]) + "."
    return message

"""One ERP call of a plan: its arguments, and what stops it, decided from data.

A call is stopped (`blocked`, with a Korean sentence and a code) when the user may not use
the tool, the period is impossible, the question names an entity the user may not see, a
company no entity matches or a code no entity the user may see has ("S200", `codes`), or
another person for a tool that shows only one's own data. Two
equally matching names, a missing required value, or an entity the tool cannot be narrowed to
("모터" for the sales per period: its total is not the 모터 total) turn the plan into a
clarifying question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from dari.chat.router import messages, rules
from dari.chat.router.arguments import Mentioned, fill
from dari.chat.router.features import Mention
from dari.chat.router.inputs import RouterInput
from dari.chat.router.periods import Period, PeriodError
from dari.chat.router.plan import Choice, RoutePlan, ToolCall


def entity_kinds(parameters: Mapping[str, Any]) -> set[str]:
    """The entity kinds a tool's parameters take (`entity: customer`)."""
    return {
        str(spec["entity"])
        for spec in (parameters.get("properties") or {}).values()
        if isinstance(spec, dict) and spec.get("entity")
    }


COMPANY_KINDS = frozenset({"customer", "supplier"})
# People are checked on their own (another person: `messages.other_person`; one's own name
# is no filter).
_PEOPLE = frozenset({"employee"})


def takes(tool: Any, kinds: set[str]) -> set[str]:
    """Which of the mention `kinds` (entity kinds, code parameters) `tool` has a parameter for."""
    properties = tool.parameters.get("properties") or {}
    return kinds & (entity_kinds(tool.parameters) | set(properties))


def subject(tool: Any) -> str:
    """What a tool gives, in its own words: the first sentence of its Korean description
    without the parenthesised details ("품목별 매출 수량과 공급가액")."""
    first = (tool.description_ko or tool.name).split(".")[0]
    return re.sub(r"\s*\([^)]*\)", "", first).strip() or tool.name


# The user attribute that names the asking employee in a row scope (docs/erp.md).
_OWN_CODE = "erp_employee_code"
_OWN_ONLY = re.compile(r"본인(?:의)?\s*(?:것|정보|데이터)?만")
_GROUP_SUBJECT = re.compile(r"부서|팀|직원|사원")


def self_only(tool: Any) -> bool:
    """A tool that shows only the asking user's own rows (`my_leave_balance`): every rule of
    its row scope binds the user's own employee code, or, without a row scope, its
    description says so ("본인 것만")."""
    rules = list(getattr(tool, "row_scope", None) or [])
    if rules:
        return all(_OWN_CODE in rule.user_attributes() for rule in rules)
    return bool(_OWN_ONLY.search(tool.description_ko or ""))


def about_group(tool: Any) -> bool:
    """A tool about a department or team's people or figures, not only the user's own: it
    takes a department, or its subject names one ("우리 부서 직원의 연차 현황")."""
    if self_only(tool):
        return False
    return "department" in entity_kinds(tool.parameters) or bool(
        _GROUP_SUBJECT.search(subject(tool))
    )


def add_call(
    plan: RoutePlan,
    inp: RouterInput,
    tool: Any,
    text: str,
    periods: list[Period],
    period_error: PeriodError | None,
    entities: list[Mentioned],
    previous: ToolCall | None = None,
    *,
    tools: Mapping[str, Any] | None = None,
    shared_text: bool = False,
) -> None:
    """Append a call of the catalog tool `tool` to `plan`, reading only `text` (its clause);
    `previous` is the call a follow-up keeps (its arguments fill what `text` does not say).
    `tools` (the catalog's, by name) lets a clarification name the tools that could take an
    entity this one cannot; `shared_text`: `text` is also the document query of a mixed plan,
    so a name this tool cannot take may be for the documents and does not stop the call."""
    accepted = entity_kinds(tool.parameters)
    entities = [_kind_taken(mention, accepted) for mention in entities]
    call = ToolCall(tool=tool.name)
    plan.calls.append(call)
    if tool.name not in inp.allowed_tools:
        # The parenthesised details go, not what follows them ("우리 부서 직원의 연차 현황").
        call.blocked = messages.no_permission(subject(tool))
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
    if result.hidden is not None:
        _not_found(call, text, result.hidden, inp)
        return
    named = [name for name, _, _ in rules.people(text)]
    named += [e.name for e in entities if e.kind == "employee"]
    for name in named:
        if name not in inp.display_name and "employee" not in accepted:
            call.blocked = messages.other_person(name)
            call.blocked_code = "erp_forbidden"
            return
    # A company the user may not see, of a kind this tool does not take, is treated exactly
    # like a company no entity matches: the answer never tells the two apart.
    linked = [
        Mention(e.kind, e.start, e.end)
        for e in entities
        if e.visible or e.kind in accepted or e.kind not in COMPANY_KINDS
    ]
    unknown = rules.unknown_companies(text, linked)
    if unknown and (accepted & {"customer", "supplier"} or rules.surely_company(unknown[0])):
        # Never answer while ignoring a company the question names ("백두산업 매출"
        # answered with the user's whole sales would be a wrong figure).
        kind = "supplier" if "supplier" in accepted and "customer" not in accepted else "customer"
        call.blocked = messages.not_found(unknown[0], kind, inp.closest)
        call.blocked_code = "not_found"
        return
    for mention in entities:
        # Any other name the user may not see (another team's department), of a kind this
        # tool does not take: the same answer as for a name it takes. So is a code no entity
        # the user may see has, of any kind ("C0999 재고": hidden and missing alike).
        if mention.visible or mention.kind in accepted | _PEOPLE:
            continue
        if mention.kind not in COMPANY_KINDS or mention.code_shape is not None:
            _not_found(call, text, mention, inp)
            return
    if result.ambiguous is not None:
        mention = result.ambiguous
        options = [(mention.code, mention.name), *mention.ties][:5]
        # The code goes into the question sent back: equal names would be ambiguous again.
        plan.choices = [
            Choice(
                label=f"{name} ({code})",
                text=text[: mention.start] + code + text[mention.end :],
            )
            for code, name in options
        ]
        plan.clarification = messages.ambiguous(
            text[mention.start : mention.end], [choice.label for choice in plan.choices]
        )
        return
    if result.missing:
        plan.clarification = messages.missing(result.missing)
        return
    unused = [e for e in entities if e.visible and e.kind not in accepted | _PEOPLE]
    if unused and not shared_text and plan.clarification is None:
        # Never answer a figure as if the question's filter applied ("모터 매출" answered with
        # all sales): say which filter this tool cannot take and which tools can.
        mention = unused[0]
        others = [
            subject(other)
            for name, other in (tools or {}).items()
            if name != tool.name
            and name in inp.allowed_tools
            and mention.kind in entity_kinds(other.parameters)
        ]
        plan.clarification = messages.cannot_filter(
            text[mention.start : mention.end], mention.kind, subject(tool), others
        )


def _kind_taken(mention: Mentioned, accepted: set[str]) -> Mentioned:
    """An unseen code as the kind of its shape this call takes, if its first kind is not."""
    shape = mention.code_shape
    if shape is None or mention.kind in accepted:
        return mention
    kind = next((k for k in shape.kinds if k in accepted), mention.kind)
    return replace(mention, kind=kind)


def _not_found(call: ToolCall, text: str, mention: Mentioned, inp: RouterInput) -> None:
    """Block `call`: `mention` names nothing the user may see (outside their scope or not at
    all: one sentence for both). A code gets the nearest codes the user may see, a name the
    closest names."""
    written = text[mention.start : mention.end]
    if mention.code_shape is not None:
        near = list(mention.code_shape.near.get(mention.kind, ()))
        call.blocked = messages.not_found(written, mention.kind, lambda _k, _w: near, "코드")
    else:
        call.blocked = messages.not_found(written, mention.kind, inp.closest)
    call.blocked_code = "not_found"

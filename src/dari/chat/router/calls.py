"""One ERP call of a plan: its arguments, and what stops it, decided from data.

A call is stopped (`blocked`, with a Korean sentence and a code) when the user may not use
the tool, the period is impossible, the question names an entity the user may not see or a
company no entity matches, or another person for a tool that shows only one's own data. Two
equally matching names or a missing required value turn the plan into a clarifying question.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def add_call(
    plan: RoutePlan,
    inp: RouterInput,
    tool: Any,
    text: str,
    periods: list[Period],
    period_error: PeriodError | None,
    entities: list[Mentioned],
    previous: ToolCall | None = None,
) -> None:
    """Append a call of the catalog tool `tool` to `plan`, reading only `text` (its clause);
    `previous` is the call a follow-up keeps (its arguments fill what `text` does not say)."""
    title = tool.description_ko.split(".")[0].split("(")[0].strip()
    call = ToolCall(tool=tool.name)
    plan.calls.append(call)
    if tool.name not in inp.allowed_tools:
        call.blocked = messages.no_permission(title)
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
    accepted = entity_kinds(tool.parameters)
    if result.hidden is not None:
        hidden = result.hidden
        call.blocked = messages.not_found(text[hidden.start : hidden.end], hidden.kind, inp.closest)
        call.blocked_code = "not_found"
        return
    named = [name for name, _, _ in rules.people(text)]
    named += [e.name for e in entities if e.kind == "employee"]
    for name in named:
        if name not in inp.display_name and "employee" not in accepted:
            call.blocked = messages.other_person(name)
            call.blocked_code = "erp_forbidden"
            return
    unknown = rules.unknown_companies(text, [Mention(e.kind, e.start, e.end) for e in entities])
    if unknown and (accepted & {"customer", "supplier"} or rules.surely_company(unknown[0])):
        # Never answer while ignoring a company the question names ("백두산업 매출"
        # answered with the user's whole sales would be a wrong figure).
        kind = "supplier" if "supplier" in accepted and "customer" not in accepted else "customer"
        call.blocked = messages.not_found(unknown[0], kind, inp.closest)
        call.blocked_code = "not_found"
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

"""What a question names: periods, ERP entities, codes and unknown company names, as spans.

A code-like word that names no entity the user may see ("S200") is a hidden mention of the kind
whose codes have its shape (`codes.unseen_codes`).

The spans become placeholders (`ENTCUSTOMER ENTPERIOD 미수금`), so one example stands for
every customer and month. Training examples are read with the same finders as live
questions, so training and routing see the same placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from dari.chat.router import rules
from dari.chat.router.arguments import Mentioned
from dari.chat.router.codes import unseen_codes
from dari.chat.router.features import Mention
from dari.chat.router.periods import Period, PeriodError, find_periods

EntityFinder = Callable[[str], Sequence[Mentioned]]
Patterns = list[tuple[str, re.Pattern[str]]]
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
    """Every code of a declared shape in `text`, named by the parameter that takes it."""
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


def find_mentions(
    text: str, today: date, finder: EntityFinder | None, patterns: Patterns
) -> tuple[list[Period], PeriodError | None, list[Mentioned], list[Mention]]:
    """Periods, linked entities and all mentions (for placeholders) in a live question."""
    try:
        periods, error = find_periods(text, today), None
    except PeriodError as exc:
        periods, error = [], exc
    entities = list(finder(text)) if finder else []
    spans = [Mention("period", p.span[0], p.span[1]) for p in periods]
    if error is not None:  # "2030년 매출": still a question about a period
        spans += [Mention("period", m.start(), m.end()) for m in _PERIODISH.finditer(text)]
    codes = code_mentions(text, patterns)
    if finder is not None:
        # "S200 재고": a code no entity the user may see has is a hidden mention of its kind.
        entities = unseen_codes(text, entities, finder, [*spans, *codes])
    spans += [Mention(e.kind, e.start, e.end) for e in entities]
    spans += codes
    return periods, error, entities, spans


def unknown_names(text: str, spans: Sequence[Mention]) -> list[Mention]:
    """Company-like names no entity matched ("백두산업"), as customer mentions."""
    found = []
    for name in rules.unknown_companies(text, spans):
        start = text.find(name)
        found.append(Mention("customer", start, start + len(name)))
    return found

"""Citations: each `[n]` an answer writes is bound to the numbered source it names; numbers
that name no source are dropped. (Prompts and the checked model phrasing: `compose.py`.)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dari.chat.assistant.context import DocSource, ToolOutcome
from dari.chat.assistant.marks import CITATION, mark_numbers

_CITE = CITATION


def cited_numbers(text: str) -> list[int]:
    """The numbers cited as [n] or [n, m], in order of first appearance."""
    seen: list[int] = []
    for match in _CITE.finditer(text):
        for number in mark_numbers(match.group(1)):
            if number not in seen:
                seen.append(number)
    return seen


def bind_citations(
    text: str, documents: Sequence[DocSource], tools: Sequence[ToolOutcome]
) -> list[dict[str, Any]]:
    """A citation for each [n] in `text` that names a source (documents and ERP results)."""
    by_number: dict[int, dict[str, Any]] = {d.n: d.citation() for d in documents}
    by_number.update({t.n: t.citation() for t in tools if t.ok})
    return [by_number[n] for n in cited_numbers(text) if n in by_number]

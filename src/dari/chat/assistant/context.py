"""Step 2 — context: documents the user may read, ERP results the user may see, in budget.

Permissions are never decided here: the search filters by the user's access tokens inside the
index, and the ERP toolset enforces tool permissions and row scope for the principal it is
given. This module only numbers the results, trims them to the budget and renders them as
*data* for the answer prompt.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dari.erp.schemas import ColumnInfo, ToolResult
    from dari.search.base import ChunkRecord

SNIPPET_CHARS = 240
MIN_DOC_CHARS = 120
_TAG = re.compile(r"<\s*/?\s*자료", re.IGNORECASE)


@dataclass
class DocSource:
    """A retrieved chunk, numbered for citation."""

    n: int
    chunk_id: str
    document_id: str
    title: str
    location: dict[str, Any]
    text: str
    heading_path: list[str] = field(default_factory=list)

    def event(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "kind": "document",
            "chunk_id": self.chunk_id,
            "document_id": self.document_id,
            "title": self.title,
            "location": self.location,
            "snippet": snippet(self.text),
        }

    def citation(self) -> dict[str, Any]:
        return {"kind": "document", **{k: v for k, v in self.event().items() if k != "kind"}}


@dataclass
class ToolOutcome:
    """One ERP tool call and what came back (rows, or an error the user may see)."""

    n: int
    tool: str
    arguments: dict[str, Any]
    title: str = ""
    call_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    ok: bool = False
    columns: list[dict[str, Any]] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    row_count: int = 0
    truncated: bool = False
    chart: dict[str, Any] | None = None
    error: dict[str, str] | None = None
    labels: dict[str, str] = field(default_factory=dict)  # what the router said was asked

    def call_event(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "tool": self.tool,
            "title": self.title or None,
            "arguments": self.arguments,
            "n": self.n,
        }

    def result_event(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "tool": self.tool,
            "ok": self.ok,
            "columns": self.columns,
            "rows": self.rows,
            "row_count": self.row_count,
            "truncated": self.truncated,
            "chart": self.chart,
            "error": self.error,
            "n": self.n,
        }

    def citation(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "kind": "erp",
            "title": self.title or self.tool,
            "tool": self.tool,
            "arguments": self.arguments,
            "call_id": self.call_id,
        }

    def fill(self, result: ToolResult) -> None:
        """Take the ToolResult of the ERP toolset."""
        self.ok = True
        self.columns = [_column(c) for c in result.columns]
        self.rows = [list(r) for r in result.rows]
        self.row_count = result.row_count
        self.truncated = result.truncated
        self.chart = _chart(result.chart_hint)


def _column(column: ColumnInfo) -> dict[str, Any]:
    return {"name": column.name, "label": column.label or column.name, "unit": column.unit or None}


def _chart(chart: dict[str, Any] | None) -> dict[str, Any] | None:
    if not chart:
        return None
    y = chart.get("y")
    if isinstance(y, list | tuple):
        y = y[0] if y else None
    kind, x = chart.get("type"), chart.get("x")
    if kind not in ("line", "bar") or not x or not y:
        return None
    return {"type": kind, "x": str(x), "y": str(y)}


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def neutralise(text: str) -> str:
    """Data may not close or open a data block: `<자료`/`</자료` inside it are defused."""
    return _TAG.sub("〈자료", text)


def select_documents(hits: Sequence[ChunkRecord], budget: int) -> list[DocSource]:
    """Number the hits 1.. in rank order, keeping as many as fit in `budget` characters."""
    sources: list[DocSource] = []
    remaining = budget
    for hit in hits:
        if remaining < MIN_DOC_CHARS:
            break
        text = hit.text[:remaining]
        remaining -= len(text)
        sources.append(
            DocSource(
                n=len(sources) + 1,
                chunk_id=hit.chunk_id,
                document_id=hit.document_id,
                title=hit.title or "",
                location=dict(hit.location or {}),
                text=text,
                heading_path=list(hit.heading_path or []),
            )
        )
    return sources


def _where(location: dict[str, Any]) -> str:
    names = {"page": "쪽", "slide": "슬라이드", "sheet": "시트", "section": "절"}
    parts = [
        f"{value}{names.get(key, '')}" if key != "sheet" else f"{value} 시트"
        for key, value in location.items()
        if key in names
    ]
    return ", ".join(parts)


def render_document(source: DocSource) -> str:
    heading = " > ".join(source.heading_path)
    attrs = f'번호="{source.n}" 종류="문서" 제목="{neutralise(source.title)}"'
    where = _where(source.location)
    if where:
        attrs += f' 위치="{where}"'
    body = neutralise((f"[{heading}]\n" if heading else "") + source.text)
    return f"<자료 {attrs}>\n{body}\n</자료>"


def _cell(value: Any, unit: str | None = None) -> str:
    # Separators only for quantities with a unit: a year or a code stays as stored (2026,
    # not 2,026 — the model copied that into answers).
    if isinstance(value, int | float) and not isinstance(value, bool) and unit:
        return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
    return neutralise(str(value)).replace("|", "/").replace("\n", " ")


def render_tool(outcome: ToolOutcome, max_rows: int, budget: int) -> str:
    args = neutralise(json.dumps(outcome.arguments, ensure_ascii=False))
    head = f'<자료 번호="{outcome.n}" 종류="ERP" 도구="{outcome.tool}" 조건=\'{args}\'>'
    if not outcome.ok:
        error = outcome.error or {}
        label = "권한 없음" if error.get("code") == "erp_forbidden" else "조회 실패"
        return f"{head}\n{label}: {neutralise(error.get('message', ''))}\n</자료>"
    labels = [
        f"{c['label']}({c['unit']})" if c.get("unit") else str(c["label"]) for c in outcome.columns
    ]
    lines = ["| " + " | ".join(neutralise(label) for label in labels) + " |"]
    used = len(lines[0])
    shown = 0
    for row in outcome.rows[:max_rows]:
        units = [c.get("unit") for c in outcome.columns]
        line = "| " + " | ".join(_cell(v, u) for v, u in zip(row, units, strict=False)) + " |"
        if used + len(line) > budget and shown:
            break
        lines.append(line)
        used += len(line)
        shown += 1
    note = f"(전체 {outcome.row_count}행 중 {shown}행)" if shown < outcome.row_count else ""
    if outcome.row_count == 0:
        note = "(결과 없음: 조건에 맞는 데이터가 0건입니다)"
    return f"{head}\n" + "\n".join(lines) + (f"\n{note}" if note else "") + "\n</자료>"


def render_context(
    documents: list[DocSource], tools: list[ToolOutcome], *, max_rows: int, budget: int
) -> str:
    """Every source as a `<자료 번호="n">` block: ERP first (numbers matter most), then text."""
    blocks = []
    per_tool = max(400, budget // max(1, len(tools))) if tools else 0
    blocks += [render_tool(t, max_rows, per_tool) for t in tools]
    blocks += [render_document(d) for d in documents]
    return "\n\n".join(blocks)

"""The assistant's pure parts: citation binding, context budget, tool descriptions, history."""

from __future__ import annotations

from types import SimpleNamespace

from dari.chat.assistant.answer import bind_citations, cited_numbers
from dari.chat.assistant.context import (
    ToolOutcome,
    render_context,
    select_documents,
)
from dari.chat.assistant.intent import describe_tools
from dari.chat.models import Message
from dari.chat.service import history_messages
from dari.erp.schemas import ToolDefinition


def hit(n: int, text: str) -> SimpleNamespace:
    return SimpleNamespace(
        chunk_id=f"c{n}", document_id=f"d{n}", title=f"문서{n}", location={"page": n},
        text=text, heading_path=[],
    )  # fmt: skip


def test_citations_bind_only_to_existing_sources() -> None:
    documents = select_documents([hit(1, "가" * 50), hit(2, "나" * 50)], budget=1000)
    tool = ToolOutcome(n=3, tool="sales_by_period", arguments={"date_from": "2026-11-01"})
    tool.ok = True
    text = "답 [2] 그리고 [1, 3] 또 [2] 없는 번호 [7] [0]"
    assert cited_numbers(text) == [2, 1, 3, 7, 0]
    citations = bind_citations(text, documents, [tool])
    assert [(c["n"], c["kind"]) for c in citations] == [
        (2, "document"),
        (1, "document"),
        (3, "erp"),
    ]
    assert citations[0]["chunk_id"] == "c2" and citations[2]["call_id"] == tool.call_id
    failed = ToolOutcome(n=3, tool="x", arguments={})
    assert [c["n"] for c in bind_citations(text, documents, [failed])] == [2, 1]


def test_context_stays_within_budget() -> None:
    hits = [hit(i, "문장입니다. " * 100) for i in range(1, 6)]
    documents = select_documents(hits, budget=1500)
    assert sum(len(d.text) for d in documents) <= 1500
    assert [d.n for d in documents] == list(range(1, len(documents) + 1))
    assert 1 <= len(documents) < 5
    tool = ToolOutcome(n=len(documents) + 1, tool="top_items", arguments={})
    tool.ok, tool.row_count = True, 500
    tool.columns = [
        {"name": "item", "label": "품목", "unit": None},
        {"name": "qty", "label": "수량", "unit": "개"},
    ]
    tool.rows = [[f"품목{i}", i * 1000] for i in range(500)]
    context = render_context(documents, [tool], max_rows=30, budget=800)
    assert "| 품목 | 수량(개) |" in context and "| 품목1 | 1,000 |" in context
    assert "품목30" not in context and "(전체 500행 중" in context


def test_tools_are_described_compactly() -> None:
    tools = [
        ToolDefinition(
            name="sales_by_period",
            description_ko="기간별 매출 합계. 월별 또는 일별로 묶습니다.",
            description_en="Sales by period.",
            parameters={
                "type": "object",
                "properties": {
                    "date_from": {"type": "string", "format": "date"},
                    "group_by": {"type": "string", "enum": ["month", "day"]},
                },
                "required": ["date_from"],
            },
            permission="erp:sales",
            columns=[],
        )
    ]
    line = describe_tools(tools).splitlines()[0]
    assert line == "- sales_by_period(date_from*: 날짜, group_by: month|day) — 기간별 매출 합계"
    assert "조회할 수 없습니다" in describe_tools([])


def test_history_drops_old_citation_marks() -> None:
    messages = [
        Message(role="user", content="출장 일비?", cancelled=False),
        Message(role="assistant", content="1일 25,000원입니다 [1].", cancelled=False),
        Message(role="assistant", content="", cancelled=True),
    ]
    history = history_messages(messages)
    assert [(m.role, m.content) for m in history] == [
        ("user", "출장 일비?"),
        ("assistant", "1일 25,000원입니다."),
    ]

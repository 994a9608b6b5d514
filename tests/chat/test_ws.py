"""The issue's "done when": two users with different rights ask a document and an ERP question
over the WebSocket; tokens stream, citations point at the right chunk and rows, and the
restricted user is refused the ERP data they may not see."""

from __future__ import annotations

from typing import Any

from dari.chat.protocol import SERVER_EVENTS
from dari.erp.service import get_erp_toolset
from tests.chat import llm_server
from tests.chat.conftest import ChatServer, connect
from tests.chat.data import DOCUMENTS, TRAVEL_1, of, text_of

SALES_ARGS = {"date_from": "2026-11-01", "date_to": "2026-11-23"}
ORDER = ["started", "intent", "sources", "tool_call", "tool_result", "token", "citation", "done"]


def check_order(events: list[dict[str, Any]]) -> None:
    """Every event is valid protocol, numbered 1.. and in the protocol's stage order."""
    for event in events:
        SERVER_EVENTS.validate_python(event)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    stages = [ORDER.index(e["type"]) for e in events]
    assert stages == sorted(stages), [e["type"] for e in events]
    assert len({e["message_id"] for e in events}) == 1


async def test_document_and_erp_questions_for_two_users(
    any_server: ChatServer, make_user: Any, script: llm_server.Script
) -> None:
    server = any_server
    await server.index(DOCUMENTS)
    _, employee_token = await make_user(server.runtime, username="lee", roles=("employee",))
    manager, manager_token = await make_user(
        server.runtime,
        username="park",
        roles=("manager",),
        department="영업1팀",
        permissions=["erp_scope:all"],
    )

    # 1. A document question, as the employee.
    answer = "국내 출장 일비는 1일 25,000원입니다 [1]."
    script.intents.append(llm_server.intent("doc_qa", "국내 출장 일비"))
    script.answers.append({"text": answer, "delay": 0.01})
    async with connect(server, employee_token) as client:
        events = await client.ask("국내 출장 가면 일비 얼마 받아요?")
    check_order(events)
    assert len(of(events, "token")) > 3  # streamed in pieces, not in one block
    assert text_of(events) == answer
    sources = of(events, "sources")[0]["sources"]
    assert sources[0]["chunk_id"] == TRAVEL_1.chunk_id
    assert all(s["chunk_id"] != "strategy-1" for s in sources)  # manager-only document
    (citation,) = of(events, "citation")
    assert citation["kind"] == "document" and citation["n"] == 1
    assert citation["chunk_id"] == TRAVEL_1.chunk_id and citation["location"] == {"page": 2}
    done = of(events, "done")[0]
    assert done["cancelled"] is False and done["timings"]["total_ms"] > 0
    prompt = script.requests[-1]["messages"][-1]["content"]
    assert "1일 25,000원" in prompt and "120억" not in prompt

    # 2. An ERP question, as the manager: rows come from the ERP, cited as [1].
    expected = await get_erp_toolset(server.runtime).call_tool(
        manager, "sales_by_customer", SALES_ARGS
    )
    assert expected.row_count > 0
    call = {"tool": "sales_by_customer", "arguments": SALES_ARGS}
    script.intents.append(llm_server.intent("erp", "이번 달 거래처별 매출", [call]))
    script.answers.append({"text": "이번 달 거래처별 매출은 표와 같습니다 [1]."})
    async with connect(server, manager_token, first_frame=True) as client:
        events = await client.ask("이번 달 거래처별 매출 알려줘")
    check_order(events)
    (tool_call,) = of(events, "tool_call")
    (result,) = of(events, "tool_result")
    assert tool_call["arguments"] == SALES_ARGS and result["call_id"] == tool_call["call_id"]
    assert result["ok"] is True and result["rows"] == expected.rows
    assert result["row_count"] == expected.row_count
    (citation,) = of(events, "citation")
    assert citation["kind"] == "erp" and citation["call_id"] == tool_call["call_id"]
    assert citation["tool"] == "sales_by_customer" and citation["arguments"] == SALES_ARGS
    first_amount = expected.rows[0][3]
    assert f"{first_amount:,}" in script.requests[-1]["messages"][-1]["content"]

    # 3. The same ERP question as the employee: refused by the ERP toolset, no rows, no model.
    answers_before = len(script.requests)
    script.intents.append(llm_server.intent("erp", "이번 달 거래처별 매출", [call]))
    async with connect(server, employee_token) as client:
        events = await client.ask("이번 달 거래처별 매출 알려줘")
    check_order(events)
    (result,) = of(events, "tool_result")
    assert result["ok"] is False and result["error"]["code"] == "erp_forbidden"
    assert result["rows"] == [] and result["row_count"] == 0
    assert "권한" in text_of(events)
    assert not of(events, "citation")
    assert len(script.requests) == answers_before + 1  # only the intent call reached the model
    for row in expected.rows[:3]:
        assert str(row[1]) not in text_of(events)


async def test_conversation_is_saved_and_follow_up_uses_history(
    server: ChatServer, make_user: Any, script: llm_server.Script
) -> None:
    await server.index(DOCUMENTS)
    _, token = await make_user(server.runtime, username="choi", roles=("employee",))
    script.intents.append(llm_server.intent("doc_qa", "국내 출장 일비"))
    script.answers.append({"text": "일비는 1일 25,000원입니다 [1]."})
    script.intents.append(llm_server.intent("doc_qa", "국내 출장 숙박비"))
    script.answers.append({"text": "숙박비는 1박 최대 70,000원입니다 [1]."})
    async with connect(server, token) as client:
        first = await client.ask("출장 일비 얼마예요?")
        conversation_id = of(first, "started")[0]["conversation_id"]
        second = await client.ask("그럼 숙박비는?", conversation_id)
    assert of(second, "started")[0]["conversation_id"] == conversation_id
    # The follow-up's intent call saw the earlier turn (to resolve "그럼 …").
    intent_prompt = script.requests[-2]["messages"][-1]["content"]
    assert "출장 일비 얼마예요?" in intent_prompt and "그럼 숙박비는?" in intent_prompt
    async with server.http(token) as http:
        detail = (await http.get(f"/api/conversations/{conversation_id}")).json()
    roles = [m["role"] for m in detail["messages"]]
    assert roles == ["user", "assistant", "user", "assistant"]
    assert detail["messages"][3]["content"] == "숙박비는 1박 최대 70,000원입니다 [1]."
    assert detail["messages"][3]["citations"][0]["chunk_id"] == "travel-2"
    assert detail["title"] == "출장 일비 얼마예요?"

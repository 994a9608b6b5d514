"""The issue's "done when": two users with different rights ask a document and an ERP question
over the WebSocket; the answer streams, citations point at the right chunk and rows, and the
restricted user is refused the ERP data they may not see."""

from __future__ import annotations

from typing import Any

from dari.chat.protocol import SERVER_EVENTS
from dari.erp.service import get_erp_toolset
from tests.chat import llm_server
from tests.chat.conftest import ChatServer, connect
from tests.chat.data import DOCUMENTS, TRAVEL_1, of, text_of

# "이번 달" on the sample ERP's last day (every turn's today in these tests).
SALES_ARGS = {"date_from": "2026-11-01", "date_to": "2026-11-23", "limit": 500}
ORDER = [
    "started",
    "intent",
    "sources",
    "clarification",
    "tool_call",
    "tool_result",
    "token",
    "citation",
    "done",
]
LEAD = "「출장비 규정」에 따르면 다음과 같습니다.\n\n"


def check_order(events: list[dict[str, Any]]) -> None:
    """Every event is valid protocol, numbered 1.. and in the protocol's stage order
    (`status` events come whenever the model's place in line changes)."""
    for event in events:
        SERVER_EVENTS.validate_python(event)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    stages = [ORDER.index(e["type"]) for e in events if e["type"] != "status"]
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

    # 1. A document question, as the employee: the lead at once, the model's checked
    # sentences one by one, then the evidence, cited.
    sentences = [
        "국내 출장 일비는 1일 25,000원입니다 [1].",
        " 해외 출장 일비는 별표 1에 따릅니다 [1].",
    ]
    script.answers.append({"text": "".join(sentences), "delay": 0.01})
    async with connect(server, employee_token) as client:
        events = await client.ask("국내 출장 가면 일비 얼마 받아요?")
    check_order(events)
    tokens = [e["delta"] for e in of(events, "token")]
    assert tokens[0] == LEAD  # sent before the model was asked
    assert of(events, "token")[0]["seq"] < of(events, "status")[0]["seq"]
    assert tokens[1:3] == [sentences[0], sentences[1]]  # each sentence once it passed
    assert tokens[3].startswith("\n\n근거:\n") and "1일 25,000원을 지급한다. [1]" in tokens[3]
    assert text_of(events) == "".join(tokens)
    sources = of(events, "sources")[0]["sources"]
    assert sources[0]["chunk_id"] == TRAVEL_1.chunk_id
    assert all(s["chunk_id"] != "strategy-1" for s in sources)  # manager-only document
    (citation,) = of(events, "citation")
    assert citation["kind"] == "document" and citation["n"] == 1
    assert citation["chunk_id"] == TRAVEL_1.chunk_id and citation["location"] == {"page": 2}
    done = of(events, "done")[0]
    assert done["cancelled"] is False and done["timings"]["total_ms"] > 0
    assert done["verification"] == {"status": "verified", "problems": []}
    (request,) = script.requests
    prompt = llm_server.prompt_of(request)
    assert "1일 25,000원" in prompt and "120억" not in prompt

    # 2. An ERP question, as the manager: the answer is built from the ERP's rows (no model),
    # states the period and cites the call as [1].
    expected = await get_erp_toolset(server.runtime).call_tool(
        manager, "sales_by_customer", SALES_ARGS
    )
    assert expected.row_count > 1
    async with connect(server, manager_token, first_frame=True) as client:
        events = await client.ask("이번 달 거래처별 매출 알려줘")
    check_order(events)
    (intent,) = of(events, "intent")
    assert intent["route"] == "sales_by_customer" and intent["source"] == "router"
    (tool_call,) = of(events, "tool_call")
    (result,) = of(events, "tool_result")
    assert tool_call["arguments"] == SALES_ARGS and result["call_id"] == tool_call["call_id"]
    assert result["ok"] is True and result["rows"] == expected.rows
    assert result["row_count"] == expected.row_count
    (citation,) = of(events, "citation")
    assert citation["kind"] == "erp" and citation["call_id"] == tool_call["call_id"]
    assert citation["tool"] == "sales_by_customer" and citation["arguments"] == SALES_ARGS
    answer = text_of(events)
    assert answer.startswith("2026년 11월 1일~23일 거래처별 매출") and "[1]" in answer
    first = expected.rows[0]
    assert f"1. {first[1]}: {first[3]:,}원" in answer
    assert of(events, "done")[0]["verification"]["status"] == "built"
    assert len(script.requests) == 1  # the model was not asked

    # 3. The same ERP question as the employee (no permission for the tool): refused before
    # the ERP is called; no rows, no citation, no model.
    async with connect(server, employee_token) as client:
        events = await client.ask("이번 달 거래처별 매출 알려줘")
    check_order(events)
    (result,) = of(events, "tool_result")
    assert result["ok"] is False and result["error"]["code"] == "erp_forbidden"
    assert result["rows"] == [] and result["row_count"] == 0
    assert "권한이 없" in text_of(events)
    assert not of(events, "citation")
    assert len(script.requests) == 1
    for row in expected.rows[:3]:
        assert str(row[1]) not in text_of(events) and f"{row[3]:,}" not in text_of(events)


async def test_conversation_is_saved_and_follow_up_uses_history(
    server: ChatServer, make_user: Any, script: llm_server.Script
) -> None:
    """Every turn is stored with its plan; a follow-up ("작년은?") reads the previous answer's
    stored plan and changes only what it names."""
    await server.index(DOCUMENTS)
    _, token = await make_user(
        server.runtime,
        username="choi",
        roles=("employee",),
        attributes={"erp_employee_code": "E1001"},
    )
    script.answers.append({"text": "일비는 1일 25,000원입니다 [1]."})
    async with connect(server, token) as client:
        first = await client.ask("출장 일비 얼마예요?")
        conversation_id = of(first, "started")[0]["conversation_id"]
        second = await client.ask("올해 내 연차 며칠 남았어?", conversation_id)
        third = await client.ask("작년은?", conversation_id)
    for events in (second, third):
        assert of(events, "started")[0]["conversation_id"] == conversation_id
        assert of(events, "done"), events
    assert of(second, "tool_call")[0]["arguments"] == {"year": 2026}
    assert of(third, "intent")[0]["source"] == "follow_up"
    (call,) = of(third, "tool_call")
    assert call["tool"] == "my_leave_balance" and call["arguments"] == {"year": 2025}
    (result,) = of(third, "tool_result")
    assert result["ok"] and [row[0] for row in result["rows"]] == [2025]
    assert text_of(third).startswith("2025년 연차는")
    assert len(script.requests) == 1  # only the document answer asked the model

    async with server.http(token) as http:
        detail = (await http.get(f"/api/conversations/{conversation_id}")).json()
    messages = detail["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"] * 3
    assert [m["content"] for m in messages[::2]] == [
        "출장 일비 얼마예요?",
        "올해 내 연차 며칠 남았어?",
        "작년은?",
    ]
    assert messages[1]["content"] == text_of(first)
    assert "일비는 1일 25,000원입니다 [1]." in messages[1]["content"]
    assert messages[1]["citations"][0]["chunk_id"] == "travel-1"
    assert messages[1]["verification"]["status"] == "verified"
    assert messages[5]["content"] == text_of(third)
    assert messages[5]["citations"][0]["kind"] == "erp"
    assert messages[5]["tool_results"][0]["arguments"] == {"year": 2025}
    assert messages[5]["verification"]["status"] == "built"
    assert detail["title"] == "출장 일비 얼마예요?"

"""The new pipeline end to end, over real app servers, the sample ERP and the scripted model.

- ERP answers are built from the rows by code: the period asked, the figures of the rows, the
  tool cited; a tool the user may not call, or an entity outside their scope, is refused with
  no row of anyone else; a follow-up ("그럼 지난달은?") changes only the period; two customers
  of the same name are asked back with choices that tell them apart.
- Document answers: the model's sentence is sent only once it passed the check; a sentence
  with a wrong number is never sent (the evidence is the answer: `fallback`).
- The model is one slot: questions at once wait in line, told their place (`status`).
- Odd input (empty, too long, not Korean) gets a clear answer or error, never a stack trace.

Every turn's today is the sample ERP's last day (2026-11-23, `erp_today`).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest

from dari.config import Settings
from dari.erp.service import get_erp_toolset
from tests.chat import llm_server
from tests.chat.conftest import ChatServer, Servers, chat_settings, connect
from tests.chat.data import DOCUMENTS, TRAVEL_1, TRAVEL_2, of, text_of
from tests.chat.test_ws import check_order

LEAD = "「출장비 규정」에 따르면 다음과 같습니다.\n\n"
THIS_MONTH = {"date_from": "2026-11-01", "date_to": "2026-11-23"}
LAST_MONTH = {"date_from": "2026-10-01", "date_to": "2026-10-31"}


async def team_manager(server: ChatServer, make_user: Any, username: str) -> tuple[Any, str]:
    """The manager of 영업1팀 (D110): sees the sales of D110 and its customers only."""
    return await make_user(  # type: ignore[no-any-return]
        server.runtime,
        username=username,
        roles=("manager",),
        department="영업1팀",
        attributes={"department_code": "D110", "erp_employee_code": "E1010"},
    )


async def admin_rows(
    server: ChatServer, make_user: Any, tool: str, arguments: dict[str, Any]
) -> Any:
    """What the ERP holds for everyone (to show none of it reaches the wrong user)."""
    name = f"erp.all.{uuid.uuid4().hex[:8]}.{tool}"[:60]
    everyone, _ = await make_user(
        server.runtime, username=name, roles=("manager",), permissions=["erp_scope:all"]
    )
    return await get_erp_toolset(server.runtime).call_tool(everyone, tool, arguments)


def amounts(rows: list[list[Any]]) -> list[str]:
    """The amounts of `rows` as an answer would write them (1,234,567)."""
    return [f"{v:,}" for row in rows for v in row if isinstance(v, int) and v >= 10_000]


# --- ERP ---------------------------------------------------------------------------------------


async def test_erp_answer_is_built_from_the_rows_with_the_period_and_citation(
    server: ChatServer, make_user: Any, script: llm_server.Script
) -> None:
    manager, token = await team_manager(server, make_user, "kim.d110")
    async with connect(server, token) as client:
        events = await client.ask("지난달 우리 팀 매출 얼마야?")
    check_order(events)
    (intent,) = of(events, "intent")
    assert intent["intent"] == "erp" and intent["route"] == "sales_by_period"
    (call,) = of(events, "tool_call")
    arguments = {**LAST_MONTH, "department": "D110"}
    assert call["tool"] == "sales_by_period" and call["arguments"] == arguments
    expected = await get_erp_toolset(server.runtime).call_tool(
        manager, "sales_by_period", arguments
    )
    ((period, invoices, supply, _vat, total),) = expected.rows
    assert period == "2026-10"
    (result,) = of(events, "tool_result")
    assert result["ok"] and result["rows"] == expected.rows
    answer = text_of(events)
    assert answer.startswith("2026년 10월 ")  # the period the numbers are for
    assert f"매출(공급가액)은 {supply:,}원, 부가세 포함 합계는 {total:,}원" in answer
    assert f"(세금계산서 {invoices}건). [1]" in answer
    (citation,) = of(events, "citation")
    assert citation["kind"] == "erp" and citation["n"] == 1
    assert citation["tool"] == "sales_by_period" and citation["call_id"] == call["call_id"]
    assert citation["arguments"] == arguments
    done = of(events, "done")[0]
    assert done["verification"] == {"status": "built", "problems": []}
    assert script.requests == []  # built by code: no model call


async def test_follow_up_changes_only_the_period(
    server: ChatServer, make_user: Any, script: llm_server.Script
) -> None:
    manager, token = await team_manager(server, make_user, "lim.d110")
    async with connect(server, token) as client:
        first = await client.ask("이번 달 우리 팀 매출 얼마야?")
        conversation_id = of(first, "done")[0]["conversation_id"]
        second = await client.ask("그럼 지난달은?", conversation_id)
    (before,) = of(first, "tool_call")
    assert before["arguments"] == {**THIS_MONTH, "department": "D110"}
    assert text_of(first).startswith("2026년 11월 1일~23일 ")
    (intent,) = of(second, "intent")
    assert intent["source"] == "follow_up" and intent["route"] == "sales_by_period"
    (after,) = of(second, "tool_call")
    assert after["tool"] == before["tool"]
    assert after["arguments"] == {**before["arguments"], **LAST_MONTH}
    expected = await get_erp_toolset(server.runtime).call_tool(
        manager, "sales_by_period", after["arguments"]
    )
    assert of(second, "tool_result")[0]["rows"] == expected.rows
    answer = text_of(second)
    assert answer.startswith("2026년 10월 ") and f"{expected.rows[0][2]:,}원" in answer
    assert script.requests == []


async def test_tool_without_permission_is_refused_without_rows(
    server: ChatServer, make_user: Any, script: llm_server.Script
) -> None:
    everyone = await admin_rows(server, make_user, "sales_by_period", THIS_MONTH)
    assert everyone.row_count == 1
    # An employee may not call the sales tools at all: refused before the ERP is asked.
    _, employee = await make_user(server.runtime, username="jo", roles=("employee",))
    # A manager whose account has no ERP department: the ERP itself refuses the rows.
    _, unlinked = await make_user(server.runtime, username="no.dept", roles=("manager",))
    for token in (employee, unlinked):
        async with connect(server, token) as client:
            events = await client.ask("이번 달 매출 얼마야?")
        check_order(events)
        (call,) = of(events, "tool_call")
        (result,) = of(events, "tool_result")
        assert call["tool"] == "sales_by_period"
        assert result["ok"] is False and result["error"]["code"] == "erp_forbidden"
        assert result["rows"] == [] and result["row_count"] == 0
        answer = text_of(events)
        assert "권한이 없" in answer
        assert not of(events, "citation")
        dumped = json.dumps(events, ensure_ascii=False)
        assert not [a for a in amounts(everyone.rows) if a in dumped]
        assert of(events, "done")
    assert script.requests == []


async def test_entity_outside_the_users_scope_is_refused(
    server: ChatServer, make_user: Any, script: llm_server.Script
) -> None:
    # 우진산업 (C0023) is a customer of 영업2팀; the 영업1팀 manager may not see it.
    theirs = await admin_rows(server, make_user, "receivables_by_customer", {"customer": "C0023"})
    assert theirs.row_count == 1 and theirs.rows[0][1] == "우진산업"
    _, token = await team_manager(server, make_user, "yu.d110")
    async with connect(server, token) as client:
        events = await client.ask("우진산업 미수금 알려줘")
        # The same question about one of their own customers is answered.
        own = await client.ask("한빛상사 미수금 알려줘")
    check_order(events)
    (call,) = of(events, "tool_call")
    (result,) = of(events, "tool_result")
    assert call["tool"] == "receivables_by_customer" and "C0023" not in json.dumps(call)
    # The same code as a name that does not exist: nothing tells them apart.
    assert result["ok"] is False and result["error"]["code"] == "not_found"
    assert result["rows"] == []
    answer = text_of(events)
    assert "'우진산업'" in answer and "권한이 없거나 없는 거래처" in answer
    dumped = json.dumps(events, ensure_ascii=False)
    assert "C0023" not in dumped and not [a for a in amounts(theirs.rows) if a in dumped]
    assert not of(events, "citation")

    (result,) = of(own, "tool_result")
    assert result["ok"] and [row[:2] for row in result["rows"]] == [["C0001", "한빛상사"]]
    assert "한빛상사의 미수금은" in text_of(own) and of(own, "citation")[0]["kind"] == "erp"
    assert script.requests == []


async def test_two_customers_of_the_same_name_are_asked_back(
    server: ChatServer, make_user: Any, script: llm_server.Script
) -> None:
    # The sample ERP has two customers named 영진물산 (C0015 and C0055).
    for code in ("C0015", "C0055"):
        rows = (await admin_rows(server, make_user, "customer_info", {"customer": code})).rows
        assert [row[:2] for row in rows] == [[code, "영진물산"]]
    _, token = await make_user(
        server.runtime, username="ha", roles=("manager",), permissions=["erp_scope:all"]
    )
    async with connect(server, token) as client:
        events = await client.ask("영진물산 미수금 알려줘")
        check_order(events)
        (clarification,) = of(events, "clarification")
        assert not of(events, "tool_call") and not of(events, "tool_result")
        choices = clarification["choices"]
        assert sorted(c["label"] for c in choices) == ["영진물산 (C0015)", "영진물산 (C0055)"]
        assert len({c["text"] for c in choices}) == 2  # each choice says which one
        assert text_of(events) == clarification["message"] and "영진물산" in text_of(events)
        assert of(events, "intent")[0]["needs_clarification"] is True
        assert of(events, "done")
        # Picking one answers for that customer only.
        conversation_id = of(events, "done")[0]["conversation_id"]
        picked = next(c for c in choices if "C0055" in c["label"])
        answer = await client.ask(picked["text"], conversation_id)
    assert not of(answer, "clarification")
    (call,) = of(answer, "tool_call")
    assert call["tool"] == "receivables_by_customer" and call["arguments"]["customer"] == "C0055"
    expected = await admin_rows(server, make_user, call["tool"], call["arguments"])
    assert [row[0] for row in expected.rows] == ["C0055"]
    (result,) = of(answer, "tool_result")
    assert result["ok"] and result["rows"] == expected.rows
    assert f"영진물산의 미수금은 {expected.rows[0][3]:,}원" in text_of(answer)
    assert script.requests == []


# --- documents ---------------------------------------------------------------------------------

QUESTION = "출장 일비 얼마예요?"


async def employee_with_documents(server: ChatServer, make_user: Any, username: str) -> str:
    await server.index(DOCUMENTS)
    _, token = await make_user(server.runtime, username=username, roles=("employee",))
    return str(token)


async def saved_answer(server: ChatServer, token: str, conversation_id: str) -> Any:
    async with server.http(token) as http:
        response = await http.get(f"/api/conversations/{conversation_id}")
    assert response.status_code == 200
    return response


async def test_model_sentence_that_passes_is_sent_verified(
    server: ChatServer, make_user: Any, script: llm_server.Script
) -> None:
    token = await employee_with_documents(server, make_user, "doc.ok")
    sentence = "국내 출장 일비는 1일 25,000원입니다 [1]."
    script.answers.append({"text": sentence})
    async with connect(server, token) as client:
        events = await client.ask(QUESTION)
    check_order(events)
    tokens = [e["delta"] for e in of(events, "token")]
    assert tokens[:2] == [LEAD, sentence]
    assert tokens[2].startswith("\n\n근거:\n") and TRAVEL_1.text.split(" 해외")[0] in tokens[2]
    done = of(events, "done")[0]
    assert done["verification"] == {"status": "verified", "problems": []}
    assert of(events, "citation")[0]["chunk_id"] == TRAVEL_1.chunk_id
    saved = (await saved_answer(server, token, done["conversation_id"])).json()["messages"][1]
    assert saved["content"] == text_of(events) and saved["verification"]["status"] == "verified"


@pytest.mark.parametrize(
    ("model", "sent", "withheld"),
    [
        # Wrong from the first sentence: nothing of the model is sent.
        ("국내 출장 일비는 1일 30,000원입니다 [1].", None, "30,000"),
        # Right, then wrong: the right sentence stands, the wrong one never comes.
        (
            "국내 출장 일비는 1일 25,000원입니다 [1]. 숙박비는 1박 90,000원입니다 [1].",
            "국내 출장 일비는 1일 25,000원입니다 [1].",
            "90,000",
        ),
    ],
    ids=["first", "second"],
)
async def test_model_sentence_with_a_wrong_number_is_never_sent(
    server: ChatServer,
    make_user: Any,
    script: llm_server.Script,
    model: str,
    sent: str | None,
    withheld: str,
) -> None:
    token = await employee_with_documents(server, make_user, "doc.wrong")
    script.answers.append({"text": model})
    async with connect(server, token) as client:
        events = await client.ask(QUESTION)
    check_order(events)
    answer = text_of(events)
    assert withheld not in json.dumps(events, ensure_ascii=False)
    done = of(events, "done")[0]
    assert done["verification"] == {"status": "fallback", "problems": ["number_not_in_source"]}
    tokens = [e["delta"] for e in of(events, "token")]
    assert tokens[0] == LEAD
    if sent is None:
        # The evidence is the answer: the lead, then the source's own sentences, cited.
        assert "근거:" not in answer
        for line in answer.removeprefix(LEAD).splitlines():
            quoted = line.removeprefix("- ").rsplit(" [", 1)[0]
            assert quoted in TRAVEL_1.text or quoted in TRAVEL_2.text, line
    else:
        assert tokens[1] == sent and tokens[2].startswith("\n\n근거:\n")
    assert "1일 25,000원을 지급한다. [1]" in answer
    (request,) = script.requests
    assert "1일 25,000원" in llm_server.prompt_of(request)
    # The stored answer is what was sent; the user never gets the wrong sentence back.
    response = await saved_answer(server, token, done["conversation_id"])
    saved = response.json()["messages"][1]
    assert saved["content"] == answer and saved["verification"]["status"] == "fallback"
    assert withheld not in response.text
    # Nor does the one-shot REST ask return it.
    script.answers.append({"text": model})
    async with server.http(token) as http:
        response = await http.post("/api/chat", json={"text": QUESTION})
    assert response.status_code == 200 and response.json()["answer"] == answer
    assert response.json()["verification"]["status"] == "fallback"
    assert withheld not in response.text


# --- the model's queue ---------------------------------------------------------------------------


async def test_questions_at_once_wait_in_line_for_a_one_slot_model(
    servers: Servers,
    settings: Settings,
    llm_url: str,
    erp_url: str,
    key: str,
    make_user: Any,
    script: llm_server.Script,
) -> None:
    # Each answer takes the model ~2 s; the third waits ~4 s, longer than its 3 s
    # first-sentence budget, which starts only at its turn. (A waiting request re-reads its
    # place every second, so the third sees place 1 while the second is answered.)
    server = await servers.start(
        chat_settings(
            settings,
            llm_url,
            erp_url,
            key,
            llm={"max_concurrent_requests": 1},
            model_first_sentence_s=3,
        )
    )
    await server.index(DOCUMENTS)
    sentence = "국내 출장 일비는 1일 25,000원입니다 [1]."
    users = [
        (await make_user(server.runtime, username=f"q{i}", roles=("employee",)))[1]
        for i in range(3)
    ]
    for _ in users:
        script.answers.append({"text": sentence, "delay": 0.22})

    async def ask(token: str) -> list[dict[str, Any]]:
        async with connect(server, token) as client:
            return await client.ask(QUESTION)

    results = await asyncio.gather(*(ask(token) for token in users))
    assert script.max_active == 1 and len(script.requests) == 3  # one at a time
    places: list[list[int]] = []
    for events in results:
        check_order(events)
        done = events[-1]
        assert done["type"] == "done", events
        assert done["verification"]["status"] == "verified", done
        assert sentence in text_of(events)
        status = [(e["state"], e["position"]) for e in of(events, "status")]
        assert status[-1] == ("generating", 0)
        assert all(state == "queued" and place > 0 for state, place in status[:-1])
        places.append([place for _, place in status[:-1]])
    # First in line: no wait; second: place 1; third: place 2, then 1.
    assert sorted(places, key=len) == [[], [1], [2, 1]]


# --- odd input -----------------------------------------------------------------------------------


async def test_empty_long_and_english_messages_get_clear_replies(
    server: ChatServer, make_user: Any, script: llm_server.Script
) -> None:
    await server.index(DOCUMENTS)
    _, token = await make_user(server.runtime, username="odd", roles=("employee",))
    limit = server.settings.chat.max_message_chars
    assert limit == 4000
    async with connect(server, token) as client:
        for text, code, words in [
            ("", "empty_message", "비어"),
            ("  \n ", "empty_message", "비어"),
            ("출" * (limit + 1), "message_too_long", "최대 4,000자"),
        ]:
            await client.send({"type": "message", "text": text})
            event = await client.recv()
            assert event["type"] == "error" and event["code"] == code, event
            assert words in event["message"] and "Traceback" not in event["message"]

        english = await client.ask("How many days of annual leave do I have left?")
        check_order(english)
        assert "한국어" in text_of(english) and "Please ask in Korean" in text_of(english)
        assert not of(english, "tool_call") and of(english, "done")
        assert of(english, "intent")[0]["route"] == "not_korean"

        # A question of exactly the limit is answered (its start routes it).
        long = (QUESTION + " ") * (limit // len(QUESTION + " ") + 1)
        events = await client.ask(long[:limit])
    check_order(events)
    assert of(events, "done"), events
    assert of(events, "intent")[0]["intent"] == "doc_qa"
    assert "1일 25,000원을 지급한다" in text_of(events)
    async with server.http(token) as http:
        items = (await http.get("/api/conversations")).json()["items"]
    assert len(items) == 2  # the refused messages were not saved


def _unsure_forbidden_stock(confidence: float) -> Any:
    """The router's plan for a question it half takes for a stock query the user may not make
    (as "H107 베어링 교체주기" was: 베어링 is also an item category)."""
    from dari.chat.router.plan import RoutePlan, ToolCall

    async def plan(runtime: Any, turn: Any) -> RoutePlan:
        blocked = "'품목의 창고별 현재고' 데이터를 조회할 권한이 없습니다."
        call = ToolCall("stock_by_item", blocked=blocked, blocked_code="erp_forbidden")
        return RoutePlan(intent="erp", confidence=confidence, route="stock_by_item", calls=[call])

    return plan


@pytest.mark.parametrize(
    ("confidence", "question", "documents_answer"),
    [
        (0.45, QUESTION, True),  # unsure and the documents answer: a document answer
        (0.9, QUESTION, False),  # sure: the refusal stands
        (0.45, "이번 달 재고 현황 알려줘", False),  # the documents do not answer: refusal
    ],
)
async def test_an_unsure_erp_plan_with_no_data_tries_the_documents(
    server: ChatServer,
    make_user: Any,
    script: llm_server.Script,
    monkeypatch: pytest.MonkeyPatch,
    confidence: float,
    question: str,
    documents_answer: bool,
) -> None:
    from dari.chat import routing

    token = await employee_with_documents(server, make_user, f"probe.{int(confidence * 100)}")
    monkeypatch.setattr(routing, "plan_turn", _unsure_forbidden_stock(confidence))
    script.answers.append({"text": "국내 출장 일비는 1일 25,000원입니다 [1]."})
    async with connect(server, token) as client:
        events = await client.ask(question)
    check_order(events)
    answer = text_of(events)
    (intent,) = of(events, "intent")
    if documents_answer:
        assert intent["intent"] == "doc_qa" and not of(events, "tool_call")
        assert "25,000원" in answer and "권한이 없" not in answer
        assert of(events, "citation")[0]["chunk_id"] == TRAVEL_1.chunk_id
    else:
        assert intent["intent"] == "erp"
        assert "권한이 없" in answer and not of(events, "citation")


@pytest.mark.parametrize(
    ("question", "refused"),
    [
        ("박지훈 과장 작년 인사평가 등급 뭐 받았어?", True),
        ("조현우 팀장님 올해 연차 몇일 쓰셨어?", True),
        ("박지훈 과장님 국내 출장 가시는데 일비 얼마야?", False),  # a policy, not a record
    ],
)
async def test_another_employees_record_is_refused_not_answered_from_policies(
    server: ChatServer,
    make_user: Any,
    script: llm_server.Script,
    question: str,
    refused: bool,
) -> None:
    token = await employee_with_documents(server, make_user, f"rec.{len(question)}")
    script.answers.append({"text": "국내 출장 일비는 1일 25,000원입니다 [1]."})
    async with connect(server, token) as client:
        events = await client.ask(question)
    check_order(events)
    answer = text_of(events)
    if refused:
        assert answer.startswith("다른 직원(") and "정보는 조회할 권한이 없습니다" in answer
        assert not of(events, "citation") and of(events, "sources")[0]["sources"] == []
        assert script.requests == []
    else:
        assert "25,000원" in answer and of(events, "citation")


async def test_a_mixed_answer_with_erp_rows_does_not_end_in_not_found(
    server: ChatServer, make_user: Any, script: llm_server.Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ERP half answered; the documents' silence on the other half is no refusal."""
    from dari.chat import routing
    from dari.chat.router.plan import RoutePlan, ToolCall

    await server.index(DOCUMENTS)
    _, token = await team_manager(server, make_user, "kim.mixed")

    async def mixed(runtime: Any, turn: Any) -> RoutePlan:
        call = ToolCall(
            "sales_by_period", {**LAST_MONTH, "department": "D110"}, {"period": "2026년 10월"}
        )
        return RoutePlan(intent="mixed", search_query="사내 헬스장 운영 시간", calls=[call])

    monkeypatch.setattr(routing, "plan_turn", mixed)
    async with connect(server, token) as client:
        events = await client.ask("지난달 우리 팀 매출이랑 사내 헬스장 운영 시간 알려줘")
    check_order(events)
    answer = text_of(events)
    assert "매출(공급가액)은" in answer and "찾을 수 없" not in answer
    assert [c["kind"] for c in of(events, "citation")] == ["erp"]

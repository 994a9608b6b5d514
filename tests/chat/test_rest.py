"""REST: POST /api/chat, conversations, feedback, citation chunks and the admin views."""

from __future__ import annotations

from typing import Any

from dari.config import Settings
from tests.chat import llm_server
from tests.chat.conftest import ChatServer, Servers, chat_settings
from tests.chat.data import DOCUMENTS, STRATEGY, TRAVEL_1


async def ask(server: ChatServer, token: str, text: str, **body: Any) -> Any:
    async with server.http(token) as http:
        return await http.post("/api/chat", json={"text": text, **body})


async def test_chat_conversations_and_feedback(
    server: ChatServer, make_user: Any, script: llm_server.Script
) -> None:
    await server.index(DOCUMENTS)
    _, token = await make_user(server.runtime, username="kwon", roles=("employee",))
    _, other = await make_user(server.runtime, username="ahn", roles=("employee",))
    script.answers.append({"text": "일비는 1일 25,000원입니다 [1]."})
    response = await ask(server, token, "출장 일비 얼마예요?")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["answer"].startswith(
        "「출장비 규정」에 따르면 다음과 같습니다.\n\n일비는 1일 25,000원입니다 [1]."
    )
    assert "\n\n근거:\n" in body["answer"]
    assert body["citations"][0]["chunk_id"] == TRAVEL_1.chunk_id
    assert body["intent"]["intent"] == "doc_qa" and body["timings"]["total_ms"] > 0
    assert body["verification"] == {"status": "verified", "problems": []}
    conversation_id, message_id = body["conversation_id"], body["message_id"]

    async with server.http(token) as http:
        listed = (await http.get("/api/conversations", params={"q": "일비"})).json()["items"]
        assert [c["id"] for c in listed] == [conversation_id]
        assert listed[0]["last_message"].startswith("「출장비 규정」에 따르면")
        assert (await http.get("/api/conversations", params={"q": "없는말"})).json()["items"] == []
        renamed = await http.patch(f"/api/conversations/{conversation_id}", json={"title": "출장"})
        assert renamed.status_code == 200 and renamed.json()["title"] == "출장"
        vote = {"rating": "down", "reason": "wrong_answer", "comment": "금액이 달라요"}
        assert (
            await http.post(f"/api/messages/{message_id}/feedback", json=vote)
        ).status_code == 200
        vote["rating"] = "sideways"
        assert (
            await http.post(f"/api/messages/{message_id}/feedback", json=vote)
        ).status_code == 422
        detail = (await http.get(f"/api/conversations/{conversation_id}")).json()
        assert detail["messages"][1]["feedback"]["rating"] == "down"
        chunk = (await http.get(f"/api/chunks/{TRAVEL_1.chunk_id}")).json()
        assert chunk["text"] == TRAVEL_1.text and chunk["location"] == {"page": 2}
        # A chunk of a document the user may not read does not exist for them.
        hidden = await http.get(f"/api/chunks/{STRATEGY.chunk_id}")
        assert hidden.status_code == 404 and "120억" not in hidden.text

    async with server.http(other) as http:
        assert (await http.get(f"/api/conversations/{conversation_id}")).status_code == 404
        assert (
            await http.patch(f"/api/conversations/{conversation_id}", json={"title": "x"})
        ).status_code == 404
        assert (await http.delete(f"/api/conversations/{conversation_id}")).status_code == 404
        up = {"rating": "up"}
        assert (await http.post(f"/api/messages/{message_id}/feedback", json=up)).status_code == 404
        response = await http.post(
            "/api/chat", json={"conversation_id": conversation_id, "text": "이어서"}
        )
        assert response.status_code == 404 and response.json()["code"] == "not_found"

    async with server.http(token) as http:
        assert (await http.delete(f"/api/conversations/{conversation_id}")).status_code == 204
        assert (await http.get(f"/api/conversations/{conversation_id}")).status_code == 404
        assert (await http.get("/api/conversations")).json()["items"] == []


async def test_chat_errors_as_problems(
    servers: Servers,
    server: ChatServer,
    settings: Settings,
    llm_url: str,
    key: str,
    make_user: Any,
    script: llm_server.Script,
) -> None:
    await server.index(DOCUMENTS)
    _, token = await make_user(server.runtime, username="ryu", roles=("employee",))
    for text, status, code in [
        ("   ", 422, "empty_message"),
        ("가" * 100_000, 413, "message_too_long"),
    ]:
        response = await ask(server, token, text)
        assert response.status_code == status and response.json()["code"] == code
        assert response.headers["content-type"].startswith("application/problem+json")
    async with server.http(token) as http:
        assert (await http.get("/api/conversations")).json()["items"] == []
    async with server.http() as http:
        assert (await http.post("/api/chat", json={"text": "안녕"})).status_code == 401

    # A failing model is no error any more: the evidence is the answer, and it is saved.
    script.answers.append({"status": 500})
    response = await ask(server, token, "출장 일비 얼마예요?")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verification"] == {"status": "fallback", "problems": ["llm_unavailable"]}
    assert "1일 25,000원을 지급한다. [1]" in body["answer"]
    async with server.http(token) as http:
        (item,) = (await http.get("/api/conversations")).json()["items"]
        detail = (await http.get(f"/api/conversations/{item['id']}")).json()
    assert detail["messages"][1]["content"] == body["answer"]
    assert detail["messages"][1]["verification"]["status"] == "fallback"

    # The ERP not answering still ends the turn: a problem, nothing saved.
    dead = await servers.start(
        chat_settings(settings, llm_url, "mysql+asyncmy://root@127.0.0.1:9/erp", key)
    )
    _, manager = await make_user(
        dead.runtime, username="ryu.manager", roles=("manager",), permissions=["erp_scope:all"]
    )
    response = await ask(dead, manager, "이번 달 매출 얼마야?")
    assert response.status_code == 503 and response.json()["code"] == "erp_unavailable"
    assert response.headers["content-type"].startswith("application/problem+json")
    async with dead.http(manager) as http:
        assert (await http.get("/api/conversations")).json()["items"] == []


async def test_admin_views(server: ChatServer, make_user: Any, script: llm_server.Script) -> None:
    await server.index(DOCUMENTS)
    _, token = await make_user(server.runtime, username="baek", roles=("employee",))
    _, admin = await make_user(server.runtime, username="root", roles=("admin",))
    for rating in ("down", "up"):
        script.answers.append({"text": f"답변 {rating} [1]"})
        message_id = (await ask(server, token, f"질문 {rating}")).json()["message_id"]
        async with server.http(token) as http:
            vote = {"rating": rating, "comment": f"의견 {rating}"}
            await http.post(f"/api/messages/{message_id}/feedback", json=vote)
    async with server.http(token) as http:
        assert (await http.get("/api/admin/usage")).status_code == 403
        assert (await http.get("/api/admin/conversations")).status_code == 403
    async with server.http(admin) as http:
        rated = (await http.get("/api/admin/conversations", params={"feedback": "down"})).json()
        (item,) = rated["items"]
        assert item["question"] == "질문 down" and item["answer"] == "답변 down [1]"
        assert item["comment"] == "의견 down"
        usage = (await http.get("/api/admin/usage", params={"days": 7})).json()
    assert len(usage["days"]) == 7
    today = usage["days"][-1]
    assert today["questions"] == 2 and today["users"] == 1
    assert today["up"] == 1 and today["down"] == 1 and today["answer_ms_p50"] > 0
    assert usage["totals"]["questions"] == 2

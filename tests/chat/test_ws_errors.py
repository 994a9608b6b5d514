"""Bad input and failures over the WebSocket: each gets an `error` event with a code (or, for a
failing model, the answer built from the evidence), the connection stays usable where that
makes sense, nothing is half-saved and no other user's data leaks."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
import websockets

from dari.chat import limits, ws
from tests.chat import llm_server
from tests.chat.conftest import ChatServer, Servers, chat_settings, connect
from tests.chat.data import DOCUMENTS, of, text_of
from tests.fixtures.waiting import eventually

QUESTION = "출장 일비 얼마예요?"  # routed to the documents
LEAD = "「출장비 규정」에 따르면 다음과 같습니다.\n\n"
SENTENCE = "국내 출장 일비는 1일 25,000원입니다 [1]. "
SLOW = {"text": SENTENCE * 6, "delay": 0.05}


async def conversations(server: ChatServer, token: str) -> list[dict[str, Any]]:
    async with server.http(token) as http:
        response = await http.get("/api/conversations")
    assert response.status_code == 200
    return response.json()["items"]  # type: ignore[no-any-return]


async def pong(client: Any) -> None:
    await client.send({"type": "ping"})
    assert (await client.recv())["type"] == "pong"


async def test_handshake_refuses_bad_tokens(server: ChatServer, make_user: Any) -> None:
    connection = await websockets.connect(server.ws_url, subprotocols=["dari.v1", "bearer.nope"])  # type: ignore[list-item]
    event = json.loads(await connection.recv())
    assert event == {"type": "error", "code": "unauthorized", "message": event["message"]}
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await connection.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == ws.CLOSE_UNAUTHORIZED

    connection = await websockets.connect(server.ws_url)
    await connection.send(json.dumps({"type": "message", "text": "안녕"}))
    assert json.loads(await connection.recv())["code"] == "unauthorized"
    with pytest.raises(websockets.ConnectionClosed):
        await connection.recv()

    _, token = await make_user(server.runtime, username="nochat", roles=(), permissions=[])
    connection = await websockets.connect(
        server.ws_url, subprotocols=["dari.v1", f"bearer.{token}"]
    )  # type: ignore[list-item]
    assert connection.subprotocol == "dari.v1"  # the token itself is never echoed back
    assert json.loads(await connection.recv())["code"] == "unauthorized"


async def test_malformed_frames_keep_the_connection(server: ChatServer, make_user: Any) -> None:
    _, token = await make_user(server.runtime, username="kang", roles=("employee",))
    async with connect(server, token) as client:
        for frame, code in [
            ("{not json", "bad_frame"),
            ("[1, 2]", "bad_frame"),
            ({"type": "teleport"}, "unknown_frame"),
            ({"type": "message", "text": 42}, "bad_frame"),
            ({"type": "resume", "message_id": "x", "after_seq": -1}, "bad_frame"),
            ({"type": "message", "text": ""}, "empty_message"),
            ({"type": "message", "text": " \n\t　 "}, "empty_message"),
            ({"type": "message", "text": "가" * 100_000}, "message_too_long"),
            ({"type": "cancel"}, "nothing_to_cancel"),
            ({"type": "cancel", "message_id": "not-mine"}, "nothing_to_cancel"),
            ({"type": "resume", "message_id": "unknown", "after_seq": 0}, "not_found"),
        ]:
            await client.send(frame)
            event = await client.recv()
            assert event["type"] == "error" and event["code"] == code, (frame, event)
            await pong(client)
    assert await conversations(server, token) == []


async def test_someone_elses_conversation_is_not_found(
    server: ChatServer, make_user: Any, script: llm_server.Script
) -> None:
    await server.index(DOCUMENTS)
    _, owner_token = await make_user(server.runtime, username="owner", roles=("employee",))
    _, other_token = await make_user(server.runtime, username="other", roles=("employee",))
    script.answers.append({"text": "일비는 1일 25,000원입니다 [1]."})
    async with connect(server, owner_token) as client:
        events = await client.ask(QUESTION)
    assert "25,000" in text_of(events)
    conversation_id = of(events, "done")[0]["conversation_id"]
    async with connect(server, other_token) as client:
        await client.send({"type": "message", "conversation_id": conversation_id, "text": "이어서"})
        event = await client.recv()
        assert event["code"] == "not_found" and "25,000" not in json.dumps(event)
        message_id = of(events, "done")[0]["message_id"]
        await client.send({"type": "resume", "message_id": message_id, "after_seq": 0})
        event = await client.recv()
        assert event["code"] == "not_found" and "25,000" not in json.dumps(event)
    async with server.http(other_token) as http:
        assert (await http.get(f"/api/conversations/{conversation_id}")).status_code == 404
    assert await conversations(server, other_token) == []


async def test_busy_then_cancel_saves_the_partial_answer(
    server: ChatServer, make_user: Any, script: llm_server.Script
) -> None:
    await server.index(DOCUMENTS)
    _, token = await make_user(server.runtime, username="yoon", roles=("employee",))
    script.answers.append(SLOW)
    async with connect(server, token) as client:
        await client.send({"type": "message", "text": QUESTION})
        events = await client.until("token")  # the lead
        events += await client.until("token")  # the model's first checked sentence
        await client.send({"type": "message", "text": "두 번째 질문"})
        events += await client.until("error")
        assert events[-1]["code"] == "busy" and "message_id" not in events[-1]
        await client.send({"type": "cancel", "message_id": events[0]["message_id"]})
        events += await client.until("done")
    done = events[-1]
    assert done["cancelled"] is True
    partial = text_of(events)
    assert partial.startswith(LEAD) and SENTENCE.strip() in partial
    assert len(partial) < len(LEAD + SENTENCE * 6) and "근거:" not in partial
    # Generation is aborted on the LLM server (the model server sees the client go).
    await eventually(lambda: script.disconnected >= 1, what="the model server's disconnect")
    assert script.disconnected == 1
    (conversation,) = await conversations(server, token)
    async with server.http(token) as http:
        detail = (await http.get(f"/api/conversations/{conversation['id']}")).json()
    answer = detail["messages"][1]
    assert answer["cancelled"] is True and answer["content"] == partial


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"status": 500}, "llm_unavailable"),  # the model server fails
        ({"text": SLOW["text"], "cut_after": 4}, "llm_"),  # its answer stops mid-way
        ({"text": SLOW["text"], "wait": 4}, "model_slow"),  # no first sentence in time
    ],
    ids=["unavailable", "cut", "slow"],
)
async def test_llm_failures_fall_back_to_the_evidence(
    servers: Servers,
    settings: Any,
    llm_url: str,
    erp_url: str,
    key: str,
    make_user: Any,
    script: llm_server.Script,
    answer: dict[str, Any],
    problem: str,
) -> None:
    """A failing model no longer fails the answer: the evidence is the answer, the turn is
    saved, and `verification` says `fallback` with the reason."""
    server = await servers.start(
        chat_settings(settings, llm_url, erp_url, key, model_first_sentence_s=1.5)
    )
    await server.index(DOCUMENTS)
    _, token = await make_user(server.runtime, username="han", roles=("employee",))
    script.answers.append(answer)
    async with connect(server, token) as client:
        events = await client.ask(QUESTION)
        assert not of(events, "error"), events
        done = events[-1]
        assert done["type"] == "done" and done["cancelled"] is False
        assert done["verification"]["status"] == "fallback"
        assert any(p.startswith(problem) for p in done["verification"]["problems"]), done
        await pong(client)
    text = text_of(events)
    assert text.startswith(LEAD) and "근거:" not in text
    assert "제3조(일비) 국내 출장 시 일비는 1일 25,000원을 지급한다. [1]" in text
    assert of(events, "citation")[0]["chunk_id"] == "travel-1"
    (conversation,) = await conversations(server, token)
    async with server.http(token) as http:
        detail = (await http.get(f"/api/conversations/{conversation['id']}")).json()
    saved = detail["messages"][1]
    assert saved["content"] == text and saved["verification"]["status"] == "fallback"


async def test_erp_unavailable(
    servers: Servers, settings: Any, llm_url: str, key: str, make_user: Any,
    script: llm_server.Script,
) -> None:  # fmt: skip
    """The ERP not answering still ends the turn with an error, and nothing is saved."""
    dead = "mysql+asyncmy://root@127.0.0.1:9/erp"
    server = await servers.start(chat_settings(settings, llm_url, dead, key))
    _, token = await make_user(
        server.runtime, username="seo", roles=("manager",), permissions=["erp_scope:all"]
    )
    async with connect(server, token) as client:
        events = await client.ask("이번 달 매출 얼마야?")
        assert of(events, "tool_call")[0]["tool"] == "sales_by_period"
        assert events[-1]["type"] == "error" and events[-1]["code"] == "erp_unavailable"
        assert "Traceback" not in events[-1]["message"] and "asyncmy" not in events[-1]["message"]
        await pong(client)
    assert await conversations(server, token) == []
    assert script.requests == []


async def test_expired_token_mid_stream(
    server: ChatServer, make_user: Any, script: llm_server.Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    await server.index(DOCUMENTS)
    _, token = await make_user(server.runtime, username="moon", roles=("employee",))
    script.answers.append({**SLOW, "delay": 0.02})
    async with connect(server, token) as client:
        await client.send({"type": "message", "text": QUESTION})
        await client.until("token")
        monkeypatch.setattr(ws, "_now", lambda: 4_000_000_000.0)  # the token's exp has passed
        await client.send({"type": "message", "text": "다음 질문"})
        events = await client.until("error")
        assert events[-1]["code"] == "token_expired"
        events += await client.until("done")  # the running answer still finishes
        assert events[-1]["cancelled"] is False
        monkeypatch.undo()
        _, fresh = await make_user(server.runtime, username="moon2", roles=("employee",))
        await client.send({"type": "auth", "token": fresh})
        event = await client.recv()
        assert event["type"] == "error" and event["code"] == "unauthorized"  # another user


async def test_rate_limit(
    servers: Servers, settings: Any, llm_url: str, erp_url: str, key: str, make_user: Any,
    script: llm_server.Script, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # One minute window for the whole test (the counter is per clock minute: crossing one
    # mid-test would start a fresh count).
    monkeypatch.setattr(limits, "time", SimpleNamespace(time=lambda: 60.0 * 29_000_000))
    server = await servers.start(
        chat_settings(settings, llm_url, erp_url, key, messages_per_minute=2)
    )
    _, token = await make_user(server.runtime, username="jung", roles=("employee",))
    for _ in range(2):
        script.answers.append({"text": "안녕하세요!"})
    async with connect(server, token) as client:
        for _ in range(2):
            assert (await client.ask("안녕"))[-1]["type"] == "done"
        await client.send({"type": "message", "text": "안녕"})
        event = await client.recv()
        assert event["code"] == "rate_limited"
    assert len(await conversations(server, token)) == 2


async def test_revoked_token_closes_the_connection(server: ChatServer, make_user: Any) -> None:
    from dari.auth import repository as auth_repo
    from dari.auth.service import get_auth

    principal, token = await make_user(server.runtime, username="gone", roles=("employee",))
    async with connect(server, token) as client:
        await pong(client)
        async with server.runtime.sessionmaker() as session:
            user = await auth_repo.get_user(session, principal.user_id)
            assert user is not None
            await get_auth(server.runtime).invalidate_access(user)  # e.g. deactivated
            await session.commit()
        await client.send({"type": "message", "text": "안녕"})
        assert (await client.recv())["code"] == "unauthorized"
        with pytest.raises(websockets.ConnectionClosed):
            await client.recv()

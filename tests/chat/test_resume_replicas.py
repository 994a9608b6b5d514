"""Resume after a lost connection, and replicas sharing state through the cache.

The replica tests start two app servers on the same database and the same Redis (CI=true or
DARI_TEST_REDIS_URL): rate limits, concurrent-stream limits, cancellation and resume work
whichever replica the client lands on.
"""

from __future__ import annotations

from typing import Any

import pytest

from dari.chat.limits import running_streams
from dari.config import Settings
from tests.chat import llm_server
from tests.chat.conftest import ChatServer, Servers, chat_settings, connect
from tests.chat.data import DOCUMENTS, of, text_of
from tests.fixtures.waiting import eventually

QUESTION = "출장 일비 얼마예요?"
ANSWER = "국내 출장 일비는 1일 25,000원입니다 [1]. " * 4


async def _resume_elsewhere(
    first: ChatServer, second: ChatServer, token: str, script: llm_server.Script
) -> None:
    script.answers.append({"text": ANSWER, "delay": 0.03})
    async with connect(first, token) as client:
        await client.send({"type": "message", "text": QUESTION})
        seen = await client.until("token")  # the lead, before the model
        seen += [await client.recv(), await client.recv()]  # `generating`, a first sentence
    # The connection is gone; the answer goes on. Reconnect (maybe to another replica).
    message_id = seen[0]["message_id"]
    async with connect(second, token) as client:
        await client.send(
            {"type": "resume", "message_id": message_id, "after_seq": seen[-1]["seq"]}
        )
        rest = await client.until("done", "error")
    events = seen + rest
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert rest[-1]["type"] == "done" and rest[-1]["cancelled"] is False
    assert rest[-1]["verification"]["status"] == "verified"
    assert ANSWER.strip() in text_of(events)
    assert of(events, "citation")[0]["chunk_id"] == "travel-1"
    async with second.http(token) as http:
        conversation_id = rest[-1]["conversation_id"]
        detail = (await http.get(f"/api/conversations/{conversation_id}")).json()
    assert detail["messages"][1]["content"] == text_of(events)  # nothing lost or repeated
    # A resume after the end replays what was asked for, from the cache.
    async with connect(second, token) as client:
        await client.send({"type": "resume", "message_id": message_id, "after_seq": 0})
        again = await client.until("done")
    assert [e["seq"] for e in again] == [e["seq"] for e in events]


async def test_resume_after_disconnect(
    server: ChatServer, make_user: Any, script: llm_server.Script
) -> None:
    await server.index(DOCUMENTS)
    _, token = await make_user(server.runtime, username="nam", roles=("employee",))
    await _resume_elsewhere(server, server, token, script)


@pytest.fixture
async def replicas(
    servers: Servers, any_settings: Settings, backend: str, llm_url: str, erp_url: str, key: str
) -> tuple[ChatServer, ChatServer]:
    if backend != "real":
        pytest.skip("replicas share state only through Redis")
    settings = chat_settings(any_settings, llm_url, erp_url, key, messages_per_minute=3)
    first = await servers.start(settings)
    second = await servers.start(settings)
    for server in (first, second):
        await server.index(DOCUMENTS)
    return first, second


async def test_replicas_share_resume(
    replicas: tuple[ChatServer, ChatServer], make_user: Any, script: llm_server.Script
) -> None:
    first, second = replicas
    _, token = await make_user(first.runtime, username="rep1", roles=("employee",))
    await _resume_elsewhere(first, second, token, script)


async def _no_stream(server: ChatServer, user_id: str) -> bool:
    return await running_streams(server.runtime.cache, user_id) == 0


async def test_replicas_share_cancel_and_limits(
    replicas: tuple[ChatServer, ChatServer], make_user: Any, script: llm_server.Script
) -> None:
    first, second = replicas
    user, token = await make_user(first.runtime, username="rep2", roles=("employee",))
    script.answers.append({"text": ANSWER, "delay": 0.05})
    async with connect(first, token) as on_first, connect(second, token) as on_second:
        await on_first.send({"type": "message", "text": QUESTION})
        started = await on_first.until("token")
        # A second stream on the other replica: the per-user limit is shared.
        await on_second.send({"type": "message", "text": "또 다른 질문"})
        assert (await on_second.recv())["code"] == "busy"
        # Cancel from the other replica stops the answer where it runs.
        await on_second.send({"type": "cancel", "message_id": started[0]["message_id"]})
        done = (await on_first.until("done"))[-1]
        assert done["cancelled"] is True
        # The stream slot is released once the cancelled answer is saved.
        await eventually(lambda: _no_stream(first, user.user_id), what="the stream slot's release")
        # Messages per minute are counted together: 1 (first) + 2 here = 3 allowed, then refused.
        for _ in range(2):
            script.answers.append({"text": "안녕하세요!"})
            reply = await on_second.ask("안녕")
            assert reply[-1]["type"] == "done", reply
        await on_first.send({"type": "message", "text": "안녕"})
        assert (await on_first.recv())["code"] == "rate_limited"

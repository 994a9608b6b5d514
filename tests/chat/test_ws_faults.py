"""Dependencies failing under a running chat server (issue 19, items 1–3): every answer ends
with a last event, a frame that hits a dead dependency gets an `error` and the socket stays,
a late resume of a saved answer says it is finished.

Real parts fail for real: a Redis server this test starts and kills, a database file that
cannot be opened.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from dari.config import Settings
from dari.config.redis import RedisSettings
from tests.chat import llm_server
from tests.chat.conftest import ChatServer, Servers, connect
from tests.chat.data import DOCUMENTS
from tests.chat.own_redis import OwnRedis

pytestmark = pytest.mark.fault  # `pytest -m fault` runs the fault suite alone
MANAGER = {"department_code": "D110", "erp_employee_code": "E1010"}


async def test_frame_against_a_dead_database_gets_an_error_and_the_socket_stays(
    server: ChatServer, make_user: Any
) -> None:
    _, token = await make_user(
        server.runtime, username="db.down", roles=("manager",), attributes=MANAGER
    )
    async with connect(server, token) as client:
        first = await client.ask("지난달 우리 팀 매출 얼마야?")
        conversation_id = first[0]["conversation_id"]
        # The database becomes unreachable (a file that cannot be opened).
        broken = create_async_engine("sqlite+aiosqlite:////nonexistent/dari/db.sqlite")
        saved = server.runtime.sessionmaker
        server.runtime.sessionmaker = async_sessionmaker(broken)
        try:
            await client.send(
                {"type": "message", "conversation_id": conversation_id, "text": "그럼 이번 달은?"}
            )
            event = await client.recv()
            assert event["type"] == "error" and event["code"] == "unavailable"
            assert "데이터베이스" in event["message"] and "Traceback" not in event["message"]
            await client.send({"type": "ping"})  # the socket is still open
            assert (await client.recv())["type"] == "pong"
        finally:
            server.runtime.sessionmaker = saved
            await broken.dispose()
        # The database is back: the same socket works again.
        again = await client.ask("그럼 이번 달은?", conversation_id)
        assert again[-1]["type"] == "done"


async def test_resume_after_the_events_expired_says_the_answer_is_finished(
    server: ChatServer, make_user: Any
) -> None:
    _, token = await make_user(
        server.runtime, username="late.resume", roles=("manager",), attributes=MANAGER
    )
    async with connect(server, token) as client:
        events = await client.ask("지난달 우리 팀 매출 얼마야?")
        message_id = events[-1]["message_id"]
        # What DARI_CHAT_RESUME_TTL_S does after five minutes: the event list is gone.
        await server.runtime.cache.delete(f"chat:ev:{message_id}")
        await client.send({"type": "resume", "message_id": message_id, "after_seq": 0})
        event = await client.recv()
    assert event["type"] == "error" and event["code"] == "not_found"
    assert "이미 끝나 저장" in event["message"]  # not "답변이 중단되었습니다"


# --- Redis stopped in the middle of an answer ---------------------------------------------------


async def test_redis_stopping_mid_answer_still_ends_the_answer(
    own_redis: OwnRedis,  # first: torn down after the server that uses it
    servers: Servers,
    base_settings: Settings,
    make_user: Any,
    script: llm_server.Script,
) -> None:
    settings = base_settings.model_copy(update={"redis": RedisSettings(url=own_redis.url)})
    server = await servers.start(settings)
    await server.index(DOCUMENTS)
    _, token = await make_user(server.runtime, username="redis.down", roles=("employee",))
    script.answers.append({"text": "국내 출장 일비는 1일 25,000원입니다 [1]. " * 20, "delay": 0.1})
    async with connect(server, token) as client:
        await client.send({"type": "message", "text": "출장 일비 얼마예요?"})
        await client.until("token")  # the answer is under way
        own_redis.kill()
        last = (await client.until("done", "error", timeout=60))[-1]
        assert last["type"] in ("done", "error")
        if last["type"] == "error":
            assert last["code"] in ("unavailable", "internal_error")
            assert "Traceback" not in last["message"]
        # Redis comes back: the same socket answers again.
        own_redis.start()
        await asyncio.sleep(1.5)
        script.answers.append({"text": "국내 출장 일비는 1일 25,000원입니다 [1]."})
        again = (await client.ask("출장 일비 얼마예요?"))[-1]
        assert again["type"] == "done", again

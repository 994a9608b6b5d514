"""One way to start a turn (`chat.turns.start_turn`): the WebSocket, `POST /api/chat` and the
CLI take and release the user's stream slot the same way, whatever happens to the answer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from dari.chat import limits, pipeline, runner, turns
from dari.chat.errors import ChatError
from tests.chat.conftest import ChatServer, connect
from tests.fixtures.waiting import eventually

QUESTION = "출장 일비 얼마예요?"


async def running(server: ChatServer, user_id: str) -> int:
    return await limits.running_streams(server.runtime.cache, user_id)


async def test_a_failing_answer_frees_the_slot_from_every_entry_point(
    any_server: ChatServer, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = any_server
    user, token = await make_user(server.runtime, username="turns.fail", roles=("employee",))

    async def fail(*_: Any) -> None:
        raise RuntimeError("the pipeline broke")

    monkeypatch.setattr(pipeline, "answer_turn", fail)

    async with connect(server, token) as client:  # WebSocket
        for _ in range(2):  # the second is not `busy`: the first one's slot is free
            events = await client.ask(QUESTION)
            assert events[-1]["type"] == "error" and events[-1]["code"] == "internal_error"
            assert await running(server, user.user_id) == 0

    async with server.http(token) as http:  # REST
        for _ in range(2):
            response = await http.post("/api/chat", json={"text": QUESTION})
            assert response.status_code == 500 and response.json()["code"] == "internal_error"
            assert await running(server, user.user_id) == 0

    for _ in range(2):  # CLI (`dari ask`, `dari bench`)
        final = await runner.ask_once(server.runtime, user, QUESTION)
        assert final["type"] == "error" and final["code"] == "internal_error"
        assert await running(server, user.user_id) == 0


async def test_rest_and_websocket_turns_of_one_user_conflict_the_same_way(
    server: ChatServer, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, token = await make_user(server.runtime, username="turns.busy", roles=("employee",))
    go_on = asyncio.Event()

    async def wait(*_: Any) -> None:
        await go_on.wait()

    monkeypatch.setattr(pipeline, "answer_turn", wait)
    async with connect(server, token) as first, connect(server, token) as second:
        await first.send({"type": "message", "text": QUESTION})
        await first.until("started")
        assert await running(server, user.user_id) == 1

        busy_ws = (await second.ask(QUESTION))[-1]  # another connection, same user
        async with server.http(token) as http:
            busy_rest = await http.post("/api/chat", json={"text": QUESTION})
        with pytest.raises(ChatError) as busy_cli:
            await turns.start_turn(server.runtime, user, QUESTION)
        assert busy_ws["code"] == busy_rest.json()["code"] == busy_cli.value.code == "busy"
        assert busy_ws["message"] == busy_rest.json()["detail"] == busy_cli.value.message
        assert busy_rest.status_code == 409
        assert await running(server, user.user_id) == 1  # the refused ones took nothing

        go_on.set()
        assert (await first.until("done", "error"))[-1]["type"] == "done"
        assert await running(server, user.user_id) == 0
        async with server.http(token) as http:
            assert (await http.post("/api/chat", json={"text": QUESTION})).status_code == 200


async def test_an_answer_cancelled_from_outside_frees_the_slot(
    server: ChatServer, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, _ = await make_user(server.runtime, username="turns.cut", roles=("employee",))
    entered = asyncio.Event()

    async def hang(*_: Any) -> None:
        entered.set()
        await asyncio.Event().wait()

    monkeypatch.setattr(pipeline, "answer_turn", hang)
    started = await turns.start_turn(server.runtime, user, QUESTION)
    assert started.task in turns.running_tasks(server.runtime)
    await entered.wait()
    assert await running(server, user.user_id) == 1
    started.task.cancel()  # what the chat shutdown does
    with pytest.raises(asyncio.CancelledError):
        await started.task
    assert await running(server, user.user_id) == 0
    await eventually(
        lambda: started.task not in turns.running_tasks(server.runtime), what="the task dropped"
    )


async def test_a_refused_question_takes_no_slot(server: ChatServer, make_user: Any) -> None:
    user, _ = await make_user(server.runtime, username="turns.empty", roles=("employee",))
    with pytest.raises(ChatError) as refused:
        await turns.start_turn(server.runtime, user, "   ")
    assert refused.value.code == "empty_message"
    assert await running(server, user.user_id) == 0

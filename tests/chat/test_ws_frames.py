"""Incoming frames on `/ws/chat` are bounded before they are parsed: a frame too big or nested
too deep gets an `error` event and a close frame with its code (1009 / 1008), before and after
sign-in, and the server logs no exception (issue 14, item 6)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
import websockets

from dari.app import create_app
from dari.chat import frames, ws
from dari.config import Settings
from dari.config.server import ServerSettings
from dari.core.runtime import Runtime, build_runtime
from dari.llm.embedded import free_port
from tests.fixtures.auth import MakeUser

DEEP_AUTH = '{"type":"auth","token":' + "[" * 100_000 + "]" * 100_000 + "}"


@dataclass
class Live:
    runtime: Runtime
    url: str


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[Live]:
    """The app under a real uvicorn (as `dari serve` runs it), in this event loop."""
    server_settings = settings.server.model_copy(update={"ws_max_frame_bytes": 64 * 1024})
    settings = settings.model_copy(update={"server": server_settings})
    runtime = build_runtime(settings)
    port = free_port("127.0.0.1")
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, runtime=runtime), host="127.0.0.1", port=port, log_level="info"
        )
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.02)
    try:
        yield Live(runtime, f"ws://127.0.0.1:{port}/ws/chat")
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 15)
        await runtime.close()


async def refused(connection: Any) -> tuple[dict[str, Any], int | None]:
    """The error event, then the close code the server sent (None: no close frame)."""
    event = json.loads(await asyncio.wait_for(connection.recv(), 10))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(connection.recv(), 10)
    received = closed.value.rcvd
    return event, received.code if received is not None else None


def no_crash(caplog: pytest.LogCaptureFixture) -> None:
    messages = [r.getMessage() for r in caplog.records]
    assert not any("Exception in ASGI application" in m for m in messages), messages
    assert not any(r.exc_info for r in caplog.records if r.levelno >= logging.ERROR)


async def signed_in(live: Live, make_user: MakeUser) -> Any:
    _, token = await make_user(live.runtime, username="kim", roles=("employee",))
    connection = await websockets.connect(live.url, subprotocols=["dari.v1", f"bearer.{token}"])  # type: ignore[list-item]
    assert json.loads(await connection.recv())["type"] == "ready"
    return connection


@pytest.mark.parametrize(
    ("frame", "close_code", "says"),
    [
        (DEEP_AUTH, 1009, "너무 큽니다"),  # the frame: 200 KB, over the 16 KiB for auth
        ('{"type":"auth","token":' + "[" * 5000 + "]" * 5000 + "}", 1008, "중첩"),  # 10 KB
    ],
)
async def test_deep_nesting_before_sign_in(
    live: Live, caplog: pytest.LogCaptureFixture, frame: str, close_code: int, says: str
) -> None:
    async with websockets.connect(live.url) as connection:
        await connection.send(frame)
        event, code = await refused(connection)
    assert event["type"] == "error" and event["code"] == "bad_frame"
    assert says in event["message"]
    assert code == close_code
    no_crash(caplog)


async def test_too_big_before_sign_in(live: Live, caplog: pytest.LogCaptureFixture) -> None:
    async with websockets.connect(live.url) as connection:
        # Before sign-in only an auth frame fits: 16 KiB, below the 64 KiB setting.
        await connection.send(json.dumps({"type": "auth", "token": "t" * 20_000}))
        event, code = await refused(connection)
    assert event["code"] == "bad_frame" and "너무 큽니다" in event["message"]
    assert code == frames.CLOSE_TOO_BIG == 1009
    no_crash(caplog)


async def test_deep_nesting_after_sign_in(
    live: Live, make_user: MakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    connection = await signed_in(live, make_user)
    deep_message = '{"type":"message","text":"x","extra":' + '{"a":' * 40 + "1" + "}" * 41
    await connection.send(deep_message)
    event, code = await refused(connection)
    assert event["code"] == "bad_frame" and code == 1008
    no_crash(caplog)


async def test_too_big_after_sign_in(
    live: Live, make_user: MakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    connection = await signed_in(live, make_user)
    await connection.send(json.dumps({"type": "message", "text": "가" * 30_000}))  # 90 KB
    event, code = await refused(connection)
    assert event["code"] == "bad_frame" and "65,536바이트" in event["message"]
    assert code == 1009
    no_crash(caplog)


async def test_brackets_inside_strings_are_text(live: Live, make_user: MakeUser) -> None:
    connection = await signed_in(live, make_user)
    # Many brackets, quotes and backslashes inside strings: shallow JSON, the socket stays open.
    tricky = {"type": "ping", "note": "[{" * 500 + '\\"[[' * 100, "list": [[["ok"]]]}
    await connection.send(json.dumps(tricky))
    assert json.loads(await connection.recv()) == {"type": "pong"}
    # A malformed but small frame still keeps the connection, as before.
    await connection.send("{not json")
    assert json.loads(await connection.recv())["code"] == "bad_frame"
    await connection.send(json.dumps({"type": "ping"}))
    assert json.loads(await connection.recv()) == {"type": "pong"}
    await connection.close()


def test_depth_measure() -> None:
    assert frames.nesting_depth('{"a": [1, {"b": "]]]]"}]}') == 3
    assert frames.nesting_depth('{"a": "\\\\", "b": [[["\\"[[["]]]}') == 4
    assert frames.nesting_depth("[" * 100_000) == 100_000  # unbalanced: the parser would descend
    assert frames.nesting_depth(DEEP_AUTH) == 100_001
    assert ws.CLOSE_UNAUTHORIZED == 4401  # unchanged for bad tokens


def test_settings_bound_the_frame_size() -> None:
    assert ServerSettings().ws_max_frame_bytes == 1024 * 1024
    with pytest.raises(ValueError):
        ServerSettings(ws_max_frame_bytes=32 * 1024 * 1024)  # uvicorn refuses over 16 MiB anyway

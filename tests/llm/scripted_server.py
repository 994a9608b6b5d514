"""A real OpenAI-compatible HTTP server whose behaviour each test scripts.

The request's `model` selects the behaviour: `<scenario>` or `<scenario>:<key>` (the key keeps
tests apart). `POST /_script/<key>` queues answers for the `script` scenario; `GET
/_state/<key>` tells what the server saw (requests, chunks sent, whether the client hung up).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from dari.llm.embedded import free_port

ANSWER = "안녕하세요, 무엇을 도와드릴까요? 다리입니다."


@dataclass
class KeyState:
    requests: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    chunks_sent: int = 0
    disconnected: bool = False
    completed: bool = False
    finished_at: float = 0.0


STATE: dict[str, KeyState] = defaultdict(KeyState)


def chunk(text: str | None = None, finish: str | None = None, **extra: Any) -> str:
    delta = {"content": text} if text is not None else {}
    body = {"model": "scripted", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    body.update(extra)
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def pieces(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(0, len(text), 2)]


async def tracked(state: KeyState, events: AsyncIterator[str]) -> AsyncIterator[str]:
    try:
        async for event in events:
            yield event
            if '"content"' in event:
                state.chunks_sent += 1
        state.completed = True
    finally:
        state.disconnected = not state.completed
        state.finished_at = time.monotonic()


async def normal(text: str, body: dict[str, Any], delay: float = 0.0) -> AsyncIterator[str]:
    yield chunk(None, role="assistant")
    parts = pieces(text)
    sent = parts[: int(body.get("max_tokens") or len(parts))]
    for piece in sent:
        if delay:
            await asyncio.sleep(delay)
        yield chunk(piece)
    yield chunk(None, "stop" if len(sent) == len(parts) else "length")
    if (body.get("stream_options") or {}).get("include_usage"):
        usage = {"prompt_tokens": 11, "completion_tokens": len(sent)}
        yield f"data: {json.dumps({'choices': [], 'usage': usage})}\n\n"
    yield "data: [DONE]\n\n"


async def scenario_events(
    scenario: str, body: dict[str, Any], state: KeyState
) -> AsyncIterator[str]:
    if scenario == "slow_first":
        await asyncio.sleep(3)
    if scenario == "slow_stream":
        async for event in normal(ANSWER * 3, body, delay=0.2):
            yield event
        return
    if scenario == "malformed":
        yield chunk("안녕")
        yield "data: {not json at all\n\n"
        return
    if scenario == "cut_first" and len(state.requests) == 1:
        return  # the first answer ends before any token
    if scenario == "cut":
        for piece in pieces(ANSWER)[:3]:
            yield chunk(piece)
        return  # the body ends: no finish_reason, no [DONE]
    if scenario in ("long", "endless"):
        for i in range(5000):
            await asyncio.sleep(0.05 if scenario == "endless" else 0.002)
            yield chunk(f"{i % 10}")
        yield chunk(None, "stop")
        yield "data: [DONE]\n\n"
        return
    async for event in normal(ANSWER, body):
        yield event


def _error(status: int, message: str) -> Response:
    headers = {"Retry-After": "0"} if status == 429 else {}
    return JSONResponse({"error": {"message": message}}, status_code=status, headers=headers)


async def completions(request: Request) -> Response:
    body = await request.json()
    model = str(body.get("model", "ok"))
    scenario, *args = model.split(":")
    state = STATE[args[-1] if args else model]
    state.requests.append(body)
    if scenario == "status":  # status:<code>:<failures>:<key>
        code, failures = args[0], args[1]
        if len(state.requests) <= int(failures):
            return _error(int(code), "scripted failure")
        scenario = "ok"
    if scenario == "script":
        answer = state.answers.pop(0) if state.answers else {"text": ANSWER}
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": answer.get("text", "")}
            return JSONResponse({"choices": [{"index": 0, "message": message}]})
        events = normal(answer.get("text", ""), body)
    else:
        events = scenario_events(scenario, body, state)
    return StreamingResponse(tracked(state, events), media_type="text/event-stream")


async def models(_request: Request) -> Response:
    return JSONResponse({"object": "list", "data": [{"id": "scripted-model"}]})


async def script(request: Request) -> Response:
    state = STATE[request.path_params["key"]]
    data = await request.json()
    state.answers = list(data.get("answers", []))
    return JSONResponse({"ok": True})


async def state(request: Request) -> Response:
    s = STATE[request.path_params["key"]]
    return JSONResponse(
        {
            "requests": s.requests,
            "chunks_sent": s.chunks_sent,
            "disconnected": s.disconnected,
            "completed": s.completed,
        }
    )


app = Starlette(
    routes=[
        Route("/v1/chat/completions", completions, methods=["POST"]),
        Route("/v1/models", models),
        Route("/_script/{key:path}", script, methods=["POST"]),
        Route("/_state/{key:path}", state),
    ]
)


@contextmanager
def serve_app(asgi_app: Starlette, name: str = "scripted server") -> Iterator[str]:
    """Run any ASGI app on a free port in a background thread; yields its base URL (`…/v1`)."""
    port = free_port("127.0.0.1")
    config = uvicorn.Config(
        asgi_app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the {name} did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(5)


@contextmanager
def serve() -> Iterator[str]:
    """Run this scripted server in a background thread; yields its base URL (`…/v1`)."""
    with serve_app(app) as url:
        yield url

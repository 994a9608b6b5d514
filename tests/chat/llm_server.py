"""A real OpenAI-compatible server scripted per test (chat tests), run by uvicorn on 127.0.0.1.

The request's `model` is `chat:<key>`. The assistant's model calls (phrasing a document answer
or a chit-chat reply) take the next item of `script.answers`; with nothing scripted the server
answers HTTP 500. An item may wait before answering (`wait`, seconds before the first byte),
stream slowly (`delay` per 3-character piece), stop the HTTP body mid-way (`cut_after` pieces),
tear the connection down mid-body like a killed server (`crash_after` pieces), fall silent
for good (`hang_after` pieces) or fail with an HTTP status (`status`).

Requests with a `response_format` (JSON: only the LLM planner, `DARI_CHAT_ROUTER_LLM_FALLBACK`)
take the next item of `script.intents` (`intent(...)` builds one). The router makes no model
call, so chat tests script no intents; `tests/web` still queues some, which are never read.

Everything the server received is kept in `script.requests`; `active`/`max_active` count the
requests being answered at once (the LLM queue's one-slot promise).
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.llm.scripted_server import serve_app


class ModelCrashed(Exception):
    """Raised inside a streamed body: uvicorn drops the connection without ending the body."""


@dataclass
class Script:
    answers: list[dict[str, Any]] = field(default_factory=list)
    intents: list[dict[str, Any]] = field(default_factory=list)  # JSON calls (LLM planner)
    requests: list[dict[str, Any]] = field(default_factory=list)
    disconnected: int = 0
    completed: int = 0
    active: int = 0
    max_active: int = 0


SCRIPTS: dict[str, Script] = defaultdict(Script)


def intent(
    kind: str = "doc_qa",
    query: str = "",
    calls: list[dict[str, Any]] | None = None,
    clarify: bool = False,
) -> dict[str, Any]:
    """A JSON plan the server returns as its text (for the LLM planner only)."""
    plan = {
        "intent": kind,
        "search_query": query,
        "erp_tool_calls": calls or [],
        "needs_clarification": clarify,
    }
    return {"text": json.dumps(plan, ensure_ascii=False)}


def prompt_of(request: dict[str, Any]) -> str:
    """The last (user) message of a recorded request."""
    return str(request["messages"][-1]["content"])


def _chunk(text: str | None, finish: str | None = None) -> str:
    delta = {"content": text} if text is not None else {}
    body = {"model": "scripted", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


async def _events(item: dict[str, Any], script: Script) -> AsyncIterator[str]:
    text = str(item.get("text", ""))
    pieces = [text[i : i + 3] for i in range(0, len(text), 3)]
    done = False
    try:
        yield _chunk(None)
        for index, piece in enumerate(pieces):
            if item.get("cut_after") is not None and index >= item["cut_after"]:
                return  # the body ends: no finish_reason, no [DONE]
            if item.get("crash_after") is not None and index >= item["crash_after"]:
                raise ModelCrashed  # the connection is torn down mid-body (a killed server)
            if item.get("hang_after") is not None and index >= item["hang_after"]:
                await asyncio.Event().wait()  # silent until the client gives up
            if item.get("delay"):
                await asyncio.sleep(item["delay"])
            yield _chunk(piece)
        yield _chunk(None, "stop")
        usage = {"prompt_tokens": 100, "completion_tokens": len(pieces)}
        yield f"data: {json.dumps({'choices': [], 'usage': usage})}\n\n"
        yield "data: [DONE]\n\n"
        done = True
    finally:
        script.active -= 1
        if done:
            script.completed += 1
        else:
            script.disconnected += 1


async def completions(request: Request) -> Response:
    body = await request.json()
    key = str(body.get("model", "")).split(":", 1)[-1]
    script = SCRIPTS[key]
    script.requests.append(body)
    queue = script.intents if body.get("response_format") else script.answers
    item = queue.pop(0) if queue else {"status": 500}
    script.active += 1
    script.max_active = max(script.max_active, script.active)
    if item.get("wait"):
        try:
            await asyncio.sleep(item["wait"])
        except BaseException:
            script.active -= 1
            script.disconnected += 1
            raise
    if item.get("status"):
        script.active -= 1
        return JSONResponse({"error": {"message": "scripted failure"}}, status_code=item["status"])
    return StreamingResponse(_events(item, script), media_type="text/event-stream")


async def models(_request: Request) -> Response:
    return JSONResponse({"object": "list", "data": [{"id": "scripted"}]})


app = Starlette(
    routes=[
        Route("/v1/chat/completions", completions, methods=["POST"]),
        Route("/v1/models", models),
    ]
)


@contextmanager
def serve() -> Iterator[str]:
    """Run the server in a background thread; yields its base URL (`…/v1`)."""
    with serve_app(app, "scripted LLM server") as url:
        yield url

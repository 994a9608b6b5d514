"""A real OpenAI-compatible server scripted per test (chat tests), run by uvicorn on 127.0.0.1.

The request's `model` is `chat:<key>`. Requests with a `response_format` (the intent call)
take the next item of `script.intents`; others (the answer) the next of `script.answers`.
An answer item may stream slowly (`delay`), stop the HTTP body mid-way (`cut_after`) or fail
with an HTTP status (`status`). Everything the server received is kept in `script.requests`.
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


@dataclass
class Script:
    intents: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    disconnected: int = 0
    completed: int = 0


SCRIPTS: dict[str, Script] = defaultdict(Script)


def intent(
    kind: str = "doc_qa",
    query: str = "",
    calls: list[dict[str, Any]] | None = None,
    clarify: bool = False,
) -> dict[str, Any]:
    """An intent answer the server returns as its (JSON) text."""
    plan = {
        "intent": kind,
        "search_query": query,
        "erp_tool_calls": calls or [],
        "needs_clarification": clarify,
    }
    return {"text": json.dumps(plan, ensure_ascii=False)}


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
            if item.get("delay"):
                await asyncio.sleep(item["delay"])
            yield _chunk(piece)
        yield _chunk(None, "stop")
        usage = {"prompt_tokens": 100, "completion_tokens": len(pieces)}
        yield f"data: {json.dumps({'choices': [], 'usage': usage})}\n\n"
        yield "data: [DONE]\n\n"
        done = True
    finally:
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
    if item.get("status"):
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

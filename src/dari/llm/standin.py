"""A fast stand-in for the model: an OpenAI-compatible server that streams a fixed Korean reply.

For load tests and benchmarks (`dari bench chat-load`), where the real model would be the
bottleneck and the question is what Dari itself costs. It answers `POST /v1/chat/completions`
(streamed or not) and `GET /v1/models`, streaming `tokens` pieces of a short, citation-free
reply at `tokens_per_s` each (0: as fast as it can).

In a process of its own (so its CPU is not counted with Dari's)::

    python -m dari.llm.standin --port 8088 --tokens-per-s 50 --tokens 40
    DARI_LLM_BASE_URL=http://127.0.0.1:8088/v1 dari serve

or in a thread of the current process: `with serve(tokens_per_s=50) as base_url: ...`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

MODEL = "standin"
# Small talk without figures or citations: passes the chat's answer check as it is.
REPLY = "안녕하세요. 저는 회사 업무를 돕는 다리입니다. 궁금한 점을 편하게 물어보세요. "


@dataclass
class StandinConfig:
    """How the stand-in answers: `tokens` pieces, `tokens_per_s` each (0: no pause)."""

    tokens_per_s: float = 50.0
    tokens: int = 40


def _pieces(count: int) -> list[str]:
    text = REPLY * (1 + count * 2 // len(REPLY))
    return [text[i * 2 : i * 2 + 2] for i in range(count)]


def _chunk(text: str | None, finish: str | None = None) -> str:
    delta = {"content": text} if text is not None else {}
    body = {"model": MODEL, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def build_app(config: StandinConfig) -> Starlette:
    """The ASGI app of the stand-in model."""

    async def stream(pieces: list[str]) -> AsyncIterator[str]:
        pause = 1.0 / config.tokens_per_s if config.tokens_per_s > 0 else 0.0
        yield _chunk(None)
        for piece in pieces:
            if pause:
                await asyncio.sleep(pause)
            yield _chunk(piece)
        yield _chunk(None, "stop")
        usage = {"prompt_tokens": 50, "completion_tokens": len(pieces)}
        yield f"data: {json.dumps({'choices': [], 'usage': usage})}\n\n"
        yield "data: [DONE]\n\n"

    async def completions(request: Request) -> Response:
        body = await request.json()
        limit = int(body.get("max_tokens") or config.tokens)
        pieces = _pieces(max(1, min(config.tokens, limit)))
        if body.get("stream"):
            return StreamingResponse(stream(pieces), media_type="text/event-stream")
        message = {"role": "assistant", "content": "".join(pieces)}
        return JSONResponse(
            {
                "model": MODEL,
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 50, "completion_tokens": len(pieces)},
            }
        )

    async def models(_request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": MODEL, "object": "model"}]})

    return Starlette(
        routes=[
            Route("/v1/chat/completions", completions, methods=["POST"]),
            Route("/v1/models", models),
        ]
    )


@contextmanager
def serve(tokens_per_s: float = 50.0, tokens: int = 40, host: str = "127.0.0.1") -> Iterator[str]:
    """Run the stand-in in a background thread; yields its base URL (`http://…/v1`)."""
    import uvicorn

    from dari.llm.embedded import free_port

    port = free_port(host)
    app = build_app(StandinConfig(tokens_per_s=tokens_per_s, tokens=tokens))
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="dari-standin-llm", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the stand-in model did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main(argv: list[str] | None = None) -> None:
    """`python -m dari.llm.standin`: serve the stand-in until interrupted."""
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--tokens-per-s", type=float, default=50.0)
    parser.add_argument("--tokens", type=int, default=40)
    args = parser.parse_args(argv)
    app = build_app(StandinConfig(tokens_per_s=args.tokens_per_s, tokens=args.tokens))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":  # pragma: no cover
    main()

"""`dari bench concurrency`: N people ask at once over the WebSocket — are all answered?

Starts Dari in this process (the configured data dir: run `dari demo setup` first), signs in
N demo users by issuing their tokens directly, opens N sockets to `/ws/chat` and sends one
question on each at the same moment. Prints, per question, how it ended (`done` or the
`error` code), the time to the first token and to the end, the places in line it was told
(`status` events) and how the answer was checked; and the counts of answered and timed out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
from typing import Any

# Five different demo users (each may have one answer streaming at a time) asking document
# questions, the kind that waits for the model.
DEFAULT_ASKS = (
    ("minjun.kim", "출장 가면 숙박비는 하루 얼마까지 돼?"),
    ("jihoon.park", "경조휴가는 부모님 회갑이면 며칠이야?"),
    ("hyunwoo.cho", "비밀번호는 몇 자 이상으로 만들어야 해?"),
    ("jaewon.song", "긴급 발주는 어떻게 처리해?"),
    ("haneul.lim", "복지포인트는 어디에 쓸 수 있어?"),
)


async def _ask(url: str, token: str, question: str) -> dict[str, Any]:
    import websockets

    started = time.perf_counter()
    result: dict[str, Any] = {"question": question, "places": [], "outcome": None}
    async with websockets.connect(url, subprotocols=["dari.v1", f"bearer.{token}"]) as ws:  # type: ignore[list-item]
        ready = json.loads(await ws.recv())
        if ready.get("type") != "ready":
            return {**result, "outcome": f"error:{ready.get('code')}"}
        await ws.send(json.dumps({"type": "message", "text": question}))
        while True:
            event = json.loads(await asyncio.wait_for(ws.recv(), timeout=600))
            kind = event["type"]
            if kind == "token" and "ttft_ms" not in result:
                result["ttft_ms"] = round((time.perf_counter() - started) * 1000)
            elif kind == "status" and event["state"] == "queued":
                result["places"].append(event["position"])
            elif kind == "done":
                result["outcome"] = "done"
                result["verification"] = (event.get("verification") or {}).get("status")
                break
            elif kind == "error":
                result["outcome"] = f"error:{event.get('code')}"
                break
    result["total_ms"] = round((time.perf_counter() - started) * 1000)
    return result


async def run(settings: Any, asks: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    import uvicorn

    from dari.app import create_app
    from dari.auth.service import get_auth, issue_access, user_by_username
    from dari.core.runtime import build_runtime
    from dari.llm.embedded import free_port

    runtime = build_runtime(settings)
    app = create_app(settings, runtime=runtime)
    port = free_port("127.0.0.1")
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                raise RuntimeError("the server did not start")
            await asyncio.sleep(0.1)
        tokens = []
        async with runtime.sessionmaker() as session:
            for username, _ in asks:
                user = await user_by_username(session, username)
                if user is None:
                    raise RuntimeError(f"no user {username!r}: run `dari demo setup` first")
                token, _, _ = await issue_access(get_auth(runtime), session, user)
                tokens.append(token)
            await session.commit()
        url = f"ws://127.0.0.1:{port}/ws/chat"
        started = time.perf_counter()
        results = await asyncio.gather(
            *(_ask(url, token, q) for token, (_, q) in zip(tokens, asks, strict=True))
        )
        wall = time.perf_counter() - started
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 60)
    answered = [r for r in results if r["outcome"] == "done"]
    return {
        "questions": len(results),
        "answered": len(answered),
        "timed_out": sum(1 for r in results if r["outcome"] == "error:llm_timeout"),
        "errors": [r["outcome"] for r in results if r["outcome"] != "done"],
        "wall_s": round(wall, 1),
        "ttft_p50_ms": statistics.median(r["ttft_ms"] for r in answered) if answered else None,
        "total_max_ms": max((r["total_ms"] for r in results), default=None),
        "details": results,
    }


def register(bench_app: Any) -> None:
    import typer

    @bench_app.command("concurrency")
    def concurrency(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
        """N demo users ask at once over /ws/chat: all answered? (after `dari demo setup`)."""
        from dari.cli.common import fail, settings_or_exit

        settings = settings_or_exit()
        try:
            result = asyncio.run(run(settings, DEFAULT_ASKS))
        except RuntimeError as exc:
            fail(str(exc))
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        for r in result["details"]:
            typer.echo(
                f"{r['outcome']:<8} ttft {r.get('ttft_ms', '-'):>6} ms  total "
                f"{r.get('total_ms', '-'):>6} ms  places {r['places']}  "
                f"{r.get('verification') or ''}  {r['question']}"
            )
        summary = {k: v for k, v in result.items() if k != "details"}
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))

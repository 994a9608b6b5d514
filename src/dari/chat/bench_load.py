"""`dari bench chat-load`: N WebSocket clients against a Dari server on a fast stand-in model.

What Dari itself costs per answer, on each cache and database backend: the model is
`dari.llm.standin` (its own process, so its CPU is not counted), the server runs in this
process (uvicorn, the real app), and N clients each ask `answers_per_client` small-talk
questions one after the other over `/ws/chat`. Reported: answers/s, p50/p95 time to the first
token and to `done`, errors by code, this process's CPU seconds per answer (server and
clients), and with Redis its CPU and commands per answer (`INFO cpu`, `INFO commandstats`).

Nothing of an install is touched: the database is a fresh SQLite file in a temporary
directory, or the `--database` URL (migrated; its bench users and chats are left there — use
a scratch database), Redis keys live under a `dari-bench:<random>:` prefix, removed after.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUESTION = "안녕하세요"  # small talk: the stand-in model phrases every answer


@dataclass
class LoadOptions:
    clients: int = 50
    answers_per_client: int = 4
    cache: str = "memory"  # memory | a redis:// URL (or "redis" for the local default)
    database: str = "sqlite"  # sqlite | a database URL
    tokens_per_s: float = 50.0
    tokens: int = 40
    timeout_s: float = 120.0
    resume_ttl_s: int = 300  # DARI_CHAT_RESUME_TTL_S (the soak shortens it: keys expire in the run)
    max_stream_s: int = 600  # DARI_CHAT_MAX_STREAM_S


@dataclass
class Harness:
    """A started server (this process) on the stand-in model, and its users' tokens."""

    url: str
    tokens: list[str]
    runtime: Any
    redis_url: str
    answered: int = 0
    on_answer: Callable[[], Awaitable[None]] | None = None
    results: list[dict[str, Any]] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def standin_process(tokens_per_s: float, tokens: int) -> Any:
    """`python -m dari.llm.standin` on a free port; yields its base URL."""
    port = _free_port()
    command = [sys.executable, "-m", "dari.llm.standin", "--port", str(port)]
    command += ["--tokens-per-s", str(tokens_per_s), "--tokens", str(tokens)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603  (our own module)
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            if process.poll() is not None:
                raise RuntimeError("the stand-in model did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


def bench_settings(options: LoadOptions, data_dir: Path, llm_url: str) -> Any:
    """Settings of the bench server: stand-in model, chosen backends, limits out of the way."""
    from dari.config import Settings
    from dari.config.chat import ChatSettings
    from dari.config.database import DatabaseSettings
    from dari.config.llm import LLMSettings
    from dari.config.redis import RedisSettings
    from dari.config.server import ServerSettings

    redis_url = "" if options.cache == "memory" else options.cache
    if redis_url == "redis":
        redis_url = "redis://127.0.0.1:6379/0"
    database_url = "" if options.database == "sqlite" else options.database
    return Settings(
        # `test`: no background warm-ups (their CPU would count); the bench warms up itself.
        server=ServerSettings(env="test", data_dir=data_dir, log_format="text"),
        database=DatabaseSettings(url=database_url),
        redis=RedisSettings(url=redis_url, key_prefix=f"dari-bench:{uuid.uuid4().hex[:8]}:"),
        llm=LLMSettings(base_url=llm_url, model="standin", max_retries=0),
        chat=ChatSettings(
            messages_per_minute=10000,
            max_stream_s=options.max_stream_s,
            resume_ttl_s=options.resume_ttl_s,
        ),
    )


async def _users(runtime: Any, count: int) -> list[str]:
    from dari.auth import admin
    from dari.auth.service import ensure_builtin_roles, get_auth, issue_access

    auth, tokens = get_auth(runtime), []
    tag = uuid.uuid4().hex[:6]
    async with runtime.sessionmaker() as session:
        await ensure_builtin_roles(session)
        for index in range(count):
            user = await admin.create_user(
                auth, session, username=f"bench-{tag}-{index}", password=None, roles=["employee"]
            )
            token, _, _ = await issue_access(auth, session, user)
            tokens.append(token)
        await session.commit()
    return tokens


@contextlib.asynccontextmanager
async def started(options: LoadOptions) -> AsyncIterator[Harness]:
    """The stand-in model, a migrated database and the app server, with N users."""
    import uvicorn

    from dari.app import create_app
    from dari.core.runtime import build_runtime
    from dari.db import migrate

    with (
        tempfile.TemporaryDirectory() as directory,
        standin_process(options.tokens_per_s, options.tokens) as llm_url,
    ):
        settings = bench_settings(options, Path(directory), llm_url)
        from dari.erp.sample.load import load_sample

        # A small sample ERP: the router loads its names once (small talk calls no tool).
        await load_sample(f"sqlite:///{directory}/erp-sample.db", seed=7, scale=0.02)
        runtime = build_runtime(settings)
        await migrate.upgrade(runtime.engine)
        app = create_app(settings, runtime=runtime)
        port = _free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:
                if task.done():
                    raise RuntimeError("the server did not start")
                await asyncio.sleep(0.05)
            tokens = await _users(runtime, options.clients)
            yield Harness(f"ws://127.0.0.1:{port}/ws/chat", tokens, runtime, settings.redis.url)
        finally:
            server.should_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 30)
            if settings.redis.url:
                await _clear_prefix(settings.redis.url, settings.redis.key_prefix)
            await runtime.close()


async def _clear_prefix(url: str, prefix: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(url)
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def client_run(harness: Harness, token: str, answers: int, timeout_s: float) -> None:
    """One client: connect, ask `answers` questions one after the other, record each."""
    import websockets

    async with websockets.connect(
        harness.url,
        subprotocols=["dari.v1", f"bearer.{token}"],  # type: ignore[list-item]
        max_size=None,
    ) as ws:
        ready = json.loads(await ws.recv())
        if ready.get("type") != "ready":
            harness.results.append({"outcome": f"error:{ready.get('code')}"})
            return
        for _ in range(answers):
            started = time.perf_counter()
            result: dict[str, Any] = {"outcome": None}
            await ws.send(json.dumps({"type": "message", "text": QUESTION}))
            while result["outcome"] is None:
                event = json.loads(await asyncio.wait_for(ws.recv(), timeout_s))
                if event["type"] == "token" and "first_token_ms" not in result:
                    result["first_token_ms"] = (time.perf_counter() - started) * 1000
                elif event["type"] == "done":
                    result["outcome"] = "done"
                elif event["type"] == "error":
                    result["outcome"] = f"error:{event.get('code')}"
            result["done_ms"] = (time.perf_counter() - started) * 1000
            harness.results.append(result)
            harness.answered += 1
            if harness.on_answer is not None:
                await harness.on_answer()


async def redis_usage(url: str) -> tuple[float, int]:
    """Redis's own CPU seconds so far (`INFO cpu`: user + sys) and the commands it has run
    (`INFO commandstats`); zeros without Redis."""
    if not url:
        return 0.0, 0
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(url)
    try:
        cpu = await client.info("cpu")
        stats = await client.info("commandstats")
    finally:
        await client.aclose()
    calls = sum(int(v["calls"]) for k, v in stats.items() if k.startswith("cmdstat_"))
    return float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"]), calls


def percentile(values: list[float], share: float) -> float | None:
    """The `share` quantile (0.5, 0.95) of `values`, rounded to ms; None when empty."""
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1], 1)


async def run_load(options: LoadOptions) -> dict[str, Any]:
    """Warm up (one answer per client), then measure `answers_per_client` per client."""
    async with started(options) as harness:
        await asyncio.gather(*(client_run(harness, t, 1, 60) for t in harness.tokens))
        harness.results.clear()
        cpu, (redis_cpu, redis_calls) = time.process_time(), await redis_usage(harness.redis_url)
        began = time.perf_counter()
        await asyncio.gather(
            *(
                client_run(harness, token, options.answers_per_client, options.timeout_s)
                for token in harness.tokens
            ),
            return_exceptions=False,
        )
        wall = time.perf_counter() - began
        cpu = time.process_time() - cpu
        redis_after = await redis_usage(harness.redis_url)
        redis_cpu, redis_calls = redis_after[0] - redis_cpu, redis_after[1] - redis_calls - 2
        results = harness.results
    done = [r for r in results if r["outcome"] == "done"]
    errors: dict[str, int] = {}
    for r in results:
        if r["outcome"] != "done":
            errors[r["outcome"]] = errors.get(r["outcome"], 0) + 1
    count = len(done) or 1
    return {
        "cache": "redis" if harness.redis_url else "memory",
        "database": "sqlite" if options.database == "sqlite" else options.database.split(":")[0],
        "clients": options.clients,
        "answers": len(results),
        "answered": len(done),
        "errors": errors,
        "wall_s": round(wall, 2),
        "answers_per_s": round(len(done) / wall, 2) if wall else None,
        "first_token_p50_ms": percentile([r["first_token_ms"] for r in done], 0.5),
        "first_token_p95_ms": percentile([r["first_token_ms"] for r in done], 0.95),
        "done_p50_ms": percentile([r["done_ms"] for r in done], 0.5),
        "done_p95_ms": percentile([r["done_ms"] for r in done], 0.95),
        "cpu_s_per_answer": round(cpu / count, 4),
        "redis_cpu_s_per_answer": round(redis_cpu / count, 4) if harness.redis_url else None,
        # Every command Redis ran (also other clients of a shared Redis), per answer.
        "redis_commands_per_answer": round(redis_calls / count, 1) if harness.redis_url else None,
        "model": {"tokens_per_s": options.tokens_per_s, "tokens": options.tokens},
        "pid": os.getpid(),
    }


def register(bench_app: Any) -> None:
    import typer

    from dari.chat import bench_soak

    bench_soak.register(bench_app)

    @bench_app.command("chat-load")
    def chat_load(
        clients: int = typer.Option(50, help="WebSocket clients at once."),
        answers_per_client: int = typer.Option(4, help="Questions each client asks in turn."),
        cache: str = typer.Option("memory", help="memory, redis (local) or a redis:// URL."),
        database: str = typer.Option("sqlite", help="sqlite (a temporary file) or a URL."),
        tokens_per_s: float = typer.Option(50.0, help="Stand-in model speed (0: no pause)."),
        tokens: int = typer.Option(40, help="Pieces per stand-in answer."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON only."),
    ) -> None:
        """N clients chat over /ws/chat with a fast stand-in model: answers/s, latency, CPU."""
        options = LoadOptions(clients, answers_per_client, cache, database, tokens_per_s, tokens)
        result = asyncio.run(run_load(options))
        result.pop("pid", None)
        typer.echo(json.dumps(result, ensure_ascii=False, indent=None if as_json else 2))

"""`dari bench chat-soak`: thousands of answers in one server process — does memory stay flat?

The `chat-load` harness (stand-in model, real app, WebSocket clients) on the in-process cache
by default, asking `--answers` questions in all. Every `--every` answers it prints the
process's resident memory (RSS) and the in-process cache's key count: the curve. After the
warm-up (the first `--warmup` answers: routers, connection pools, allocator arenas) the curve
is called flat when it grows by less than `--tolerance-mb`.

Each answer leaves keys that live `DARI_CHAT_RESUME_TTL_S` (+ `DARI_CHAT_MAX_STREAM_S` for its
owner key); the soak shortens them (`--resume-ttl-s`, 10 s; 30 s) so that expiry reaches a
steady state within the run — with the defaults (300 s, 900 s) memory grows for the first
20 minutes of any server by design, then levels off the same way.
"""

from __future__ import annotations

import asyncio
import gc
import json
from pathlib import Path
from typing import Any

from dari.chat.bench_load import Harness, LoadOptions, client_run, started


def rss_mb() -> float:
    """This process's resident memory in MB (Linux `/proc/self/status`)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def flat(curve: list[dict[str, Any]], warmup: int, tolerance_mb: float) -> dict[str, Any]:
    """Growth of RSS after the warm-up: (max after warm-up) - (first point after warm-up)."""
    after = [p for p in curve if p["answers"] >= warmup]
    if len(after) < 2:
        return {"flat": None, "growth_mb": None}
    growth = round(max(p["rss_mb"] for p in after) - after[0]["rss_mb"], 1)
    return {"flat": growth < tolerance_mb, "growth_mb": growth}


async def run_soak(
    options: LoadOptions,
    answers: int,
    every: int,
    warmup: int,
    tolerance_mb: float,
    echo: Any = None,
) -> dict[str, Any]:
    """Ask `answers` questions over `options.clients` clients, sampling RSS every `every`."""
    curve: list[dict[str, Any]] = []
    per_client = max(1, -(-answers // options.clients))
    async with started(options) as harness:
        cache = harness.runtime.cache

        def sample() -> None:
            gc.collect()
            point = {"answers": harness.answered, "rss_mb": rss_mb()}
            if hasattr(cache, "__len__"):
                point["cache_keys"] = len(cache)
            curve.append(point)
            if echo is not None:
                echo(json.dumps(point))

        async def on_answer() -> None:
            if harness.answered % every == 0:
                sample()

        harness.on_answer = on_answer
        sample()
        await asyncio.gather(
            *(client_run(harness, t, per_client, options.timeout_s) for t in harness.tokens)
        )
        sample()
        results = _outcomes(harness)
    return {
        "cache": options.cache,
        "answers": harness.answered,
        **results,
        "every": every,
        "warmup": warmup,
        **flat(curve, warmup, tolerance_mb),
        "curve": curve,
    }


def _outcomes(harness: Harness) -> dict[str, Any]:
    done = sum(1 for r in harness.results if r["outcome"] == "done")
    return {"answered": done, "errors": len(harness.results) - done}


def register(bench_app: Any) -> None:
    import typer

    @bench_app.command("chat-soak")
    def chat_soak(
        answers: int = typer.Option(2000, help="Answers in all."),
        clients: int = typer.Option(10, help="WebSocket clients at once."),
        every: int = typer.Option(100, help="Print RSS every K answers."),
        warmup: int = typer.Option(300, help="Answers before the curve must be flat."),
        tolerance_mb: float = typer.Option(20.0, help="Growth after warm-up still flat."),
        cache: str = typer.Option("memory", help="memory, redis (local) or a redis:// URL."),
        database: str = typer.Option("sqlite", help="sqlite (a temporary file) or a URL."),
        tokens_per_s: float = typer.Option(0.0, help="Stand-in model speed (0: no pause)."),
        resume_ttl_s: int = typer.Option(
            10, help="DARI_CHAT_RESUME_TTL_S for the run: short, so answers' keys expire in it."
        ),
    ) -> None:
        """Many answers in one process: RSS every K answers and whether it stays flat."""
        options = LoadOptions(clients, 0, cache, database, tokens_per_s, 40)
        options.resume_ttl_s, options.max_stream_s = resume_ttl_s, 30
        result = asyncio.run(
            run_soak(options, answers, every, warmup, tolerance_mb, echo=typer.echo)
        )
        typer.echo(json.dumps({k: v for k, v in result.items() if k != "curve"}, indent=2))

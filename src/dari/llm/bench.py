"""`dari bench llm`: first-token time and tokens/s through the gateway and directly.

"Direct" is a raw httpx stream to the same server with the same request: no gateway code
(no breaker, retries, parsing into deltas, metrics). Runs alternate so load drifts hit both.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Annotated, Any

import httpx
import typer

from dari.llm.base import ChatMessage

PROMPT = "대한민국의 수도와 그 도시의 특징을 세 문장으로 설명해 주세요."


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summary(ttfts_ms: list[float], speeds: list[float]) -> dict[str, float]:
    return {
        "ttft_p50_ms": round(statistics.median(ttfts_ms), 2),
        "ttft_p95_ms": round(_percentile(ttfts_ms, 0.95), 2),
        "tokens_per_s": round(statistics.median(speeds), 2),
    }


async def direct_run(
    http: httpx.AsyncClient, url: str, body: dict[str, Any], api_key: str
) -> tuple[float, float]:
    """(ttft ms, tokens/s) of one raw streamed request: one content chunk = one token."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    started = time.perf_counter()
    first = last = 0.0
    tokens = 0
    async with http.stream("POST", url, json=body, headers=headers) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if not line.startswith("data:") or line.strip() == "data: [DONE]":
                continue
            choices = json.loads(line[5:]).get("choices") or [{}]
            if (choices[0].get("delta") or {}).get("content"):
                last = time.perf_counter()
                first = first or last
                tokens += 1
    speed = (tokens - 1) / (last - first) if tokens > 1 and last > first else 0.0
    return (first - started) * 1000, speed


async def measure(runs: int, max_tokens: int) -> dict[str, Any]:
    from dari.cli.common import settings_or_exit
    from dari.llm import llm_session

    settings = settings_or_exit()
    messages = [ChatMessage(role="user", content=PROMPT)]
    async with llm_session(settings) as client:
        body = await client.payload(messages, max_tokens=max_tokens, temperature=0.0)
        url = client.transport.base_url + "/chat/completions"
        results: dict[str, tuple[list[float], list[float]]] = {
            "gateway": ([], []),
            "direct": ([], []),
        }
        async with httpx.AsyncClient(timeout=settings.llm.total_timeout_s) as http:
            await client.chat(messages, max_tokens=4, temperature=0.0)  # warm-up
            for _ in range(runs):
                result = await client.chat(messages, max_tokens=max_tokens, temperature=0.0)
                results["gateway"][0].append(result.timings.ttft_ms)
                results["gateway"][1].append(result.timings.tokens_per_s)
                ttft, speed = await direct_run(http, url, body, settings.llm.api_key)
                results["direct"][0].append(ttft)
                results["direct"][1].append(speed)
        gateway = summary(*results["gateway"])
        direct = summary(*results["direct"])
        return {
            "model": await client.model(),
            "runs": runs,
            "max_tokens": max_tokens,
            "gateway": gateway,
            "direct": direct,
            "ratio_tokens_per_s": round(gateway["tokens_per_s"] / direct["tokens_per_s"], 4)
            if direct["tokens_per_s"]
            else None,
            "ttft_overhead_ms": round(gateway["ttft_p50_ms"] - direct["ttft_p50_ms"], 2),
        }


def register(bench_app: typer.Typer) -> None:
    @bench_app.command("llm")
    def bench_llm(
        runs: Annotated[int, typer.Option(min=1, help="Requests per side.")] = 10,
        max_tokens: Annotated[int, typer.Option(min=2, help="Tokens per answer.")] = 32,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """LLM first-token time and tokens/s: gateway vs direct to the same server."""
        from dari.cli.common import fail, run
        from dari.llm.base import LLMError
        from dari.llm.catalog import ModelError

        try:
            report = run(measure(runs, max_tokens))
        except (LLMError, ModelError, httpx.HTTPError) as exc:
            fail(f"benchmark failed: {exc}")
        if as_json:
            typer.echo(json.dumps(report, ensure_ascii=False))
            return
        typer.echo(f"model {report['model']}, {runs} runs of {max_tokens} tokens")
        for side in ("gateway", "direct"):
            s = report[side]
            typer.echo(
                f"  {side:8} ttft p50 {s['ttft_p50_ms']:8.1f} ms  p95 {s['ttft_p95_ms']:8.1f} ms"
                f"  {s['tokens_per_s']:6.1f} tokens/s"
            )
        typer.echo(
            f"  ratio tokens/s {report['ratio_tokens_per_s']}, "
            f"ttft overhead {report['ttft_overhead_ms']} ms"
        )

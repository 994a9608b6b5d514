"""`dari bench chat-load` and `chat-soak`, run tiny: every answer arrives and the reports have
their fields (the stand-in model in its own process, the real app and WebSocket clients)."""

from __future__ import annotations

import pytest

from dari.chat.bench_load import LoadOptions, percentile, run_load
from dari.chat.bench_soak import flat, run_soak

pytestmark = pytest.mark.slow


async def test_chat_load_tiny() -> None:
    report = await run_load(LoadOptions(clients=3, answers_per_client=2, tokens_per_s=0))
    assert report["answers"] == report["answered"] == 6 and report["errors"] == {}
    assert report["cache"] == "memory" and report["database"] == "sqlite"
    assert report["answers_per_s"] > 0
    assert 0 < report["first_token_p50_ms"] <= report["first_token_p95_ms"]
    assert report["first_token_p50_ms"] <= report["done_p50_ms"] <= report["done_p95_ms"]
    assert report["cpu_s_per_answer"] > 0 and report["redis_cpu_s_per_answer"] is None


async def test_chat_load_on_redis(redis_url: str) -> None:
    options = LoadOptions(clients=2, answers_per_client=2, tokens_per_s=0, cache=redis_url)
    report = await run_load(options)
    assert report["answered"] == 4 and report["cache"] == "redis"
    assert report["redis_cpu_s_per_answer"] is not None and report["redis_cpu_s_per_answer"] >= 0


async def test_chat_soak_tiny() -> None:
    options = LoadOptions(clients=3, answers_per_client=0, tokens_per_s=0)
    report = await run_soak(options, answers=12, every=4, warmup=4, tolerance_mb=50)
    assert report["answered"] == 12 and report["errors"] == 0
    assert [p["answers"] for p in report["curve"]] == [0, 4, 8, 12, 12]
    assert all(p["rss_mb"] > 0 and "cache_keys" in p for p in report["curve"])
    assert report["flat"] in (True, False) and report["growth_mb"] is not None


def test_flat_and_percentiles() -> None:
    curve = [{"answers": a, "rss_mb": m} for a, m in [(0, 100), (10, 150), (20, 151), (30, 152)]]
    assert flat(curve, warmup=10, tolerance_mb=5) == {"flat": True, "growth_mb": 2}
    assert flat(curve, warmup=0, tolerance_mb=5)["flat"] is False
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([], 0.5) is None

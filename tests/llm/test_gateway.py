"""Streaming and whole completions through the gateway against a real HTTP server."""

from __future__ import annotations

from prometheus_client import REGISTRY

from dari.llm.base import ChatMessage, LLMClient
from tests.llm.conftest import Gateway, server_state
from tests.llm.scripted_server import ANSWER

HELLO = [ChatMessage(role="user", content="안녕하세요")]


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_stream_yields_text_then_usage_and_timings(gateway: Gateway, key: str) -> None:
    client = gateway(f"ok:{key}")
    assert isinstance(client, LLMClient)
    deltas = [d async for d in client.stream_chat(HELLO, max_tokens=64, temperature=0.1)]
    *texts, last = deltas
    assert "".join(d.text for d in texts) == ANSWER
    assert all(not d.done for d in texts) and len(texts) > 3
    assert last.done and last.finish_reason == "stop"
    assert last.usage is not None and last.usage.completion_tokens == len(texts)
    assert last.usage.prompt_tokens == 11 and not last.usage.estimated
    assert last.timings is not None and last.timings.ttft_ms > 0
    assert last.timings.total_ms >= last.timings.ttft_ms


async def test_request_carries_settings_and_messages(
    gateway: Gateway, key: str, scripted_url: str
) -> None:
    client = gateway(f"ok:{key}")
    messages = [ChatMessage(role="system", content="시스템"), *HELLO]
    await client.chat(messages, max_tokens=7, temperature=0.0, stop=["끝"])
    (body,) = (await server_state(scripted_url, key))["requests"]
    assert body["model"] == f"ok:{key}"
    assert body["max_tokens"] == 7 and body["temperature"] == 0.0 and body["stop"] == ["끝"]
    assert body["stream"] is True
    assert body["messages"] == [
        {"role": "system", "content": "시스템"},
        {"role": "user", "content": "안녕하세요"},
    ]


async def test_defaults_come_from_settings(gateway: Gateway, key: str, scripted_url: str) -> None:
    client = gateway(f"ok:{key}", max_tokens=99, temperature=0.7)
    await client.chat(HELLO)
    (body,) = (await server_state(scripted_url, key))["requests"]
    assert body["max_tokens"] == 99 and body["temperature"] == 0.7


async def test_chat_collects_the_answer_and_records_metrics(gateway: Gateway, key: str) -> None:
    before_ok = metric("dari_llm_requests_total", outcome="ok")
    before_ttft = metric("dari_llm_ttft_seconds_count")
    before_tokens = metric("dari_llm_tokens_total", kind="completion")
    result = await gateway(f"ok:{key}").chat(HELLO)
    assert result.text == ANSWER and result.finish_reason == "stop"
    assert result.model == f"ok:{key}"
    assert metric("dari_llm_requests_total", outcome="ok") == before_ok + 1
    assert metric("dari_llm_ttft_seconds_count") == before_ttft + 1
    assert metric("dari_llm_tokens_total", kind="completion") == (
        before_tokens + result.usage.completion_tokens
    )


async def test_model_defaults_to_the_first_the_server_lists(gateway: Gateway) -> None:
    client = gateway("")
    assert await client.model() == "scripted-model"


async def test_health(gateway: Gateway, dead_url: str) -> None:
    await gateway("ok").health()
    client = gateway("ok", url=dead_url)
    try:
        await client.health()
    except Exception as exc:
        assert getattr(exc, "code", None) == "llm_unavailable"
        assert "DARI_LLM_BASE_URL" in str(exc)
    else:
        raise AssertionError("health passed against a dead server")

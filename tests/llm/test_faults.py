"""Faults of the LLM server give the caller a clear error, never a hang (real HTTP server)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from prometheus_client import REGISTRY

from dari.llm.base import ChatMessage, LLMError
from tests.llm.conftest import Gateway, server_state

HELLO = [ChatMessage(role="user", content="안녕하세요")]


async def consume(client: object, **kw: object) -> str:
    text = ""
    async for delta in client.stream_chat(HELLO, **kw):  # type: ignore[attr-defined]
        text += delta.text
    return text


async def test_server_down_is_unavailable(gateway: Gateway, dead_url: str) -> None:
    client = gateway("ok", url=dead_url, max_retries=1)
    with pytest.raises(LLMError) as caught:
        await consume(client)
    assert caught.value.code == "llm_unavailable"
    assert "Cannot reach the LLM server" in caught.value.message
    assert caught.value.http_status == 503


async def test_circuit_opens_and_fails_fast(gateway: Gateway, key: str, scripted_url: str) -> None:
    client = gateway(f"status:500:1000:{key}", max_retries=0, breaker_failures=2)
    for _ in range(2):
        with pytest.raises(LLMError, match="500"):
            await consume(client)
    with pytest.raises(LLMError) as caught:
        await consume(client)
    assert caught.value.code == "llm_unavailable" and "circuit open" in caught.value.message
    # The open circuit sent nothing: the server saw only the two failed requests.
    assert len((await server_state(scripted_url, key))["requests"]) == 2


async def test_circuit_half_open_trial_closes_it(gateway: Gateway, key: str) -> None:
    client = gateway(f"status:503:2:{key}", max_retries=0, breaker_failures=2)
    client.breaker.cooldown_s = 0.05
    for _ in range(2):
        with pytest.raises(LLMError):
            await consume(client)
    assert client.breaker.is_open
    await asyncio.sleep(0.1)
    assert await consume(client)  # the trial call succeeds (the server recovered)
    assert not client.breaker.is_open


async def test_slow_first_token_times_out(gateway: Gateway, key: str) -> None:
    client = gateway(f"slow_first:{key}", first_token_timeout_s=0.5)
    started = time.monotonic()
    with pytest.raises(LLMError) as caught:
        await consume(client)
    assert caught.value.code == "llm_timeout" and "start answering" in caught.value.message
    assert time.monotonic() - started < 2.5  # gave up at the deadline, did not wait 3 s


async def test_total_timeout_after_first_token(gateway: Gateway, key: str) -> None:
    client = gateway(f"slow_stream:{key}", total_timeout_s=0.8)
    received = []
    with pytest.raises(LLMError) as caught:
        async for delta in client.stream_chat(HELLO):
            received.append(delta.text)
    assert caught.value.code == "llm_timeout" and received


async def test_idle_gap_times_out(gateway: Gateway, key: str) -> None:
    client = gateway(f"slow_stream:{key}", idle_timeout_s=0.05)
    with pytest.raises(LLMError) as caught:
        await consume(client)
    assert caught.value.code == "llm_timeout"


async def test_malformed_chunk_is_bad_output(gateway: Gateway, key: str) -> None:
    before = REGISTRY.get_sample_value("dari_llm_errors_total", {"code": "llm_bad_output"}) or 0
    with pytest.raises(LLMError) as caught:
        await consume(gateway(f"malformed:{key}"))
    assert caught.value.code == "llm_bad_output" and caught.value.http_status == 502
    after = REGISTRY.get_sample_value("dari_llm_errors_total", {"code": "llm_bad_output"})
    assert after == before + 1


async def test_stream_cut_midway_is_unavailable_and_not_retried(
    gateway: Gateway, key: str, scripted_url: str
) -> None:
    received: list[str] = []
    with pytest.raises(LLMError) as caught:
        async for delta in gateway(f"cut:{key}").stream_chat(HELLO):
            received.append(delta.text)
    assert caught.value.code == "llm_unavailable" and "mid-way" in caught.value.message
    assert len(received) == 3  # the caller saw the partial text before the error
    assert len((await server_state(scripted_url, key))["requests"]) == 1


async def test_stream_cut_before_the_first_token_is_retried(
    gateway: Gateway, key: str, scripted_url: str
) -> None:
    assert await consume(gateway(f"cut_first:{key}", max_retries=1))
    assert len((await server_state(scripted_url, key))["requests"]) == 2


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_transient_status_is_retried_before_the_first_token(
    gateway: Gateway, key: str, scripted_url: str, status: int
) -> None:
    client = gateway(f"status:{status}:2:{key}", max_retries=2)
    assert await consume(client)
    assert len((await server_state(scripted_url, key))["requests"]) == 3


async def test_persistent_500_gives_up_after_the_retries(
    gateway: Gateway, key: str, scripted_url: str
) -> None:
    client = gateway(f"status:500:1000:{key}", max_retries=1)
    with pytest.raises(LLMError) as caught:
        await consume(client)
    assert caught.value.code == "llm_unavailable" and "500" in caught.value.message
    assert len((await server_state(scripted_url, key))["requests"]) == 2


async def test_client_error_is_not_retried(gateway: Gateway, key: str, scripted_url: str) -> None:
    client = gateway(f"status:400:1000:{key}", max_retries=3)
    with pytest.raises(LLMError, match="400"):
        await consume(client)
    assert len((await server_state(scripted_url, key))["requests"]) == 1
    assert not client.breaker.failures  # the server is fine; the request was refused


async def test_over_long_answer_is_bad_output_and_stops_the_server(
    gateway: Gateway, key: str, scripted_url: str
) -> None:
    with pytest.raises(LLMError) as caught:
        await consume(gateway(f"long:{key}"), max_tokens=20)
    assert caught.value.code == "llm_bad_output" and "limit of 20" in caught.value.message
    state = await _settled(scripted_url, key)
    assert state["disconnected"] and state["chunks_sent"] < 5000


async def _settled(scripted_url: str, key: str) -> dict[str, Any]:
    for _ in range(100):
        state = await server_state(scripted_url, key)
        if state["disconnected"] or state["completed"]:
            return state
        await asyncio.sleep(0.05)
    return state


async def test_closing_the_stream_stops_generation_on_the_server(
    gateway: Gateway, key: str, scripted_url: str
) -> None:
    stream = gateway(f"endless:{key}").stream_chat(HELLO, max_tokens=5000)
    received = [await anext(stream) for _ in range(3)]
    await stream.aclose()
    assert [d.text for d in received] == ["0", "1", "2"]
    state = await _settled(scripted_url, key)
    assert state["disconnected"] is True and state["completed"] is False
    sent = state["chunks_sent"]
    await asyncio.sleep(0.3)  # it stays stopped
    assert (await server_state(scripted_url, key))["chunks_sent"] == sent < 50


async def test_cancelling_the_task_stops_generation_on_the_server(
    gateway: Gateway, key: str, scripted_url: str
) -> None:
    client = gateway(f"endless:{key}")
    task = asyncio.create_task(consume(client, max_tokens=5000))
    await asyncio.sleep(0.4)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    state = await _settled(scripted_url, key)
    assert state["disconnected"] is True and state["chunks_sent"] < 50

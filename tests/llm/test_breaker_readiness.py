"""`/readyz` and the circuit breaker agree (issue 19): the model server answered again, readiness
said ok, yet chat got `llm_unavailable` for the rest of the cool-down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from dari.app import create_app
from dari.config import Settings
from dari.config.llm import LLMSettings
from dari.core.runtime import Runtime
from dari.llm import get_llm
from dari.llm.base import ChatMessage, LLMError
from dari.llm.breaker import CircuitBreaker, CircuitOpen

QUESTION = [ChatMessage(role="user", content="안녕")]


@pytest.fixture
async def http(settings: Settings, scripted_url: str, key: str) -> AsyncIterator[httpx.AsyncClient]:
    # The model server fails twice, then answers again (`status:503:2`); /models always works.
    llm = LLMSettings(
        base_url=scripted_url,
        model=f"status:503:2:{key}",
        max_retries=0,
        breaker_failures=2,
        breaker_cooldown_s=30,
    )
    app = create_app(settings.model_copy(update={"llm": llm}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


async def test_readiness_follows_the_breaker(http: httpx.AsyncClient) -> None:
    runtime: Runtime = http.app.state.runtime  # type: ignore[attr-defined]
    llm = get_llm(runtime)
    assert (await http.get("/readyz")).json()["checks"]["llm"] == "ok"
    for _ in range(2):
        with pytest.raises(LLMError):
            await llm.chat(QUESTION)
    # The server answers again now, but the breaker refuses calls for 30 s: not ready.
    with pytest.raises(LLMError, match="circuit open"):
        await llm.chat(QUESTION)
    response = await http.get("/readyz")
    body = response.json()
    assert response.status_code == 503 and body["failed"] == ["llm"], body
    assert body["checks"]["llm"].startswith("unavailable: CircuitOpen (")
    assert "next try in 30 s" in body["checks"]["llm"]
    assert response.headers["retry-after"] == "30"
    assert body["checks"]["database"] == "ok"  # only the LLM is named

    breaker: CircuitBreaker = llm.breaker  # type: ignore[attr-defined]
    breaker.cooldown_s = 0.05
    await asyncio.sleep(0.1)
    # Cool-down over: the next call is the trial and would go through, so ready again.
    assert (await http.get("/readyz")).status_code == 200
    assert (await llm.chat(QUESTION)).text  # the trial succeeds; the circuit closes
    assert (await http.get("/readyz")).json()["checks"]["llm"] == "ok"


def test_a_trial_under_way_refuses_the_rest() -> None:
    breaker = CircuitBreaker(failures=1, cooldown_s=0)
    assert breaker.refusing() is None
    breaker.failure()
    assert breaker.refusing() is None  # cool-down 0: the next call is the trial
    breaker.check()  # takes the trial
    refused = breaker.refusing()
    assert isinstance(refused, CircuitOpen) and "trial call is under way" in str(refused)
    with pytest.raises(CircuitOpen):
        breaker.check()
    breaker.success()
    assert breaker.refusing() is None

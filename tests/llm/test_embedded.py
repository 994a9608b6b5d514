"""The real embedded model end to end: assembled from its packages, served by llama.cpp,
started and stopped by the app's lifecycle (as `dari serve` does). Kept short: 2 shared cores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import cast

import httpx
import pytest
from pydantic import BaseModel, Field

from dari.app import create_app
from dari.config import Settings
from dari.config.database import DatabaseSettings
from dari.config.llm import LLMSettings
from dari.core.runtime import Runtime
from dari.llm import EMBEDDED, get_llm
from dari.llm.base import ChatMessage, LLMDelta
from dari.llm.catalog import CATALOG, is_assembled
from dari.llm.embedded import free_port
from tests.llm.conftest import require_embedded_model

pytestmark = [pytest.mark.llm, pytest.mark.timeout(900)]


class Answer(BaseModel):
    city: str = Field(description="도시 이름")
    country: str


async def test_embedded_server_end_to_end(settings: Settings, model_dir: Path) -> None:
    require_embedded_model()
    cfg = LLMSettings(
        embedded="on", first_token_timeout_s=240, total_timeout_s=600, idle_timeout_s=120
    )
    # The model goes to a data directory shared by the session; the database stays per test.
    server_settings = settings.server.model_copy(update={"data_dir": model_dir})
    database = DatabaseSettings(url=settings.database_url)
    app = create_app(
        settings.model_copy(update={"llm": cfg, "server": server_settings, "database": database})
    )
    async with app.router.lifespan_context(app):
        runtime: Runtime = app.state.runtime
        model = CATALOG["qwen2.5-coder-0.5b-instruct"]
        assert is_assembled(model, model_dir / "models" / model.filename)  # SHA-256 checked
        server = runtime.peek(EMBEDDED)
        assert server is not None
        process = server.process
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            ready = await http.get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"]["llm"] == "ok"

        llm = get_llm(runtime)
        question = [
            ChatMessage(role="user", content="대한민국의 수도는 어디인가요? 짧게 답하세요.")
        ]
        deltas = [d async for d in llm.stream_chat(question, max_tokens=8, temperature=0)]
        text = "".join(d.text for d in deltas)
        assert text.strip() and deltas[-1].done
        assert deltas[-1].usage is not None and 1 <= deltas[-1].usage.completion_tokens <= 8
        assert deltas[-1].timings is not None and deltas[-1].timings.ttft_ms > 0

        # Stopping a stream early leaves the server healthy for the next call.
        stream = llm.stream_chat(question, max_tokens=64)
        await anext(stream)
        await cast(AsyncGenerator[LLMDelta, None], stream).aclose()

        prompt = "서울은 어느 나라의 도시인가요? city와 country를 채우세요."
        answer = await llm.generate_json(
            [ChatMessage(role="user", content=prompt)], Answer, max_tokens=40, temperature=0
        )
        assert isinstance(answer, Answer) and answer.city.strip()
    assert process is not None and process.poll() is not None  # stopped on shutdown


def test_dari_llm_serve_runs_and_stops_on_sigterm(model_dir: Path) -> None:
    require_embedded_model()
    port = free_port("127.0.0.1")
    env = {**os.environ, "DARI_DATA_DIR": str(model_dir), "DARI_ENV": "test"}
    dari = Path(sys.executable).with_name("dari")
    log = model_dir / "serve.log"  # a file, not a pipe: the server logs more than a pipe holds
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(dari), "llm", "serve", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 240
        while True:
            assert process.poll() is None, log.read_text(errors="replace")[-2000:]
            try:
                models = httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).json()
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "dari llm serve did not become ready"
                time.sleep(0.5)
        assert models["data"][0]["id"] == "qwen2.5-coder-0.5b-instruct"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        with pytest.raises(httpx.HTTPError):  # the model server went with it
            httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2)
    finally:
        if process.poll() is None:
            process.kill()

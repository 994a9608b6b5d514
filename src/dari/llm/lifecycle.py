"""Startup/shutdown of the LLM domain: the embedded server and the `llm` readiness check.

- DARI_LLM_BASE_URL set: readiness asks that server; nothing is started.
- Otherwise `DARI_LLM_EMBEDDED`: `auto` starts the embedded llama.cpp server (not in
  DARI_ENV=test, where tests start their own servers, and a failure only marks the LLM
  unavailable); `on` starts it and fails startup when it cannot; `off` starts nothing and
  readiness reports the LLM unavailable.

While the circuit breaker refuses calls (after repeated failures, for DARI_LLM_BREAKER_COOLDOWN_S)
readiness reports the LLM as not ready and names the cool-down left, even if the server answers.
"""

from __future__ import annotations

import logging

from dari.core.modules import serves
from dari.core.runtime import ReadinessCheck, Runtime
from dari.llm import EMBEDDED, NOT_CONFIGURED, UNAVAILABLE, get_llm
from dari.llm.base import LLMUnavailable
from dari.llm.breaker import CircuitBreaker
from dari.llm.catalog import ModelError

log = logging.getLogger(__name__)


def _unavailable(reason: str) -> ReadinessCheck:
    async def check() -> None:
        raise LLMUnavailable(reason)

    return check


async def startup(runtime: Runtime) -> None:
    cfg = runtime.settings.llm
    if not serves(runtime.settings.server.roles, "llm"):
        # Only the roles that answer questions need a model (dari.core.modules.SERVICE_ROLES):
        # an auth or worker process neither starts an embedded server nor reports on the LLM.
        return

    async def health() -> None:
        client = get_llm(runtime)
        # The server may answer again while the breaker still refuses every call (cool-down):
        # the process is not ready to answer questions until the breaker lets calls through.
        breaker = getattr(client, "breaker", None)
        if isinstance(breaker, CircuitBreaker):
            refused = breaker.refusing()
            if refused is not None:
                raise refused
        await client.health()

    if cfg.base_url:
        runtime.readiness["llm"] = health
        return
    if cfg.embedded == "off":
        runtime.readiness["llm"] = _unavailable(NOT_CONFIGURED)
        return
    if cfg.embedded == "auto" and runtime.settings.server.env == "test":
        return
    from dari.llm.embedded import start_embedded

    try:
        server = await start_embedded(runtime.settings)
    except ModelError as exc:
        if cfg.embedded == "on":
            raise
        reason = f"The embedded LLM server is not running: {exc}"
        log.warning("%s", reason)
        runtime.put(UNAVAILABLE, reason)
        runtime.readiness["llm"] = _unavailable(reason)
        return
    runtime.put(EMBEDDED, server)
    runtime.readiness["llm"] = health


async def shutdown(runtime: Runtime) -> None:
    server = runtime.take(EMBEDDED)
    if server is not None:
        await server.stop()

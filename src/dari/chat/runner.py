"""Running the assistant outside a server (CLI, benchmark): a started runtime, one-shot asks."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from dari.chat import service, streams
from dari.chat.errors import ChatError
from dari.chat.streams import Sink
from dari.config import Settings
from dari.core.modules import module_exists
from dari.core.principal import Principal
from dari.core.runtime import Runtime, build_runtime

# The domains whose start-up the assistant needs (the embedded LLM server, the search indexes).
DOMAINS = ("auth", "documents", "search", "llm", "erp", "chat")


@asynccontextmanager
async def started_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """A runtime with the assistant's domains started (like the app's lifespan), then closed."""
    runtime = build_runtime(settings)
    modules = [
        importlib.import_module(f"dari.{d}.lifecycle")
        for d in DOMAINS
        if module_exists(f"dari.{d}.lifecycle")
    ]
    started = []
    try:
        for module in modules:
            if hasattr(module, "startup"):
                await module.startup(runtime)
            started.append(module)
        yield runtime
    finally:
        for module in reversed(started):
            if hasattr(module, "shutdown"):
                await module.shutdown(runtime)
        await runtime.close()


async def principal_for(runtime: Runtime, username: str) -> Principal:
    """The Principal of an existing user (the CLI's `--as`), with roles and department."""
    from dari.auth import repository as auth_repo
    from dari.auth.service import build_principal

    async with runtime.sessionmaker() as session:
        user = await auth_repo.get_user_by_username(session, username)
        if user is None or not user.is_active:
            raise ChatError("not_found", f"no active user {username!r} (see `dari users list`)")
        return await build_principal(session, user)


async def ask_once(
    runtime: Runtime,
    principal: Principal,
    question: str,
    *,
    sink: Sink | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Run the pipeline once (no rate limits: an operator's command); returns the last event
    with the answer's `state`. Raises `ChatError` for a refused question."""
    async with runtime.sessionmaker() as session:
        turn = await service.prepare_turn(
            session, runtime.settings.chat, principal, text=question, conversation_id=None
        )
    if today is not None:
        turn.today = today
    await runtime.cache.incr(f"chat:streams:{principal.user_id}", 1)  # released by run_answer
    return await streams.run_answer(runtime, turn, sink)

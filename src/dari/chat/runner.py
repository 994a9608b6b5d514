"""Running the assistant outside a server (CLI, benchmark): a started runtime, one-shot asks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from dari.chat import turns
from dari.chat.errors import ChatError
from dari.chat.eventlog import Sink
from dari.config import Settings
from dari.core.principal import Principal
from dari.core.runtime import Runtime, build_runtime
from dari.core.startup import started_domains


@asynccontextmanager
async def started_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """A runtime with every domain started (the app's lifespan does the same), then closed."""
    runtime = build_runtime(settings)
    try:
        async with started_domains(runtime):
            yield runtime
    finally:
        await runtime.close()


async def principal_for(runtime: Runtime, username: str) -> Principal:
    """The Principal of an existing user (the CLI's `--as`), with roles and department."""
    from dari.auth.service import principal_for_username

    async with runtime.sessionmaker() as session:
        principal = await principal_for_username(session, username)
    if principal is None:
        raise ChatError("not_found", f"no active user {username!r} (see `dari users list`)")
    return principal


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
    started = await turns.start_turn(
        runtime, principal, question, sink=sink, limited=False, today=today
    )
    return await started.result()

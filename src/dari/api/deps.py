"""FastAPI dependencies as typed aliases: `SessionDep`, `RuntimeDep`, `CacheDep`, `SettingsDep`.

The auth domain adds `CurrentUser` and `require(...)` in `dari/auth/deps.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from dari.cache import Cache
from dari.config import Settings
from dari.core.runtime import Runtime
from dari.db import aftercommit


def get_runtime(connection: HTTPConnection) -> Runtime:
    """The process's runtime (HTTP requests and WebSocket connections alike)."""
    return connection.app.state.runtime  # type: ignore[no-any-return]


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """One session per request: committed here when the handler succeeds, else rolled back.

    Services never commit; this is the one place a request's writes become durable. Side
    effects registered with `dari.db.aftercommit.after_commit` (search index, files, job queue)
    run after the commit succeeded and are dropped when it fails or the handler raised.

    A commit that fails for a transient reason (deadlock, lock wait timeout) is *not* re-run
    here: the handler has already run (its request body read, audit rows written with
    `record_now`, calls to the ERP or the model made) and cannot be replayed from this point.
    Writes that may meet a deadlock are made deadlock-free where they are (`auth.set_roles`),
    and units of work that can start again from scratch use `dari.db.retry.retry_transient`
    (the chat's turn save); a request that still loses a deadlock gets 503 `unavailable` and
    may be sent again by the client (docs/operations.md, "Load and faults").
    """
    async with runtime.sessionmaker() as session:
        try:
            yield session
            await aftercommit.commit(session)
        except BaseException:
            await aftercommit.rollback(session)
            raise


def get_settings_dep(runtime: RuntimeDep) -> Settings:
    return runtime.settings


def get_cache(runtime: RuntimeDep) -> Cache:
    return runtime.cache


# scope="function": the commit runs when the handler returns, *before* the response is sent, so
# a client never sees 201 for a row that is not yet durable (or that fails to commit).
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
CacheDep = Annotated[Cache, Depends(get_cache)]

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

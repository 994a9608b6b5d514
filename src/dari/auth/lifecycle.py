"""Auth startup: load (or generate) the signing keys and make sure the built-in roles exist."""

from __future__ import annotations

from dari.auth.service import ensure_builtin_roles, get_auth
from dari.core.runtime import Runtime


async def startup(runtime: Runtime) -> None:
    get_auth(runtime).keys.load()
    async with runtime.sessionmaker() as session:
        await ensure_builtin_roles(session)
        await session.commit()

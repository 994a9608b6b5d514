"""One unit of work for the `dari users …` and `dari roles …` commands: migrate, run in one
transaction, commit, and end on a domain error with one line instead of a traceback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from dari.auth.errors import AuthError
from dari.auth.models import User
from dari.cli.common import fail, run, settings_or_exit
from dari.core.runtime import Runtime

T = TypeVar("T")


def in_session(work: Callable[[Runtime, AsyncSession], Awaitable[T]]) -> T:
    """Apply migrations, run `work` in one transaction and commit it; domain errors end cleanly."""
    from dari.auth.service import ensure_builtin_roles
    from dari.cli.preflight import PreflightError, check_database
    from dari.core.errors import DariError
    from dari.core.runtime import build_runtime

    settings = settings_or_exit()

    async def main() -> T:
        await check_database(settings, apply_migrations=True)
        runtime = build_runtime(settings)
        try:
            async with runtime.sessionmaker() as session:
                await ensure_builtin_roles(session)
                result = await work(runtime, session)
                await session.commit()
                return result
        finally:
            await runtime.close()

    try:
        return run(main())
    except PreflightError as exc:
        fail(str(exc))
    except DariError as exc:
        extra = "".join(f" {k}={v}" for k, v in exc.extra.items())
        fail(f"{exc.message or exc.code}{extra}", code=1)


async def user_named(session: AsyncSession, username: str) -> User:
    """The user with login id `username`, or `AuthError("user_not_found")`."""
    from dari.auth import repository as repo

    user = await repo.get_user_by_username(session, username)
    if user is None:
        raise AuthError("user_not_found", f"no user {username!r}")
    return user

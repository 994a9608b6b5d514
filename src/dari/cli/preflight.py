"""Checks before serving: the database and cache answer, migrations are applied."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from dari.cache import create_cache
from dari.cli.common import safe_url
from dari.config import Settings
from dari.db import migrate
from dari.db.engine import create_engine


class PreflightError(Exception):
    """A dependency is unreachable; the message says which and how to fix it."""


async def check_database(settings: Settings, *, apply_migrations: bool) -> None:
    engine = create_engine(settings)
    try:
        try:
            async with asyncio.timeout(15):
                async with engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except Exception as exc:
            raise PreflightError(
                f"cannot reach the database at {safe_url(settings.database_url)} "
                f"({type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}). "
                "Check DARI_DATABASE_URL and that the server is running."
            ) from None
        if apply_migrations:
            await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def check_cache(settings: Settings) -> None:
    if not settings.redis.url:
        return
    cache = create_cache(settings)
    try:
        async with asyncio.timeout(10):
            await cache.ping()
    except Exception as exc:
        raise PreflightError(
            f"cannot reach Redis at {safe_url(settings.redis.url)} ({exc}). "
            "Check DARI_REDIS_URL and that Redis is running, or unset it for the in-process cache."
        ) from None
    finally:
        await cache.close()


async def preflight(settings: Settings) -> None:
    await check_database(settings, apply_migrations=True)
    await check_cache(settings)

"""Migrations and models never drift, on SQLite and MariaDB."""

from sqlalchemy import inspect

from dari.core.runtime import Runtime
from dari.db import migrate


async def test_models_match_migrations(any_runtime: Runtime) -> None:
    differences = await migrate.drift(any_runtime.engine)
    assert differences == [], f"add a migration for: {differences}"


async def test_upgrade_is_idempotent(any_runtime: Runtime) -> None:
    await migrate.upgrade(any_runtime.engine)
    async with any_runtime.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
    assert "audit_events" in tables
    assert "alembic_version" in tables

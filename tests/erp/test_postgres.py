"""The SQL connector on PostgreSQL (`SET LOCAL statement_timeout`, read-only session).

Runs when a local PostgreSQL answers (DARI_TEST_POSTGRES_URL, default
postgresql+asyncpg://postgres@127.0.0.1:5432/postgres) and asyncpg is installed; else skipped.
The sample catalog's SQL targets SQLite/MariaDB, so this tests the connector directly.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from dari.config.erp import ErpSettings
from dari.erp.base import ErpError, Operation
from dari.erp.connectors.sql import SqlConnector

pytest.importorskip("asyncpg")
SERVER = os.environ.get(
    "DARI_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


async def _admin(statement: str) -> None:
    engine = create_async_engine(SERVER, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def postgres_erp() -> Iterator[str]:
    name = f"dari_erp_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable ({type(exc).__name__})")
    url = make_url(SERVER).set(database=name).render_as_string(hide_password=False)

    async def fill() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE items (code TEXT, qty INT)"))
            await connection.execute(
                text("INSERT INTO items SELECT 'P' || g, g FROM generate_series(1, 50) AS g")
            )
        await engine.dispose()

    asyncio.run(fill())
    yield url
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def test_postgres_read_only_timeout_and_cap(postgres_erp: str) -> None:
    connector = SqlConnector(postgres_erp, ErpSettings())
    assert connector.dialect == "postgres"
    try:
        result = await connector.execute(
            Operation(sql="SELECT code, qty FROM items WHERE qty > :n ORDER BY qty"),
            {"n": 40},
            max_rows=5,
            timeout_s=5,
        )
        assert result.rows[0] == ["P41", 41] and len(result.rows) == 5 and result.truncated
        started = time.perf_counter()
        with pytest.raises(ErpError) as slow:
            await connector.execute(
                Operation(sql="SELECT pg_sleep(5)"), {}, max_rows=1, timeout_s=0.5
            )
        assert slow.value.code == "erp_timeout" and time.perf_counter() - started < 3
        with pytest.raises(ErpError) as write:
            await connector.execute(Operation(sql="DELETE FROM items"), {}, max_rows=1, timeout_s=5)
        assert write.value.code == "erp_failed"
        count = await connector.execute(
            Operation(sql="SELECT COUNT(*) FROM items"), {}, max_rows=1, timeout_s=5
        )
        assert count.rows == [[50]]
    finally:
        await connector.close()

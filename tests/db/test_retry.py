"""`dari.db.retry`: real deadlocks, lock timeouts and busy SQLite are recognised and re-run."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from tests.conftest import make_settings

from dari.db.engine import create_engine
from dari.db.retry import RETRIES, is_transient, retry_transient, transient_reason


@pytest.fixture
async def mariadb(mariadb_database: str, tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, str]]:
    """The worker's MariaDB database with a scratch table of two rows (id 1 and 2)."""
    engine = create_engine(make_settings(tmp_path), mariadb_database)
    table = f"retry_{uuid.uuid4().hex[:8]}"
    async with engine.begin() as connection:
        await connection.execute(
            text(f"CREATE TABLE {table} (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB")
        )
        await connection.execute(text(f"INSERT INTO {table} VALUES (1, 0), (2, 0)"))
    yield engine, table
    async with engine.begin() as connection:
        await connection.execute(text(f"DROP TABLE {table}"))
    await engine.dispose()


async def _crossing(engine: AsyncEngine, table: str, attempts: int) -> list[object]:
    """Two transactions lock rows 1 and 2 in opposite orders, meeting after their first lock:
    MariaDB must kill one of them (1213). Each adds 1 to both rows when it succeeds."""
    both_hold_one = asyncio.Barrier(2)

    async def transaction(first: int, second: int) -> None:
        runs = 0

        async def unit() -> None:
            nonlocal runs
            runs += 1
            async with engine.connect() as connection:
                await connection.execute(text("SET SESSION innodb_lock_wait_timeout = 10"))
                await connection.commit()  # ends the transaction the SET began
                async with connection.begin():
                    bump = f"UPDATE {table} SET n = n + 1 WHERE id = :id"
                    await connection.execute(text(bump), {"id": first})
                    if runs == 1:
                        await both_hold_one.wait()
                    await connection.execute(text(bump), {"id": second})

        await retry_transient(unit, attempts=attempts, base_delay_s=0.01)

    return await asyncio.gather(transaction(1, 2), transaction(2, 1), return_exceptions=True)


async def _counts(engine: AsyncEngine, table: str) -> list[int]:
    async with engine.connect() as connection:
        return list((await connection.scalars(text(f"SELECT n FROM {table} ORDER BY id"))).all())


async def test_deadlock_without_retry_fails(mariadb: tuple[AsyncEngine, str]):
    """The scenario really deadlocks: run once each, one transaction is MariaDB's victim."""
    engine, table = mariadb
    results = await _crossing(engine, table, attempts=1)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], DBAPIError)
    assert transient_reason(errors[0]) == "deadlock"
    assert await _counts(engine, table) == [1, 1]  # only the survivor's writes


async def test_deadlock_victim_is_run_again(mariadb: tuple[AsyncEngine, str]):
    engine, table = mariadb
    before = RETRIES.labels("deadlock")._value.get()
    results = await _crossing(engine, table, attempts=3)
    assert results == [None, None]
    assert await _counts(engine, table) == [2, 2]  # both transactions' writes, once each
    assert RETRIES.labels("deadlock")._value.get() == before + 1


async def test_lock_wait_timeout_is_transient(mariadb: tuple[AsyncEngine, str]):
    engine, table = mariadb
    async with engine.connect() as holder, engine.connect() as waiter:
        await waiter.execute(text("SET SESSION innodb_lock_wait_timeout = 1"))
        await waiter.commit()
        async with holder.begin():
            await holder.execute(text(f"UPDATE {table} SET n = 5 WHERE id = 1"))
            with pytest.raises(DBAPIError) as caught:
                async with waiter.begin():
                    await waiter.execute(text(f"UPDATE {table} SET n = 6 WHERE id = 1"))
    assert transient_reason(caught.value) == "lock_wait_timeout"


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    # A short busy timeout: a second writer gives up at once instead of waiting 30 s.
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'retry.db'}", connect_args={"timeout": 0.1}
    )
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
    yield engine
    await engine.dispose()


async def test_busy_sqlite_is_run_again(sqlite: AsyncEngine):
    holder = await sqlite.connect()
    await holder.begin()
    await holder.execute(text("INSERT INTO t VALUES (1)"))  # holds SQLite's write lock
    runs = 0

    async def unit() -> None:
        nonlocal runs
        runs += 1
        if runs == 2:  # the other writer has finished by the time we try again
            await holder.commit()
        async with sqlite.begin() as connection:
            await connection.execute(text("INSERT INTO t VALUES (2)"))

    try:
        await retry_transient(unit, base_delay_s=0.01)
    finally:
        await holder.close()
    assert runs == 2
    async with sqlite.connect() as connection:
        assert (await connection.scalars(text("SELECT id FROM t ORDER BY id"))).all() == [1, 2]


async def test_busy_sqlite_gives_up_after_the_attempts(sqlite: AsyncEngine):
    holder = await sqlite.connect()
    await holder.begin()
    await holder.execute(text("INSERT INTO t VALUES (1)"))
    runs = 0

    async def unit() -> None:
        nonlocal runs
        runs += 1
        async with sqlite.begin() as connection:
            await connection.execute(text("INSERT INTO t VALUES (2)"))

    try:
        with pytest.raises(DBAPIError) as caught:
            await retry_transient(unit, attempts=3, base_delay_s=0.01)
    finally:
        await holder.close()
    assert runs == 3 and transient_reason(caught.value) == "sqlite_locked"


async def test_other_errors_are_not_retried(sqlite: AsyncEngine):
    runs = 0

    async def unit() -> None:
        nonlocal runs
        runs += 1
        async with sqlite.begin() as connection:
            await connection.execute(text("INSERT INTO t VALUES (1), (1)"))

    with pytest.raises(IntegrityError) as caught:
        await retry_transient(unit)
    assert runs == 1 and not is_transient(caught.value)
    assert not is_transient(ValueError("database is locked"))  # only database errors count

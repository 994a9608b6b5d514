"""A SQL ERP through SQLAlchemy's async engine: read-only, with a statement timeout and row cap.

Read-only three times over: the account should be read-only (docs/erp.md), every session is
put in read-only mode (`PRAGMA query_only`, `SET SESSION TRANSACTION READ ONLY`, PostgreSQL
`SET TRANSACTION READ ONLY` per transaction), and every call ends in a rollback. The timeout
is enforced by the server where it can (MariaDB
`SET STATEMENT max_statement_time`, MySQL `max_execution_time`, PostgreSQL
`SET LOCAL statement_timeout`, SQLite a progress handler) and by an asyncio deadline always.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from dari.config.erp import ErpSettings
from dari.erp.base import ErpError, Operation, RawResult, jsonable_rows
from dari.erp.connectors import async_url

log = logging.getLogger(__name__)
DIALECTS = {
    "sqlite": "sqlite",
    "mysql": "mysql",
    "mariadb": "mysql",
    "postgresql": "postgres",
    "mssql": "tsql",
}
UNAVAILABLE = "ERP 시스템에 연결할 수 없습니다. 잠시 후 다시 시도하거나 관리자에게 문의하세요."
_TIMEOUT_MARKERS = (
    "interrupted",
    "max_statement_time",
    "max_execution_time",
    "statement timeout",
    "canceling statement",
)
_LOST_CONNECTION = (2002, 2003, 2006, 2013)


def timeout_error(timeout_s: float) -> ErpError:
    return ErpError(
        "erp_timeout",
        f"ERP 조회가 제한 시간({timeout_s:g}초)을 넘어 중단되었습니다. 기간이나 범위를 좁혀 "
        "다시 요청하세요.",
    )


def read_only_url(url: str) -> str:
    """SQLite files are opened with `mode=ro`: a missing file is an error, never created."""
    parsed = make_url(async_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return parsed.render_as_string(hide_password=False)
    if parsed.database.startswith("file:") or parsed.database == ":memory:":
        return parsed.render_as_string(hide_password=False)
    return (
        parsed.set(database=f"file:{parsed.database}")
        .update_query_dict({"mode": "ro", "uri": "true"})
        .render_as_string(hide_password=False)
    )


class SqlConnector:
    """Any SQLAlchemy database (SQLite, MariaDB/MySQL, PostgreSQL, SQL Server)."""

    kind = "sql"

    def __init__(self, url: str, settings: ErpSettings) -> None:
        self.url = read_only_url(url)
        self.backend = make_url(self.url).get_backend_name()
        database = make_url(self.url).database or ""
        self.sqlite_file = (
            database.removeprefix("file:")
            if self.backend == "sqlite" and database not in ("", ":memory:")
            else None
        )
        kwargs: dict[str, Any] = {}
        if self.backend == "sqlite":
            kwargs["connect_args"] = {"timeout": 5}
        else:
            kwargs.update(
                pool_size=settings.pool_size,
                max_overflow=settings.pool_size,
                pool_pre_ping=True,
                pool_recycle=1800,
                pool_timeout=10,
            )
        self.engine = create_async_engine(self.url, **kwargs)
        event.listen(self.engine.sync_engine, "connect", self._read_only_session)

    @property
    def dialect(self) -> str | None:
        return DIALECTS.get(self.backend, self.backend)

    def _read_only_session(self, dbapi_connection: Any, _record: Any) -> None:
        statement = {
            "sqlite": "PRAGMA query_only=ON",
            "mysql": "SET SESSION TRANSACTION READ ONLY",
            "mariadb": "SET SESSION TRANSACTION READ ONLY",
            "postgresql": "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
        }.get(self.backend)
        if statement:
            cursor = dbapi_connection.cursor()
            cursor.execute(statement)
            cursor.close()

    async def execute(
        self, operation: Operation, params: Mapping[str, Any], *, max_rows: int, timeout_s: float
    ) -> RawResult:
        if operation.sql is None:
            raise ErpError("erp_failed", "이 도구는 SQL ERP에서 실행할 수 없습니다 (REST 도구).")
        try:
            async with asyncio.timeout(timeout_s + 1.0):
                return await self._run(operation.sql, params, max_rows, timeout_s)
        except TimeoutError:
            raise timeout_error(timeout_s) from None

    async def _connect(self) -> AsyncConnection:
        if self.sqlite_file and not await asyncio.to_thread(os.path.exists, self.sqlite_file):
            # Checked first: a failed aiosqlite open can outlive its event loop.
            log.warning("ERP SQLite file missing: %s", self.sqlite_file)
            raise ErpError("erp_unavailable", UNAVAILABLE)
        try:
            return await self.engine.connect()
        except (DBAPIError, OSError) as exc:
            log.warning("ERP connection failed: %s", str(exc).splitlines()[0][:200])
            raise ErpError("erp_unavailable", UNAVAILABLE) from None

    async def _run(
        self, sql: str, params: Mapping[str, Any], max_rows: int, timeout_s: float
    ) -> RawResult:
        connection = await self._connect()
        try:
            statement = await self._prepare(connection, sql, timeout_s)
            result = await connection.execute(text(statement), dict(params))
            if not result.returns_rows:
                raise ErpError("erp_failed", "ERP 도구는 조회(SELECT)만 할 수 있습니다.")
            columns = list(result.keys())
            rows = result.fetchmany(max_rows + 1)
            return RawResult(columns, jsonable_rows(rows[:max_rows]), len(rows) > max_rows)
        except DBAPIError as exc:
            raise self._translate(exc, timeout_s) from None
        finally:
            try:
                await connection.rollback()
                await self._clear_sqlite_deadline(connection)
            finally:
                await connection.close()

    async def _prepare(self, connection: AsyncConnection, sql: str, timeout_s: float) -> str:
        if self.backend == "sqlite":
            deadline = time.monotonic() + timeout_s
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection
            # Called by SQLite every 1000 VM steps; a non-zero answer aborts ("interrupted").
            await driver.set_progress_handler(lambda: int(time.monotonic() > deadline), 1000)
            return sql
        if self.backend in ("mysql", "mariadb"):
            seconds = max(timeout_s, 0.001)
            if getattr(connection.dialect, "is_mariadb", False):
                return f"SET STATEMENT max_statement_time={seconds:.3f} FOR {sql}"
            await connection.execute(text(f"SET SESSION max_execution_time={int(seconds * 1000)}"))
            return sql
        if self.backend == "postgresql":
            # A session setting made at connect time would be undone by the pool's rollback,
            # so each transaction is made read-only itself (the first statement in it).
            await connection.execute(text("SET TRANSACTION READ ONLY"))
            await connection.execute(text(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}"))
        return sql

    async def _clear_sqlite_deadline(self, connection: AsyncConnection) -> None:
        if self.backend == "sqlite" and not connection.closed:
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection
            await driver.set_progress_handler(None, 0)

    def _translate(self, exc: DBAPIError, timeout_s: float) -> ErpError:
        message = str(exc.orig if exc.orig is not None else exc).lower()
        code = exc.orig.args[0] if exc.orig is not None and exc.orig.args else None
        if any(marker in message for marker in _TIMEOUT_MARKERS) or code in (1969, 3024):
            return timeout_error(timeout_s)
        if (
            isinstance(exc, InterfaceError)
            or code in _LOST_CONNECTION
            or exc.connection_invalidated
        ):
            return ErpError("erp_unavailable", UNAVAILABLE)
        log.warning("ERP query failed: %s", message.splitlines()[0][:300] if message else exc)
        return ErpError("erp_failed", "ERP 조회 중 오류가 발생했습니다. 관리자에게 문의하세요.")

    async def ping(self) -> None:
        await self.execute(Operation(sql="SELECT 1"), {}, max_rows=1, timeout_s=5.0)

    async def close(self) -> None:
        await self.engine.dispose()

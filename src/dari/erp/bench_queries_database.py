"""The database of `dari bench erp-queries`: loading the schema SQL file, and statements run
on the server outside any database (creating and dropping the fresh one)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

_STATEMENT_END = re.compile(r";[ \t]*$", re.MULTILINE)


def schema_statements(sql: str) -> list[str]:
    """The statements of a schema file: `--` comment lines dropped, split where a line ends
    with `;` (so `;` inside a string literal mid-line is kept)."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in _STATEMENT_END.split("\n".join(lines)) if s.strip()]


async def load_schema(url: str, schema: Path) -> int:
    """Run every statement of `schema` at `url`, in one transaction; returns the count."""
    from dari.erp.connectors import async_url

    statements = schema_statements(await asyncio.to_thread(schema.read_text, encoding="utf-8"))
    engine = create_async_engine(async_url(url))
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()
    return len(statements)


async def execute_admin(url: str, statement: str) -> None:
    """Run one statement at `url` (the server, no database: CREATE/DROP DATABASE), committed."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()

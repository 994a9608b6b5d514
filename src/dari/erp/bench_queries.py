"""`dari bench erp-queries`: analyst SQL through the `erp_query` guard against the database's
own answer.

A schema SQL file (DDL + data) is loaded into a fresh database — a temporary SQLite file, or a
new MariaDB/MySQL database on the server `--url` names (dropped afterwards). Each query of the
queries YAML is then called as `erp_query` by a user of its role (with the catalog's `query:`
section: allow-lists, row scopes) and the same SQL is run directly on the connector. Outcomes:

- `equal`: accepted, and the rows are the database's own rows (as a multiset; numbers compared
  to 6 decimals, dates as ISO text);
- `different`: accepted, but the rewritten SQL answered other rows (or was cut by the row cap);
- `refused`: the guard refused (`erp_query_refused`/`erp_forbidden`; the message is kept);
- `failed`: accepted, but the database rejected the rewritten SQL;
- for a query marked `expect: refused`: `refused_as_expected`, or `accepted_unexpectedly`.

Queries file (YAML)::

    role: analyst                 # default role
    user: {store_id: "1"}         # default ERP attributes (for row scopes)
    queries:
      - id: books_per_genre
        question: 장르별 도서 수   # optional, for people reading the report
        sql: SELECT genre, COUNT(*) FROM books GROUP BY genre
        # or per dialect: sql: {default: "…", sqlite: "…", mysql: "…"}
        role: store_manager       # optional
        user: {store_id: "2"}     # optional
        expected_sql: "…"         # optional: the SQL whose direct rows are right (scoped roles)
        expect: refused           # optional: the guard must refuse this one
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

OUTCOMES = (
    "equal",
    "different",
    "refused",
    "failed",
    "refused_as_expected",
    "accepted_unexpectedly",
)


class BenchFileError(ValueError):
    """A queries or schema file that cannot be used (the message names the file and query)."""


@dataclass(frozen=True)
class BenchQuery:
    id: str
    sql: str | dict[str, str]
    question: str = ""
    role: str = ""
    user: dict[str, str] = field(default_factory=dict)
    expected_sql: str | dict[str, str] | None = None
    expect: str = "equal"

    def sql_for(self, dialect: str, expected: bool = False) -> str:
        value = self.expected_sql if expected and self.expected_sql is not None else self.sql
        if isinstance(value, str):
            return value.strip()
        chosen = value.get(dialect, value.get("default"))
        if chosen is None:
            raise BenchFileError(f"query {self.id!r}: no SQL for dialect {dialect!r}")
        return chosen.strip()


def _sql_value(path: Path, qid: str, key: str, value: Any) -> str | dict[str, str]:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    raise BenchFileError(f"{path}: query {qid!r}: {key} must be SQL text or {{dialect: SQL}}")


def load_queries(path: Path) -> list[BenchQuery]:
    """Read and check a queries YAML (see the module docstring)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BenchFileError(f"{path}: cannot read the queries file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("queries"), list):
        raise BenchFileError(f"{path}: expected a mapping with a `queries:` list")
    default_role = str(data.get("role") or "")
    default_user = {str(k): str(v) for k, v in (data.get("user") or {}).items()}
    known = {"id", "question", "sql", "role", "user", "expected_sql", "expect"}
    queries: list[BenchQuery] = []
    seen: set[str] = set()
    for number, item in enumerate(data["queries"], start=1):
        if not isinstance(item, dict) or not item.get("id"):
            raise BenchFileError(f"{path}: query #{number} needs an `id`")
        qid = str(item["id"])
        unknown = set(item) - known
        if unknown:
            raise BenchFileError(f"{path}: query {qid!r}: unknown keys {sorted(unknown)}")
        if qid in seen:
            raise BenchFileError(f"{path}: query id {qid!r} appears twice")
        seen.add(qid)
        role = str(item.get("role") or default_role)
        if not role:
            raise BenchFileError(f"{path}: query {qid!r}: no role (set `role:` on it or the file)")
        expect = str(item.get("expect") or "equal")
        if expect not in ("equal", "refused"):
            raise BenchFileError(f"{path}: query {qid!r}: expect must be equal or refused")
        expected = item.get("expected_sql")
        queries.append(
            BenchQuery(
                id=qid,
                question=str(item.get("question") or ""),
                sql=_sql_value(path, qid, "sql", item.get("sql")),
                role=role,
                user={
                    **default_user,
                    **{str(k): str(v) for k, v in (item.get("user") or {}).items()},
                },
                expected_sql=None
                if expected is None
                else _sql_value(path, qid, "expected_sql", expected),
                expect=expect,
            )
        )
    return queries


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


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal | float):
        number = round(float(value), 6)
        return int(number) if number.is_integer() else number
    if isinstance(value, datetime | date | dtime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def normalized(rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows as a sorted multiset of comparable values."""
    return sorted((tuple(_value(v) for v in row) for row in rows), key=repr)


async def _one(
    toolset: Any, query: BenchQuery, permission: str, max_rows: int, timeout_s: float
) -> dict[str, Any]:
    from dari.core.principal import Principal
    from dari.erp.base import ErpError, Operation

    dialect = toolset.connector.dialect
    who = Principal(
        user_id=f"bench-{query.role}",
        username=f"bench-{query.role}",
        roles=frozenset({query.role}),
        permissions=frozenset({permission}),
        attributes=query.user,
    )

    async def nothing(*_args: Any, **_kwargs: Any) -> None:
        return None

    row: dict[str, Any] = {"id": query.id, "question": query.question, "role": query.role}
    started = time.perf_counter()
    try:
        result = await toolset.call_tool(
            who, "erp_query", {"sql": query.sql_for(dialect)}, audit=nothing
        )
    except ErpError as exc:
        row["ms"] = round((time.perf_counter() - started) * 1000, 1)
        refused = exc.code in ("erp_query_refused", "erp_forbidden")
        if query.expect == "refused" and refused:
            row["outcome"] = "refused_as_expected"
        else:
            row["outcome"] = "refused" if refused else "failed"
        row["message"] = exc.message
        return row
    row["ms"] = round((time.perf_counter() - started) * 1000, 1)
    if query.expect == "refused":
        row["outcome"] = "accepted_unexpectedly"
        return row
    direct_sql = query.sql_for(dialect, expected=True).rstrip().rstrip(";")
    direct = await toolset.connector.execute(
        Operation(sql=direct_sql.replace(":", "\\:")), {}, max_rows=max_rows, timeout_s=timeout_s
    )
    row["rows"] = result.row_count
    row["direct_rows"] = len(direct.rows)
    if result.truncated or direct.truncated:
        row["outcome"] = "different"
        row["message"] = f"more than {max_rows} rows: raise --max-rows"
    elif normalized(result.rows) == normalized(direct.rows):
        row["outcome"] = "equal"
    else:
        row["outcome"] = "different"
        got, want = normalized(result.rows), normalized(direct.rows)
        extra = [r for r in got if r not in want][:3]
        missing = [r for r in want if r not in got][:3]
        row["message"] = f"extra {extra!r}, missing {missing!r}"
    return row


async def run_bench(
    *,
    schema: Path,
    queries: Path,
    catalog: Path,
    url: str | None = None,
    max_rows: int = 10_000,
    timeout_s: float = 30.0,
) -> dict[str, Any]:
    """Load `schema` into a fresh database, run every query; a report with counts per outcome."""
    from dari.config.erp import ErpSettings
    from dari.erp.catalog import load_catalog
    from dari.erp.connectors import async_url, create_connector
    from dari.erp.source import CatalogSource
    from dari.erp.toolset import ErpToolset

    items = load_queries(queries)
    config = load_catalog(catalog).query
    if config is None:
        raise BenchFileError(f"{catalog}: the catalog has no `query:` section")
    with tempfile.TemporaryDirectory() as directory:
        dropper: tuple[str, str] | None = None
        if url:
            server = make_url(async_url(url))
            if server.get_backend_name() not in ("mysql", "mariadb"):
                raise BenchFileError(f"--url must name a MariaDB/MySQL server, not {url!r}")
            name = f"dari_bench_{uuid.uuid4().hex[:10]}"
            admin_url = server.set(database="").render_as_string(hide_password=False)
            await _admin(admin_url, f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
            dropper = (admin_url, f"DROP DATABASE IF EXISTS `{name}`")
            target = server.set(database=name).render_as_string(hide_password=False)
            shown = server.set(database=name).render_as_string(hide_password=True)
        else:
            target = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
            shown = "sqlite (temporary file)"
        try:
            started = time.perf_counter()
            statements = await load_schema(target, schema)
            load_s = time.perf_counter() - started
            settings = ErpSettings(
                url=target, query_max_rows=max_rows, max_rows=max_rows, timeout_s=timeout_s
            )
            toolset = ErpToolset(
                create_connector(target, settings), CatalogSource(catalog), settings
            )
            try:
                rows = [
                    await _one(toolset, q, config.permission, max_rows, timeout_s) for q in items
                ]
                dialect = toolset.connector.dialect
            finally:
                await toolset.close()
        finally:
            if dropper is not None:
                await _admin(*dropper)
    counts = {outcome: sum(r["outcome"] == outcome for r in rows) for outcome in OUTCOMES}
    should_run = sum(q.expect == "equal" for q in items)
    return {
        "database": shown,
        "dialect": dialect,
        "schema_statements": statements,
        "load_s": round(load_s, 2),
        "queries": len(items),
        "counts": counts,
        "equal_pct": round(100 * counts["equal"] / should_run, 1) if should_run else 100.0,
        "results": rows,
    }


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def register(bench_app: typer.Typer) -> None:
    @bench_app.command("erp-queries")
    def bench_erp_queries(
        schema: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Schema SQL.")],
        queries: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Queries YAML.")],
        catalog: Annotated[
            Path | None,
            typer.Option(
                exists=True,
                dir_okay=False,
                help="Catalog with the `query:` section (default: catalog.yaml beside --queries).",
            ),
        ] = None,
        url: Annotated[
            str | None,
            typer.Option(help="mysql://user@host:port/ — load into a fresh database there."),
        ] = None,
        max_rows: Annotated[int, typer.Option(min=1, max=10_000)] = 10_000,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Analyst SQL through the erp_query guard vs the same SQL run directly."""
        try:
            result = asyncio.run(
                run_bench(
                    schema=schema,
                    queries=queries,
                    catalog=catalog or queries.parent / "catalog.yaml",
                    url=url,
                    max_rows=max_rows,
                )
            )
        except BenchFileError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        except (OSError, DBAPIError) as exc:
            typer.echo(f"database: {str(exc).splitlines()[0]}", err=True)
            raise typer.Exit(1) from None
        if as_json:
            typer.echo(json.dumps(result, indent=2, ensure_ascii=False, default=str))
            return
        for row in result["results"]:
            line = f"  {row['outcome']:22} {row['id']:32} {row['ms']:>7} ms"
            if row.get("message"):
                line += f"  {row['message'][:140]}"
            typer.echo(line)
        counts = result["counts"]
        typer.echo(
            f"{result['database']} ({result['dialect']}): {result['queries']} queries — "
            f"{counts['equal']} accepted and equal ({result['equal_pct']} %), "
            f"{counts['different']} accepted but different, {counts['refused']} refused, "
            f"{counts['failed']} failed; expected refusals: {counts['refused_as_expected']} "
            f"refused, {counts['accepted_unexpectedly']} accepted"
        )

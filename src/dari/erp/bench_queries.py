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

The queries file: `bench_queries_file`; the database: `bench_queries_database`; one query and
its outcome: `bench_queries_outcome`.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from dari.erp.bench_queries_database import execute_admin, load_schema, schema_statements
from dari.erp.bench_queries_file import BenchFileError, BenchQuery, load_queries
from dari.erp.bench_queries_outcome import OUTCOMES, normalized, run_one

__all__ = [
    "OUTCOMES",
    "BenchFileError",
    "BenchQuery",
    "load_queries",
    "load_schema",
    "normalized",
    "register",
    "run_bench",
    "schema_statements",
]


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
            await execute_admin(admin_url, f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
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
                    await run_one(toolset, q, config.permission, max_rows, timeout_s) for q in items
                ]
                dialect = toolset.connector.dialect
            finally:
                await toolset.close()
        finally:
            if dropper is not None:
                await execute_admin(*dropper)
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

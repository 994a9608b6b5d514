"""`dari erp …`: load the sample ERP, list and call tools as a user, introspect an ERP."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from dari.cli.common import fail, run, safe_url, settings_or_exit
from dari.config import Settings
from dari.core.principal import Principal

app = typer.Typer(
    name="erp", help="ERP integration: sample ERP, tools, introspection.", no_args_is_help=True
)
AsUser = Annotated[str | None, typer.Option("--as", help="Act as this Dari user (username).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command()
def sample(
    url: Annotated[
        str | None,
        typer.Option(
            help="Target database. Default: the embedded SQLite file <data_dir>/erp-sample.db."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 20261123,
    scale: Annotated[float, typer.Option(min=0.01, max=10, help="Transaction volume.")] = 1.0,
    end: Annotated[
        str | None, typer.Option(help="Last business day (YYYY-MM-DD); default today.")
    ] = None,
) -> None:
    """Generate the sample ERP (한빛정밀) and load it (drops its tables first)."""
    from dari.erp.sample.load import load_sample
    from dari.erp.service import sample_path

    settings = settings_or_exit()
    # Never DARI_ERP_URL by default: that may be a real ERP, and loading drops tables.
    target = url or f"sqlite+aiosqlite:///{sample_path(settings)}"
    try:
        last = date.fromisoformat(end) if end else None
    except ValueError:
        fail(f"--end {end!r} is not a date (YYYY-MM-DD)", code=2)
    if not url:
        settings.server.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        report = run(load_sample(target, seed=seed, scale=scale, end=last))
    except Exception as exc:
        fail(
            f"cannot load the sample ERP into {safe_url(target)}: "
            f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        )
    typer.echo(f"sample ERP loaded into {report.url}")
    for name, count in report.rows.items():
        typer.echo(f"  {name:22} {count:>8,}")
    typer.echo(
        f"generated in {report.generate_s:.1f} s, loaded in {report.load_s:.1f} s "
        f"({report.order_lines:,} order lines)"
    )


def _principal(settings: Settings, username: str) -> Principal:
    """USER's Principal; one line and exit 1 when there is no database, no user or it is off."""
    from dari.auth.cli import principal_or_exit

    return principal_or_exit(settings, username)


def _everyone() -> Principal:
    return Principal(
        user_id="cli", username="cli", roles=frozenset({"admin"}), permissions=frozenset({"*"})
    )


@app.command()
def tools(as_user: AsUser = None, as_json: Json = False) -> None:
    """List the catalog's tools (only those USER may call with --as)."""
    from dari.erp.catalog import CatalogError
    from dari.erp.service import build_toolset

    settings = settings_or_exit()
    who = _principal(settings, as_user) if as_user else _everyone()

    async def listing() -> list[Any]:
        toolset = build_toolset(settings)
        try:
            return toolset.get_tools(who)
        finally:
            await toolset.close()

    try:
        found = run(listing())
    except CatalogError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps([t.model_dump() for t in found], ensure_ascii=False, indent=2))
        return
    for tool in found:
        typer.echo(f"{tool.name:26} {tool.permission:28} {tool.description_ko.splitlines()[0]}")


@app.command()
def call(
    tool: Annotated[str, typer.Argument(help="Tool name, e.g. sales_by_period.")],
    as_user: Annotated[str, typer.Option("--as", help="Act as this Dari user (username).")],
    args: Annotated[str, typer.Option(help="Arguments as a JSON object.")] = "{}",
    as_json: Json = False,
) -> None:
    """Run TOOL as USER (permission, row scope and audit as over HTTP)."""
    from dari.erp.base import ErpError
    from dari.erp.service import get_erp_toolset

    settings = settings_or_exit()
    try:
        arguments = json.loads(args)
    except json.JSONDecodeError as exc:
        fail(f"--args is not JSON: {exc.msg}", code=2)
    who = _principal(settings, as_user)

    async def execute() -> Any:
        from dari.core.runtime import build_runtime

        runtime = build_runtime(settings)
        try:
            return await get_erp_toolset(runtime).call_tool(who, tool, arguments)
        finally:
            await runtime.close()

    try:
        result = run(execute())
    except ErpError as exc:
        fail(f"{exc.code}: {exc.message}")
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    typer.echo("\t".join(f"{c.label}({c.unit})" if c.unit else c.label for c in result.columns))
    for row in result.rows:
        typer.echo("\t".join("" if v is None else str(v) for v in row))
    more = " (truncated)" if result.truncated else ""
    typer.echo(f"-- {result.row_count} rows{more}, {result.elapsed_ms:.0f} ms", err=True)


@app.command()
def introspect(
    url: Annotated[
        str | None,
        typer.Option(help="The ERP database (read-only account). Default: DARI_ERP_URL."),
    ] = None,
    write: Annotated[
        Path | None, typer.Option("--write", "--output", help="Write the catalog to this file.")
    ] = None,
) -> None:
    """Print (or --write) a starter catalog: lookup and month tools, entities, erp_query tables;
    sensitive columns left out and listed in a comment."""
    from dari.erp.connectors import is_rest_url
    from dari.erp.introspect import describe_database, dialect_name, render

    target = url or settings_or_exit().erp.url
    if not target:
        fail("no ERP to read: give --url or set DARI_ERP_URL", code=2)
    if is_rest_url(target):
        fail(f"{target.split('?', 1)[0]} is a REST ERP: introspection reads SQL databases", code=2)
    try:
        tables = run(describe_database(target))
        text = render(tables, dialect_name(target))
    except Exception as exc:
        fail(
            f"cannot read {safe_url(target)}: {type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:200] if str(exc) else ''}"
        )
    if write:
        try:
            write.write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {write}: {exc.strerror}")
        typer.echo(f"wrote {write} ({len(tables)} tables); next: dari erp check --catalog {write}")
    else:
        typer.echo(text, nl=False)


async def _role_permissions(settings: Settings) -> dict[str, list[str]] | None:
    """Dari's roles and their permissions; None when the database is not set up or reachable."""
    from dari.auth.service import role_permissions
    from dari.core.runtime import build_runtime

    runtime = build_runtime(settings)
    try:
        async with runtime.sessionmaker() as session:
            roles = await role_permissions(session)
            return {name: sorted(permissions) for name, permissions in roles.items()} or None
    except Exception:
        return None
    finally:
        await runtime.close()


@app.command()
def check(
    catalog: Annotated[Path | None, typer.Option(help="Catalog file (default: settings).")] = None,
) -> None:
    """Report what the catalog still lacks, with line numbers; connect to the ERP.

    Exit 1 when something must be fixed (or the ERP does not answer), 0 with only warnings."""
    from dari.erp.base import ErpError
    from dari.erp.check import check_catalog
    from dari.erp.connectors import is_rest_url
    from dari.erp.introspect import describe_database
    from dari.erp.service import build_toolset, catalog_path, erp_url

    settings = settings_or_exit()
    path = catalog or catalog_path(settings)
    url = erp_url(settings)

    async def ping() -> tuple[str | None, dict[str, list[str]] | None]:
        toolset = build_toolset(settings)
        try:
            await toolset.connector.ping()
        except ErpError as exc:
            return f"{exc.code}: {exc.message}", None
        finally:
            await toolset.close()
        if is_rest_url(url):
            return None, None
        tables = await describe_database(url)
        return None, {t["name"]: [c["name"] for c in t["columns"]] for t in tables}

    try:
        problem, schema = run(ping())
    except Exception as exc:  # the schema could not be read: check without it
        problem, schema = None, None
        typer.echo(f"note: ERP schema not read ({type(exc).__name__})")
    roles = run(_role_permissions(settings))
    dialect = None if is_rest_url(url) else _dialect(url)
    report = check_catalog(path, schema=schema, role_permissions=roles, dialect=dialect)
    for note in report.notes:
        typer.echo(f"note: {note}")
    for line in report.lines():
        typer.echo(line)
    if problem:
        fail(f"ERP {safe_url(url)} does not answer: {problem}")
    typer.echo(f"ERP connection ok ({len(schema or {})} tables read)")
    if report.errors:
        raise typer.Exit(1)


def _dialect(url: str) -> str | None:
    from sqlalchemy.engine import make_url

    name = make_url(url).get_backend_name()
    return {"mariadb": "mysql", "postgresql": "postgres", "mssql": "tsql"}.get(name, name)

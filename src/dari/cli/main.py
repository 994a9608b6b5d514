"""`dari` entry point. Domains add sub-commands in `dari/<domain>/cli.py` (a Typer `app`)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

from dari import __version__
from dari.cli.bench import bench_app
from dari.cli.common import fail, run, settings_or_exit
from dari.core.modules import domain_modules

app = typer.Typer(
    help="Dari (다리) — on-premises Korean AI assistant.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
config_app = typer.Typer(help="Settings.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(bench_app, name="bench")

for _module in domain_modules("cli"):
    _sub: typer.Typer = _module.app
    app.add_typer(_sub, name=_sub.info.name or _module.__name__.split(".")[1])
    # A domain may also offer top-level commands (e.g. `dari ingest`, `dari ask`).
    for _name, _command in getattr(_module, "TOP_LEVEL_COMMANDS", {}).items():
        app.command(_name)(_command)
    # …or more command groups (e.g. the chat domain's `dari router`).
    for _name, _group in getattr(_module, "GROUPS", {}).items():
        app.add_typer(_group, name=_name)


@app.command()
def version() -> None:
    """Print Dari's version."""
    typer.echo(f"dari {__version__}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (DARI_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (DARI_PORT).")] = None,
    role: Annotated[
        list[str] | None,
        typer.Option(help="Run only these roles: api, chat, auth, worker (repeatable)."),
    ] = None,
) -> None:
    """Apply migrations and serve Dari (all roles unless --role is given)."""
    import uvicorn

    from dari.app import create_app
    from dari.cli.preflight import PreflightError, preflight
    from dari.config import Settings, SettingsError
    from dari.config.server import ServerSettings
    from dari.observability.logging import configure_logging

    settings = settings_or_exit()
    updates: dict[str, object] = {}
    if role:
        updates["roles"] = role
    if host:
        updates["host"] = host
    if port:
        updates["port"] = port
    if updates:
        try:
            server = ServerSettings.model_validate({**settings.server.model_dump(), **updates})
        except Exception as exc:
            fail(f"invalid option: {exc}", code=2)
        settings = Settings(**{**dict(settings), "server": server})
    configure_logging(settings)
    try:
        run(preflight(settings))
    except (PreflightError, SettingsError) as exc:
        fail(str(exc))
    from dari.cli.tls import TLSConfigError, restrict_to_tls13, tls_options

    try:
        tls = tls_options(settings)
    except TLSConfigError as exc:
        fail(str(exc), code=2)
    config = uvicorn.Config(
        create_app(settings),
        host=settings.server.host,
        port=settings.server.port,
        log_config=None,
        # Forwarded headers are Dari's own business (DARI_TRUSTED_PROXIES, dari.api.netaddr):
        # uvicorn's would trust X-Forwarded-For from any local client.
        proxy_headers=False,
        ws_ping_interval=20,
        **tls,
    )
    config.load()
    if config.ssl is not None:
        # The design asks for TLS 1.3; older protocol versions are refused outright.
        restrict_to_tls13(config.ssl)
    uvicorn.Server(config).run()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    from dari.cli.preflight import PreflightError, check_database

    settings = settings_or_exit()
    try:
        run(check_database(settings, apply_migrations=True))
    except PreflightError as exc:
        fail(str(exc))
    typer.echo("database is up to date")


@db_app.command("check")
def db_check() -> None:
    """Fail if the models and the migrated database differ (like `alembic check`)."""
    from dari.db import migrate
    from dari.db.engine import create_engine

    settings = settings_or_exit()

    async def _check() -> list[object]:
        engine = create_engine(settings)
        try:
            await migrate.upgrade(engine)
            return await migrate.drift(engine)
        finally:
            await engine.dispose()

    differences = run(_check())
    if differences:
        for difference in differences:
            typer.echo(f"  {difference}")
        fail("models and migrations differ; add a migration")
    typer.echo("models and migrations match")


@config_app.command("docs")
def config_docs(
    output: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
) -> None:
    """Print docs/configuration.md generated from the settings."""
    from dari.config.docs import render

    text = render()
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


@config_app.command("check")
def config_check() -> None:
    """Validate the current settings (environment and .env)."""
    settings = settings_or_exit()
    typer.echo(f"settings ok (env={settings.server.env})")


def main() -> None:
    importlib.import_module("dari.cli.bench")
    app()

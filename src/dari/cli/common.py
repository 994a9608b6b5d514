"""Helpers every CLI command uses: settings with one-line errors, running coroutines."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, NoReturn, TypeVar

import typer
from sqlalchemy.engine import make_url

from dari.config import Settings, SettingsError, load_settings

T = TypeVar("T")


def fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def settings_or_exit() -> Settings:
    """Load settings; an invalid one stops the command with one line naming it (exit 2)."""
    try:
        return load_settings()
    except SettingsError as exc:
        fail(str(exc), code=2)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def safe_url(url: str) -> str:
    """A URL with its password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"

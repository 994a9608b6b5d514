"""`dari bench auth`: sign-in timing (unknown user vs wrong password) and token verify cost."""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import typer

BENCH_PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway user in a temp database


async def _timed(rounds: int, call: Callable[[], Awaitable[Any]]) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 3),
    }


async def _run(rounds: int, tokens: int) -> dict[str, Any]:
    from dari.auth import admin, service
    from dari.auth.deps import principal_from_token
    from dari.config import Settings
    from dari.config.database import DatabaseSettings
    from dari.config.redis import RedisSettings
    from dari.config.server import ServerSettings
    from dari.core.runtime import build_runtime
    from dari.db import migrate

    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(
            server=ServerSettings(env="test", data_dir=Path(directory)),
            database=DatabaseSettings(url=""),
            redis=RedisSettings(url=""),
        )
        runtime = build_runtime(settings)
        try:
            await migrate.upgrade(runtime.engine)
            auth = service.get_auth(runtime)
            async with runtime.sessionmaker() as session:
                user = await admin.create_user(
                    auth, session, username="bench", password=BENCH_PASSWORD, roles=["admin"]
                )
                _, _, principal = await service.issue_access(auth, session, user)
                await session.commit()

            async def attempt(name: str, password: str) -> None:
                async with runtime.sessionmaker() as session:
                    await service.authenticate(auth, session, name, password)

            await attempt("bench", "warm-up-password")
            wrong = await _timed(rounds, lambda: attempt("bench", "wrong-password-1"))
            unknown = await _timed(rounds, lambda: attempt("nobody", "wrong-password-1"))
            right = await _timed(rounds, lambda: attempt("bench", BENCH_PASSWORD))
            token = ""

            async def sign() -> None:
                nonlocal token
                async with runtime.sessionmaker() as session:
                    account = await session.get(type(user), user.id)
                    assert account is not None
                    token, _, _ = await service.issue_access(auth, session, account)

            signing = await _timed(tokens, sign)
            verify = await _timed(tokens, lambda: principal_from_token(runtime, token))
        finally:
            await runtime.close()
    wrong_s, unknown_s = _summary(wrong), _summary(unknown)
    return {
        "rounds": rounds,
        "login_wrong_password": wrong_s,
        "login_unknown_user": unknown_s,
        "login_right_password": _summary(right),
        "unknown_over_wrong_median_ratio": round(unknown_s["median_ms"] / wrong_s["median_ms"], 3),
        "issue_access_token_incl_db": _summary(signing),
        "verify_access_token": _summary(verify),
        "principal": principal.username,
    }


def register(bench_app: typer.Typer) -> None:
    @bench_app.command("auth")
    def auth_bench(
        rounds: Annotated[int, typer.Option(help="Sign-in attempts per case.")] = 30,
        tokens: Annotated[int, typer.Option(help="Tokens issued and verified.")] = 1000,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Sign-in time for unknown user vs wrong password (should be equal); token costs."""
        result = asyncio.run(_run(rounds, tokens))
        if as_json:
            typer.echo(json.dumps(result, indent=2))
            return
        for key, value in result.items():
            typer.echo(f"{key}: {value}")

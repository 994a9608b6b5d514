"""Shared fixtures: settings, a fresh database per test, cache/bus, app and HTTP client.

Two families:
- `settings`, `runtime`, `client`: embedded defaults (SQLite copied from a migrated template,
  in-process cache). Fast; use these unless the test is about storage or the cache.
- `any_settings`, `any_runtime`, `any_client`: parametrised over `embedded` and `real`
  (MariaDB + Redis). `real` runs under CI (CI=true) — where a missing service FAILS the run —
  or when DARI_TEST_MARIADB_URL / DARI_TEST_REDIS_URL are set; otherwise it is skipped.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dari.app import create_app
from dari.config import Settings
from dari.config.database import DatabaseSettings
from dari.config.redis import RedisSettings
from dari.config.server import ServerSettings
from dari.core.runtime import Runtime, build_runtime
from dari.db import migrate
from dari.db.engine import create_engine
from dari.db.models import load_all_models

pytest_plugins = ["tests.fixtures.auth"]

CI = os.environ.get("CI", "").lower() == "true"
MARIADB_URL = os.environ.get("DARI_TEST_MARIADB_URL") or (
    "mysql+asyncmy://root@127.0.0.1:3306/" if CI else ""
)
REDIS_URL = os.environ.get("DARI_TEST_REDIS_URL") or ("redis://127.0.0.1:6379/0" if CI else "")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def shared_path(*parts: str) -> Path:
    """A file under ../shared; skipped with a reason where it is absent (never under CI)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if CI:
            pytest.fail(f"{path} is missing under CI; ../shared must sit beside the checkout")
        pytest.skip(f"{path} not present (../shared is absent in this clone)")
    return path


def make_settings(data_dir: Path, **sections: Any) -> Settings:
    """Settings for tests: `test` mode, data in `data_dir`, embedded unless sections say so."""
    values: dict[str, Any] = {
        "server": ServerSettings(env="test", data_dir=data_dir, log_format="text"),
        "database": DatabaseSettings(url=""),
        "redis": RedisSettings(url=""),
    }
    values.update(sections)
    return Settings(**values)


def _real_unavailable(what: str, error: str) -> None:
    message = f"{what} is not reachable ({error})"
    if CI:
        pytest.fail(f"{message}; CI requires it (.ci/run starts it)")
    pytest.skip(message)


# --- databases -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per worker; each test gets a copy."""
    directory = tmp_path_factory.mktemp("template")
    settings = make_settings(directory)

    async def build() -> None:
        engine = create_engine(settings)
        await migrate.upgrade(engine)
        await engine.dispose()

    asyncio.run(build())
    return directory / "dari.db"


@pytest.fixture(scope="session")
def mariadb_database() -> Iterator[str]:
    """A fresh MariaDB database for this test worker, migrated once, dropped at the end."""
    if not MARIADB_URL:
        pytest.skip("MariaDB tests need CI=true or DARI_TEST_MARIADB_URL")
    server = make_url(MARIADB_URL)
    name = f"dari_test_{WORKER}_{uuid.uuid4().hex[:8]}"
    url = server.set(database=name).render_as_string(hide_password=False)
    admin_url = server.set(database="").render_as_string(hide_password=False)

    async def create() -> None:
        admin = create_engine(make_settings(Path("/tmp")), admin_url)
        async with admin.begin() as connection:
            await connection.execute(
                text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            )
        await admin.dispose()
        engine = create_engine(make_settings(Path("/tmp")), url)
        await migrate.upgrade(engine)
        await engine.dispose()

    try:
        asyncio.run(create())
    except OSError as exc:
        _real_unavailable("MariaDB", str(exc))
    except Exception as exc:
        if "Can't connect" in str(exc) or "Connection refused" in str(exc):
            _real_unavailable("MariaDB", str(exc).splitlines()[0])
        raise
    yield url

    async def drop() -> None:
        admin = create_engine(make_settings(Path("/tmp")), admin_url)
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        await admin.dispose()

    asyncio.run(drop())


async def clear_tables(runtime: Runtime) -> None:
    """Empty every table (MariaDB is shared by the tests of one worker)."""
    metadata = load_all_models().metadata
    async with runtime.engine.begin() as connection:
        await connection.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        for table in reversed(metadata.sorted_tables):
            await connection.execute(table.delete())
        await connection.execute(text("SET FOREIGN_KEY_CHECKS=1"))


@pytest.fixture(scope="session")
def redis_url() -> str:
    if not REDIS_URL:
        pytest.skip("Redis tests need CI=true or DARI_TEST_REDIS_URL")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        _real_unavailable("Redis", str(exc))
    return REDIS_URL


# --- settings, runtime, client -----------------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path, sqlite_template: Path) -> Settings:
    """Embedded settings with a fresh copy of the migrated SQLite database."""
    shutil.copy(sqlite_template, tmp_path / "dari.db")
    return make_settings(tmp_path)


@pytest.fixture(params=["embedded", "real"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def any_settings(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Embedded (SQLite + in-process) or real (MariaDB + Redis) settings, per `backend`."""
    if backend == "embedded":
        return request.getfixturevalue("settings")  # type: ignore[no-any-return]
    database_url = request.getfixturevalue("mariadb_database")
    redis = request.getfixturevalue("redis_url")
    return make_settings(
        tmp_path,
        database=DatabaseSettings(url=database_url),
        redis=RedisSettings(url=redis, key_prefix=f"dari-test:{uuid.uuid4().hex[:12]}:"),
    )


async def _runtime(settings: Settings) -> AsyncIterator[Runtime]:
    runtime = build_runtime(settings)
    try:
        yield runtime
    finally:
        if settings.database.url:
            await clear_tables(runtime)
        if settings.redis.url:
            await _clear_redis(settings)
        await runtime.close()


async def _clear_redis(settings: Settings) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(settings.redis.url)
    keys = [key async for key in client.scan_iter(match=f"{settings.redis.key_prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    async for value in _runtime(settings):
        yield value


@pytest.fixture
async def any_runtime(any_settings: Settings) -> AsyncIterator[Runtime]:
    async for value in _runtime(any_settings):
        yield value


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://dari.test") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client
        runtime: Runtime = app.state.runtime
        if settings.database.url:
            await clear_tables(runtime)
        if settings.redis.url:
            await _clear_redis(settings)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on a fresh embedded app (lifespan run; `client.app.state.runtime`)."""
    async for value in _client(settings):
        yield value


@pytest.fixture
async def any_client(any_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for value in _client(any_settings):
        yield value


# --- reporting on the real backends --------------------------------------------------------------

REAL_FIXTURES = {"mariadb": "mariadb_database", "redis": "redis_url"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that touches MariaDB or Redis, so the summary can count them."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec is not None else {}
        real = params.get("backend") == "real" or "real" in params.values()
        for marker, fixture in REAL_FIXTURES.items():
            if fixture in names or (real and {"any_settings", "any_runtime", "any_client"} & names):
                item.add_marker(marker)
        if params.get("cache") == "redis":
            item.add_marker("redis")


_REAL_PASSED = {"mariadb": 0, "redis": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.passed:
        for name in _REAL_PASSED:
            if name in report.keywords:
                _REAL_PASSED[name] += 1


def _real_missing() -> bool:
    return CI and (_REAL_PASSED["mariadb"] == 0 or _REAL_PASSED["redis"] == 0)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    is_worker = hasattr(session.config, "workerinput")
    if not is_worker and exitstatus == 0 and _real_missing():
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    terminalreporter.write_line(
        f"real backends: {_REAL_PASSED['mariadb']} MariaDB tests and "
        f"{_REAL_PASSED['redis']} Redis tests passed"
    )
    if _real_missing():
        terminalreporter.write_line("CI requires the MariaDB and Redis tests to run", red=True)

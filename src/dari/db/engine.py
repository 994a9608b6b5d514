"""Create the async engine and session factory from settings."""

from __future__ import annotations

import ssl
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from dari.config import Settings


def normalize_url(url: str) -> str:
    """Force utf8mb4 on MariaDB/MySQL so Korean text (and emoji) round-trips."""
    parsed = make_url(url)
    if parsed.get_backend_name() in ("mysql", "mariadb"):
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return parsed.render_as_string(hide_password=False)


def create_engine(settings: Settings, url: str | None = None) -> AsyncEngine:
    """The process's engine. SQLite gets WAL and foreign keys; MariaDB a checked pool."""
    url = normalize_url(url or settings.database_url)
    backend = make_url(url).get_backend_name()
    kwargs: dict[str, Any] = {"echo": settings.database.echo}
    if backend == "sqlite":
        settings.server.data_dir.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs.update(
            pool_size=settings.database.pool_size,
            max_overflow=settings.database.pool_size,
            pool_pre_ping=True,
            pool_recycle=1800,
        )
        context = tls_context(settings)
        if context is not None:
            kwargs["connect_args"] = {"ssl": context}
    engine = create_async_engine(url, **kwargs)
    if backend == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def tls_context(settings: Settings) -> ssl.SSLContext | None:
    """TLS 1.3 towards MariaDB, verifying its certificate and host name (DARI_DATABASE_TLS_*)."""
    cfg = settings.database
    if cfg.tls_ca is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(cfg.tls_ca))
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    if cfg.tls_certfile is not None and cfg.tls_keyfile is not None:
        context.load_cert_chain(str(cfg.tls_certfile), str(cfg.tls_keyfile))
    return context


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

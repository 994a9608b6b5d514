"""System-of-record database settings."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from dari.config.base import Section

SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "mysql+asyncmy", "mariadb+asyncmy")


class DatabaseSettings(Section):
    model_config = SettingsConfigDict(env_prefix="DARI_DATABASE_")

    url: str = Field(
        "",
        description="SQLAlchemy async URL. Empty: a SQLite file `dari.db` in the data "
        "directory. Production: `mysql+asyncmy://user:pass@host:3306/dari?charset=utf8mb4`.",
    )
    pool_size: int = Field(10, ge=1, le=200, description="Connection pool size (MariaDB).")
    echo: bool = Field(False, description="Log every SQL statement (debugging only).")
    tls_ca: Path | None = Field(
        None,
        description="PEM CA bundle (MariaDB): connect over TLS 1.3 only and verify the "
        "server's certificate and host name against it. Empty: no TLS.",
    )
    tls_certfile: Path | None = Field(
        None,
        description="PEM client certificate presented to MariaDB (with DARI_DATABASE_TLS_CA; "
        "for `REQUIRE X509` accounts).",
    )
    tls_keyfile: Path | None = Field(
        None, description="PEM private key of DARI_DATABASE_TLS_CERTFILE."
    )

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if not value:
            return value
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(
                "not a database URL; expected e.g. mysql+asyncmy://user:pass@host:3306/dari"
            ) from exc
        if url.drivername not in SUPPORTED_DRIVERS:
            raise ValueError(
                f"driver {url.drivername!r} is not supported; use one of "
                + ", ".join(SUPPORTED_DRIVERS)
            )
        return value

    @model_validator(mode="after")
    def _check_tls(self) -> DatabaseSettings:
        if (self.tls_certfile is None) != (self.tls_keyfile is None):
            raise ValueError("set both DARI_DATABASE_TLS_CERTFILE and DARI_DATABASE_TLS_KEYFILE")
        if self.tls_certfile is not None and self.tls_ca is None:
            raise ValueError("DARI_DATABASE_TLS_CERTFILE needs DARI_DATABASE_TLS_CA")
        return self

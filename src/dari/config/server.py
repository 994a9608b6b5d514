"""Process-wide settings: environment, network address, roles, logging, data directory."""

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from dari.config.base import Section

DEFAULT_SECRET_KEY = "dari-development-secret-change-me"  # noqa: S105 - refused in production
Role = Literal["api", "chat", "auth", "worker"]
ALL_ROLES: tuple[Role, ...] = ("api", "chat", "auth", "worker")
# The roles that read or write the search index (auth never searches).
SEARCH_ROLES: frozenset[Role] = frozenset({"api", "chat", "worker"})


class ServerSettings(Section):
    model_config = SettingsConfigDict(env_prefix="DARI_")

    env: Literal["development", "production", "test"] = Field(
        "development",
        description="Run mode. `production` refuses default secrets and logs JSON.",
    )
    host: str = Field("127.0.0.1", description="Address `dari serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `dari serve` listens on.")
    roles: Annotated[list[Role], NoDecode] = Field(
        default_factory=lambda: list(ALL_ROLES),
        description="Roles this process runs (comma-separated or JSON list): api, chat, auth, "
        "worker. `dari serve --role` overrides it.",
    )
    data_dir: Path = Field(
        Path("./data"),
        description="Directory for the SQLite database, uploaded originals, indexes, keys "
        "and models.",
    )
    secret_key: str = Field(
        DEFAULT_SECRET_KEY,
        description="Server secret used to derive HMAC keys (e.g. for hashed tokens). "
        "Must be set to a long random value in production.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Minimum log level."
    )
    log_format: Literal["auto", "json", "text"] = Field(
        "auto", description="`json` or readable `text`; `auto` is JSON in production."
    )
    public_url: str = Field(
        "", description="External base URL (e.g. https://dari.example.co.kr), used in links."
    )

    tls_certfile: Path | None = Field(
        None, description="PEM certificate: serve HTTPS/WSS (TLS 1.3 only) when set."
    )
    tls_keyfile: Path | None = Field(None, description="PEM private key for DARI_TLS_CERTFILE.")
    tls_client_ca: Path | None = Field(
        None,
        description="PEM CA bundle: require client certificates signed by it (mutual TLS "
        "between Dari roles and trusted services).",
    )

    @field_validator("roles", mode="before")
    @classmethod
    def _split_roles(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @property
    def is_production(self) -> bool:
        return self.env == "production"

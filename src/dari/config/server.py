"""Process-wide settings: environment, network address, roles, logging, data directory,
request limits, trusted proxies and who may read `/metrics`."""

import ipaddress
import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from dari.config.base import Section

DEFAULT_SECRET_KEY = "dari-development-secret-change-me"  # noqa: S105 - refused in production
Role = Literal["api", "chat", "auth", "worker", "trainer"]
# `trainer` (LoRA fine-tuning, docs/training.md) is not a default role: training would take the
# CPU from answers. Run it in its own process (`dari serve --role trainer`), on the GPU server.
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
        "worker, trainer (not a default: LoRA training, docs/training.md). `dari serve --role` "
        "overrides it.",
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

    max_body_bytes: int = Field(
        1024 * 1024,
        ge=1024,
        le=64 * 1024 * 1024,
        description="Largest request body, in bytes, of every request but a document upload "
        "(JSON and form bodies); a larger one gets 413 before it is read. Uploads "
        "(multipart `POST /api/documents`) are limited by `DARI_DOCUMENTS_MAX_UPLOAD_MB`.",
    )
    ws_max_frame_bytes: int = Field(
        1024 * 1024,
        ge=1024,
        le=16 * 1024 * 1024,
        description="Largest chat WebSocket frame, in bytes; a larger one closes the socket "
        "with 1009 (uvicorn itself refuses frames over 16 MiB).",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or CIDR networks of reverse proxies (comma-separated, e.g. "
        "`127.0.0.1` for nginx on the same host) whose `X-Forwarded-For` / "
        "`X-Forwarded-Proto` are believed. Empty: forwarded headers are ignored and the "
        "client address is the TCP peer.",
    )
    metrics_allow: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.0/8", "::1/128"],
        description="Client addresses or CIDR networks (comma-separated) allowed to read "
        "`/metrics`; `*` allows any address. Default: loopback only.",
    )
    metrics_token: str = Field(
        "",
        description="When set, `/metrics` also requires `Authorization: Bearer <token>` "
        "(Prometheus `authorization.credentials_file`).",
    )

    @field_validator("roles", mode="before")
    @classmethod
    def _split_roles(cls, value: object) -> object:
        return _split(value)

    @field_validator("trusted_proxies", "metrics_allow", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        return _split(value)

    @field_validator("trusted_proxies", "metrics_allow")
    @classmethod
    def _check_networks(cls, value: list[str], info: ValidationInfo) -> list[str]:
        for item in value:
            # Trusting every peer's forwarded headers would let any client pick its address.
            if item == "*" and info.field_name == "metrics_allow":
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an IP address or CIDR network (e.g. 10.0.0.0/24)"
                ) from None
        return value

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def _split(value: object) -> object:
    """A comma-separated string or a JSON list, as a list of stripped items."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value

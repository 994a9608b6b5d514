"""TLS towards MariaDB (DARI_DATABASE_TLS_*): TLS 1.3 only, the server verified by the CA."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from pydantic import ValidationError

from dari.certs.service import init_ca, issue
from dari.config import Settings
from dari.config.database import DatabaseSettings
from dari.db.engine import create_engine, tls_context


def _with_db(settings: Settings, **fields: object) -> Settings:
    database = DatabaseSettings.model_validate({**settings.database.model_dump(), **fields})
    return Settings(**{**dict(settings), "database": database})


def test_no_tls_ca_no_context(settings: Settings) -> None:
    assert tls_context(settings) is None


def test_tls_context_verifies_and_presents_a_certificate(
    settings: Settings, tmp_path: Path
) -> None:
    init_ca(tmp_path)
    issue(tmp_path, "migrate")
    folder = tmp_path / "migrate"
    context = tls_context(
        _with_db(
            settings,
            url="mysql+asyncmy://dari:pw@mariadb:3306/dari",
            tls_ca=folder / "ca.pem",
            tls_certfile=folder / "cert.pem",
            tls_keyfile=folder / "key.pem",
        )
    )
    assert context is not None
    assert context.minimum_version == ssl.TLSVersion.TLSv1_3
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert len(context.get_ca_certs()) == 1


def test_the_engine_hands_the_context_to_the_driver(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dari.db.engine as engine_module

    seen: dict[str, object] = {}
    monkeypatch.setattr(
        engine_module, "create_async_engine", lambda url, **kwargs: seen.update(kwargs)
    )
    init_ca(tmp_path)
    create_engine(
        _with_db(
            settings, url="mysql+asyncmy://dari:pw@mariadb:3306/dari", tls_ca=tmp_path / "ca.pem"
        )
    )
    context = seen["connect_args"]["ssl"]  # type: ignore[index]
    assert isinstance(context, ssl.SSLContext)
    assert context.minimum_version == ssl.TLSVersion.TLSv1_3
    seen.clear()
    create_engine(_with_db(settings, url="mysql+asyncmy://dari:pw@mariadb:3306/dari"))
    assert "connect_args" not in seen


@pytest.mark.parametrize(
    "fields",
    [
        {"tls_certfile": "cert.pem"},
        {"tls_keyfile": "key.pem"},
        {"tls_certfile": "cert.pem", "tls_keyfile": "key.pem"},
    ],
)
def test_incomplete_tls_settings_refused(fields: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        DatabaseSettings.model_validate(fields)

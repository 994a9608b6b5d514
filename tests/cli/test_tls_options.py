"""`tls_options` and `restrict_to_tls13`: what `dari serve` hands uvicorn for TLS."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from dari.certs.service import init_ca, issue
from dari.cli.tls import TLSConfigError, restrict_to_tls13, tls_options
from dari.config import Settings
from dari.config.server import ServerSettings


def _settings(settings: Settings, **tls: Path | None) -> Settings:
    server = ServerSettings.model_validate({**settings.server.model_dump(), **tls})
    return Settings(**{**dict(settings), "server": server})


@pytest.fixture
def certs(tmp_path: Path) -> Path:
    init_ca(tmp_path)
    issue(tmp_path, "api-server", ips=["127.0.0.1"])
    return tmp_path / "api-server"


def test_no_tls_settings_no_options(settings: Settings) -> None:
    assert tls_options(_settings(settings)) == {}


def test_mutual_tls_options(settings: Settings, certs: Path) -> None:
    options = tls_options(
        _settings(
            settings,
            tls_certfile=certs / "cert.pem",
            tls_keyfile=certs / "key.pem",
            tls_client_ca=certs / "ca.pem",
        )
    )
    assert options == {
        "ssl_certfile": str(certs / "cert.pem"),
        "ssl_keyfile": str(certs / "key.pem"),
        "ssl_version": ssl.PROTOCOL_TLS_SERVER,
        "ssl_ca_certs": str(certs / "ca.pem"),
        "ssl_cert_reqs": ssl.CERT_REQUIRED,
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"tls_certfile": "cert.pem"}, "both"),
        ({"tls_client_ca": "ca.pem"}, "DARI_TLS_CLIENT_CA needs"),
        ({"tls_certfile": "cert.pem", "tls_keyfile": "missing.pem"}, "DARI_TLS_KEYFILE"),
    ],
)
def test_incomplete_settings_refused(
    settings: Settings, certs: Path, fields: dict[str, str], message: str
) -> None:
    paths = {k: certs / v for k, v in fields.items()}
    with pytest.raises(TLSConfigError, match=message):
        tls_options(_settings(settings, **paths))


def test_uvicorn_context_is_restricted_to_tls13(settings: Settings, certs: Path) -> None:
    """The options build uvicorn's own context; `restrict_to_tls13` sets its floor."""
    import uvicorn

    from dari.app import create_app

    options = tls_options(
        _settings(
            settings,
            tls_certfile=certs / "cert.pem",
            tls_keyfile=certs / "key.pem",
            tls_client_ca=certs / "ca.pem",
        )
    )
    config = uvicorn.Config(create_app(settings), **options)
    config.load()
    assert config.ssl is not None
    assert config.ssl.verify_mode == ssl.CERT_REQUIRED
    restrict_to_tls13(config.ssl)
    assert config.ssl.minimum_version == ssl.TLSVersion.TLSv1_3
    assert config.ssl.options & ssl.OP_NO_COMPRESSION


def test_restrict_refuses_tls12_clients(tmp_path: Path, certs: Path) -> None:
    import socket
    import threading

    server = restrict_to_tls13(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
    server.load_cert_chain(certs / "cert.pem", certs / "key.pem")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def accept() -> None:
        conn, _ = listener.accept()
        try:
            server.wrap_socket(conn, server_side=True).close()
        except (ssl.SSLError, OSError):
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    client = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    client.maximum_version = ssl.TLSVersion.TLSv1_2
    raw = socket.create_connection(("127.0.0.1", port))
    with pytest.raises((ssl.SSLError, ConnectionError)):
        client.wrap_socket(raw, server_hostname="api-server").close()
    raw.close()
    thread.join(5)
    listener.close()

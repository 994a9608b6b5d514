"""HTTPS/WSS and mutual TLS options for `dari serve`, from the DARI_TLS_* settings."""

from __future__ import annotations

import ssl
from typing import Any

from dari.config import Settings


class TLSConfigError(Exception):
    """The TLS settings are incomplete or point at missing files."""


def tls_options(settings: Settings) -> dict[str, Any]:
    """uvicorn keyword arguments; empty when TLS is not configured."""
    server = settings.server
    if server.tls_certfile is None and server.tls_keyfile is None:
        if server.tls_client_ca is not None:
            raise TLSConfigError("DARI_TLS_CLIENT_CA needs DARI_TLS_CERTFILE and DARI_TLS_KEYFILE")
        return {}
    if server.tls_certfile is None or server.tls_keyfile is None:
        raise TLSConfigError("set both DARI_TLS_CERTFILE and DARI_TLS_KEYFILE (PEM files)")
    for name, path in (
        ("DARI_TLS_CERTFILE", server.tls_certfile),
        ("DARI_TLS_KEYFILE", server.tls_keyfile),
        ("DARI_TLS_CLIENT_CA", server.tls_client_ca),
    ):
        if path is not None and not path.is_file():
            raise TLSConfigError(f"{name}={path} is not a readable file")
    options: dict[str, Any] = {
        "ssl_certfile": str(server.tls_certfile),
        "ssl_keyfile": str(server.tls_keyfile),
        # uvicorn takes a protocol, not a minimum version: PROTOCOL_TLS_SERVER negotiates the
        # highest both sides speak, and `restrict_to_tls13` (after `Config.load`) sets the floor.
        "ssl_version": ssl.PROTOCOL_TLS_SERVER,
    }
    if server.tls_client_ca is not None:
        options["ssl_ca_certs"] = str(server.tls_client_ca)
        options["ssl_cert_reqs"] = ssl.CERT_REQUIRED
    return options


def restrict_to_tls13(context: ssl.SSLContext) -> ssl.SSLContext:
    """Refuse every protocol version below TLS 1.3 (the design: TLS 1.3 between containers).

    uvicorn builds its SSLContext in `Config.load()` from `tls_options` and offers no option
    for a minimum version, so `dari serve` calls this on `config.ssl` before serving.
    """
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    # Renegotiation and compression do not exist in TLS 1.3; keep them off should the floor
    # ever be lowered.
    context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION
    return context

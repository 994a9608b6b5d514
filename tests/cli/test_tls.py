"""`dari serve` over TLS 1.3 with mutual TLS: a client without a trusted certificate is refused."""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from tests.cli.test_cli import _free_port


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None,
    *,
    ca: bool = False,
    san_ip: bool = False,
) -> x509.Certificate:
    issuer_name, issuer_key = issuer if issuer else (subject, key)
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san_ip:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _write(
    path: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey
) -> tuple[Path, Path]:
    cert_path, key_path = path.with_suffix(".crt"), path.with_suffix(".key")
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.mark.slow
def test_mutual_tls_13(tmp_path: Path) -> None:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("Dari Test CA", ca_key, None, ca=True)
    ca_path, _ = _write(tmp_path / "ca", ca, ca_key)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert, server_key_path = _write(
        tmp_path / "server",
        _cert("dari-api", server_key, ("Dari Test CA", ca_key), san_ip=True),
        server_key,
    )
    client_key = ec.generate_private_key(ec.SECP256R1())
    client_cert, client_key_path = _write(
        tmp_path / "client", _cert("dari-chat", client_key, ("Dari Test CA", ca_key)), client_key
    )
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DARI_")}
    env.update(
        DARI_PORT=str(port),
        DARI_DATA_DIR=str(tmp_path / "data"),
        DARI_LLM_EMBEDDED="off",
        DARI_TLS_CERTFILE=str(server_cert),
        DARI_TLS_KEYFILE=str(server_key_path),
        DARI_TLS_CLIENT_CA=str(ca_path),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "dari.cli", "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"https://127.0.0.1:{port}/healthz"

    def context(*, with_cert: bool, max_version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(ca_path))
        if with_cert:
            ctx.load_cert_chain(str(client_cert), str(client_key_path))
        if max_version is not None:
            ctx.maximum_version = max_version
        return ctx

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(url, verify=context(with_cert=True), timeout=2)
                break
            except (httpx.ConnectError, httpx.ReadError):
                if process.poll() is not None or time.monotonic() > deadline:
                    out = process.stdout.read().decode() if process.stdout else ""
                    raise AssertionError(f"TLS server did not come up:\n{out}") from None
                time.sleep(0.3)
        assert response.json() == {"status": "ok"}
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        with context(with_cert=True).wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.version() == "TLSv1.3"
        with pytest.raises((httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)):
            httpx.get(url, verify=context(with_cert=False), timeout=5).raise_for_status()
        with pytest.raises((httpx.ConnectError, httpx.ReadError)):
            httpx.get(
                url, verify=context(with_cert=True, max_version=ssl.TLSVersion.TLSv1_2), timeout=5
            )
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_incomplete_tls_settings_stop_serve(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DARI_")}
    env.update(DARI_TLS_CERTFILE=str(tmp_path / "missing.crt"), DARI_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "dari.cli", "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "DARI_TLS_KEYFILE" in result.stderr and "Traceback" not in result.stderr

"""`dari certs`: the internal CA, per-service certificates, rotation — and a real TLS 1.3
handshake with mutual authentication between two of the certificates it issues."""

from __future__ import annotations

import json
import os
import socket
import ssl
import stat
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from typer.testing import CliRunner

from dari.certs.service import CertError, init_ca, issue, listing, parse_owner, rotate, services
from dari.cli.main import app

runner = CliRunner()


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_init_issue_layout_and_modes(tmp_path: Path) -> None:
    init_ca(tmp_path)
    assert stat.S_IMODE((tmp_path / "ca" / "ca.key").stat().st_mode) == 0o600
    assert (tmp_path / "ca.pem").read_bytes() == (tmp_path / "ca" / "ca.pem").read_bytes()
    issued = issue(tmp_path, "api-server", dns=["api"], ips=["127.0.0.1"])
    folder = tmp_path / "api-server"
    assert issued.directory == folder
    assert sorted(p.name for p in folder.iterdir()) == [
        "ca.pem",
        "cert.pem",
        "issue.json",
        "key.pem",
    ]
    assert stat.S_IMODE((folder / "key.pem").stat().st_mode) == 0o600
    cert = _cert(folder / "cert.pem")
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["api-server", "api"]
    assert [str(a) for a in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(eku) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    cert.verify_directly_issued_by(_cert(tmp_path / "ca.pem"))
    # The CA key never lands in a service's folder.
    assert b"PRIVATE KEY" not in (folder / "ca.pem").read_bytes()


def test_init_refuses_to_replace_a_ca(tmp_path: Path) -> None:
    init_ca(tmp_path)
    with pytest.raises(CertError, match="rotate --ca"):
        init_ca(tmp_path)
    init_ca(tmp_path, force=True)


def test_issue_needs_a_ca_and_a_good_name(tmp_path: Path) -> None:
    with pytest.raises(CertError, match="dari certs init"):
        issue(tmp_path, "api-server")
    init_ca(tmp_path)
    for bad in ("ca", "Api", "../x", ""):
        with pytest.raises(CertError):
            issue(tmp_path, bad)
    with pytest.raises(CertError, match="IP"):
        issue(tmp_path, "api-server", ips=["not-an-ip"])


def test_owner_parsing() -> None:
    assert parse_owner(None) is None
    assert parse_owner("10001") == (10001, 10001)
    assert parse_owner("33:33") == (33, 33)
    with pytest.raises(CertError):
        parse_owner("dari")


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_owner_is_applied_and_kept_by_rotate(tmp_path: Path) -> None:
    init_ca(tmp_path)
    issue(tmp_path, "mariadb", owner=(10002, 10002))
    key = tmp_path / "mariadb" / "key.pem"
    assert (key.stat().st_uid, key.stat().st_gid) == (10002, 10002)
    assert stat.S_IMODE(key.stat().st_mode) == 0o640
    rotate(tmp_path, ["mariadb"])
    assert key.stat().st_uid == 10002


def test_rotate_reissues_with_the_same_names(tmp_path: Path) -> None:
    init_ca(tmp_path)
    first = issue(tmp_path, "chat-server", dns=["chat"], days=30)
    issue(tmp_path, "auth-server")
    done = rotate(tmp_path)
    assert [d.name for d in done] == ["auth-server", "chat-server"]
    again = next(d for d in done if d.name == "chat-server")
    assert again.serial != first.serial
    assert again.dns == ["chat-server", "chat"]
    meta = json.loads((tmp_path / "chat-server" / "issue.json").read_text())
    assert meta["days"] == 30
    with pytest.raises(CertError, match="never issued"):
        rotate(tmp_path, ["nobody"])


def test_ca_rotation_keeps_trust_until_the_old_ca_is_dropped(tmp_path: Path) -> None:
    init_ca(tmp_path)
    issue(tmp_path, "api-server")
    old_ca = _cert(tmp_path / "ca.pem")
    old_leaf = (tmp_path / "api-server" / "cert.pem").read_bytes()
    rotate(tmp_path, new_ca=True)
    bundle = x509.load_pem_x509_certificates((tmp_path / "ca.pem").read_bytes())
    assert len(bundle) == 2 and old_ca in bundle
    new_ca = _cert(tmp_path / "ca" / "ca.pem")
    assert bundle[0] == new_ca != old_ca
    # Every service folder got the new bundle and a certificate of the new CA …
    assert (tmp_path / "api-server" / "ca.pem").read_bytes() == (tmp_path / "ca.pem").read_bytes()
    _cert(tmp_path / "api-server" / "cert.pem").verify_directly_issued_by(new_ca)
    # … while a peer still holding the old certificate is trusted by the bundle.
    x509.load_pem_x509_certificate(old_leaf).verify_directly_issued_by(old_ca)
    assert all(row.trusted for row in listing(tmp_path))
    rotate(tmp_path, drop_old_ca=True)
    assert x509.load_pem_x509_certificates((tmp_path / "ca.pem").read_bytes()) == [new_ca]
    assert all(row.trusted for row in listing(tmp_path))


def test_cli_init_issue_rotate_list(tmp_path: Path) -> None:
    d = str(tmp_path / "certs")
    result = runner.invoke(app, ["certs", "init", "--dir", d])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["certs", "issue", "api-server", "--dir", d, "--dns", "api"])
    assert result.exit_code == 0, result.output
    assert "api-server, api" in result.output
    result = runner.invoke(app, ["certs", "init", "--dir", d])
    assert result.exit_code == 1 and "rotate --ca" in result.output
    result = runner.invoke(app, ["certs", "rotate", "--dir", d])
    assert result.exit_code == 0 and "api-server: re-issued" in result.output
    result = runner.invoke(app, ["certs", "rotate", "--ca", "--drop-old-ca", "--dir", d])
    assert result.exit_code == 2
    result = runner.invoke(app, ["certs", "list", "--dir", d])
    assert result.exit_code == 0 and "api-server" in result.output and "ok" in result.output
    assert services(Path(d)) == ["api-server"]


def test_issued_certificates_make_a_mutual_tls_13_connection(tmp_path: Path) -> None:
    """A server and a client with `dari certs` certificates: TLS 1.3 and both verified;
    a client without a certificate is refused."""
    init_ca(tmp_path)
    issue(tmp_path, "api-server", ips=["127.0.0.1"])
    issue(tmp_path, "proxy")
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    server_ctx.load_cert_chain(
        tmp_path / "api-server" / "cert.pem", tmp_path / "api-server" / "key.pem"
    )
    server_ctx.load_verify_locations(tmp_path / "api-server" / "ca.pem")
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    peers: list[object] = []

    def serve() -> None:
        for _ in range(2):
            conn, _addr = listener.accept()
            try:
                with server_ctx.wrap_socket(conn, server_side=True) as tls:
                    peers.append(tls.getpeercert()["subject"])  # type: ignore[index]
                    tls.sendall(b"ok")
            except (ssl.SSLError, OSError) as exc:
                peers.append(exc)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client_ctx = ssl.create_default_context(cafile=str(tmp_path / "proxy" / "ca.pem"))
    client_ctx.load_cert_chain(tmp_path / "proxy" / "cert.pem", tmp_path / "proxy" / "key.pem")
    raw = socket.create_connection(("127.0.0.1", port))
    with client_ctx.wrap_socket(raw, server_hostname="api-server") as tls:
        assert tls.version() == "TLSv1.3"
        assert tls.recv(2) == b"ok"
    bare = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
    raw = socket.create_connection(("127.0.0.1", port))
    with (
        pytest.raises((ssl.SSLError, ConnectionError)),
        bare.wrap_socket(raw, server_hostname="api-server") as tls,
    ):
        tls.recv(2)
    thread.join(5)
    listener.close()
    assert "proxy" in str(peers[0])
    assert isinstance(peers[1], ssl.SSLError | OSError)

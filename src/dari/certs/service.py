"""Make, issue and rotate the internal CA and the per-service certificates (ECDSA P-256)."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
CERT_DAYS = 365
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
# Written beside each service's files so that `rotate` re-issues the same names and owner.
META = "issue.json"


class CertError(Exception):
    """A certificate operation cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Issued:
    name: str
    directory: Path
    dns: list[str]
    ips: list[str]
    not_after: datetime
    owner: tuple[int, int] | None = None
    serial: int = 0


def _pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, mode: int, owner: tuple[int, int] | None = None) -> None:
    """Write atomically (a reader sees the old file or the new one, never half of one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if owner is not None:
            os.chown(tmp, owner[0], owner[1])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ca_paths(directory: Path) -> tuple[Path, Path]:
    return directory / "ca" / "ca.pem", directory / "ca" / "ca.key"


def _load_ca(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    cert_path, key_path = ca_paths(directory)
    if not cert_path.is_file() or not key_path.is_file():
        raise CertError(f"no CA in {directory}: run `dari certs init --dir {directory}` first")
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise CertError(f"{key_path} is not an EC private key")
    return cert, key


def _new_ca(common_name: str, days: int) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def init_ca(
    directory: Path,
    *,
    common_name: str = "Dari internal CA",
    days: int = CA_DAYS,
    force: bool = False,
) -> Path:
    """Create the CA and the trust bundle; refuses to replace an existing CA unless `force`."""
    cert_path, key_path = ca_paths(directory)
    if cert_path.exists() and not force:
        raise CertError(
            f"{cert_path} exists; `dari certs rotate --ca` replaces a CA without breaking trust"
        )
    cert, key = _new_ca(common_name, days)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ca").mkdir(mode=0o700, exist_ok=True)
    _write(key_path, _pem_key(key), 0o600)
    _write(cert_path, _pem_cert(cert), 0o644)
    _write(directory / "ca.pem", _pem_cert(cert), 0o644)
    return cert_path


def _check_name(name: str) -> None:
    if not NAME_RE.match(name) or name == "ca":
        raise CertError(
            f"{name!r} is not a service name (lower-case letters, digits, . _ -; not 'ca')"
        )


def parse_owner(value: str | None) -> tuple[int, int] | None:
    """`UID` or `UID:GID` (numbers: the user inside the container, not a host name)."""
    if not value:
        return None
    uid, _, gid = value.partition(":")
    try:
        return int(uid), int(gid or uid)
    except ValueError:
        raise CertError(f"--owner {value!r}: expected UID or UID:GID (numbers)") from None


def issue(
    directory: Path,
    name: str,
    *,
    dns: list[str] | None = None,
    ips: list[str] | None = None,
    days: int = CERT_DAYS,
    owner: tuple[int, int] | None = None,
) -> Issued:
    """Issue `name`'s certificate (server and client use) signed by the CA in `directory`.

    The subject alternative names are `name`, `dns` and `ips`. With `owner` the files of the
    service's folder are given to that user (the service's user inside its container) and the
    key is 0640; otherwise 0600 for whoever runs the command.
    """
    _check_name(name)
    ca_cert, ca_key = _load_ca(directory)
    dns_names = list(dict.fromkeys([name, *(dns or [])]))
    addresses: list[str] = []
    for ip in ips or []:
        try:
            addresses.append(str(ipaddress.ip_address(ip)))
        except ValueError:
            raise CertError(f"--ip {ip!r} is not an IP address") from None
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    not_after = min(now + timedelta(days=days), ca_cert.not_valid_after_utc)
    sans: list[x509.GeneralName] = [x509.DNSName(d) for d in dns_names]
    sans += [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
    serial = x509.random_serial_number()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder = directory / name
    folder.mkdir(mode=0o755, exist_ok=True)
    bundle = (directory / "ca.pem").read_bytes()
    _write(folder / "key.pem", _pem_key(key), 0o640 if owner else 0o600, owner)
    _write(folder / "cert.pem", _pem_cert(cert), 0o644, owner)
    _write(folder / "ca.pem", bundle, 0o644, owner)
    meta = {"dns": dns_names[1:], "ips": addresses, "days": days}
    if owner is not None:
        meta["owner"] = f"{owner[0]}:{owner[1]}"
    _write(folder / META, json.dumps(meta, indent=2).encode() + b"\n", 0o644)
    return Issued(name, folder, dns_names, addresses, not_after, owner, serial)


def services(directory: Path) -> list[str]:
    """The services issued in `directory` (folders with an issue record)."""
    if not directory.is_dir():
        return []
    return sorted(p.parent.name for p in directory.glob(f"*/{META}"))


def reissue(directory: Path, name: str, *, days: int | None = None) -> Issued:
    """Issue `name` again with the names, addresses and owner it was first issued with."""
    meta_path = directory / name / META
    if not meta_path.is_file():
        raise CertError(f"{name} was never issued in {directory} (`dari certs list`)")
    meta = json.loads(meta_path.read_text())
    return issue(
        directory,
        name,
        dns=list(meta.get("dns", [])),
        ips=list(meta.get("ips", [])),
        days=days or int(meta.get("days", CERT_DAYS)),
        owner=parse_owner(meta.get("owner")),
    )


def _bundle_certs(directory: Path) -> list[x509.Certificate]:
    path = directory / "ca.pem"
    return x509.load_pem_x509_certificates(path.read_bytes()) if path.is_file() else []


def rotate(
    directory: Path,
    names: list[str] | None = None,
    *,
    new_ca: bool = False,
    drop_old_ca: bool = False,
    days: int | None = None,
) -> list[Issued]:
    """Re-issue certificates (all when `names` is empty).

    `new_ca`: first replace the CA; the trust bundle then holds the new CA and the old one, so
    a service restarted with its new certificate and one still on the old certificate trust
    each other during a rolling restart. `drop_old_ca`: the bundle keeps only the current CA
    (run after every service has restarted with a certificate of the new CA).
    """
    ca_cert, _ = _load_ca(directory)
    if new_ca:
        old = [c for c in _bundle_certs(directory) if c.not_valid_after_utc > datetime.now(UTC)]
        common = ca_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        cert, key = _new_ca(str(common[0].value) if common else "Dari internal CA", CA_DAYS)
        cert_path, key_path = ca_paths(directory)
        _write(key_path, _pem_key(key), 0o600)
        _write(cert_path, _pem_cert(cert), 0o644)
        kept = [
            c for c in old if c.fingerprint(hashes.SHA256()) != cert.fingerprint(hashes.SHA256())
        ]
        _write(directory / "ca.pem", b"".join(_pem_cert(c) for c in [cert, *kept]), 0o644)
    elif drop_old_ca:
        _write(directory / "ca.pem", _pem_cert(ca_cert), 0o644)
    chosen = names or services(directory)
    return [reissue(directory, name, days=days) for name in chosen]


@dataclass(frozen=True)
class Listed:
    name: str
    not_after: datetime
    issuer: str
    trusted: bool


def listing(directory: Path) -> list[Listed]:
    """Each issued certificate, when it expires, and whether the current bundle trusts it."""
    bundle = _bundle_certs(directory)
    rows = []
    for name in services(directory):
        cert = x509.load_pem_x509_certificate((directory / name / "cert.pem").read_bytes())
        trusted = False
        for ca in bundle:
            try:
                cert.verify_directly_issued_by(ca)
            except (ValueError, TypeError, InvalidSignature):
                continue  # not this CA: try the next one
            trusted = True
            break
        rows.append(Listed(name, cert.not_valid_after_utc, cert.issuer.rfc4514_string(), trusted))
    return rows

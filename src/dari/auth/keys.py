"""Signing keys for access tokens: generated at first start, rotatable, published as JWKS.

Keys live in `<data_dir>/keys` (or `DARI_AUTH_KEYS_DIR`): one PEM file per key and
`state.json` naming the current key and when older keys were retired. A retired key keeps
verifying for one access-token lifetime after its retirement, then `rotate` deletes it.
`DARI_AUTH_SIGNING_KEY_FILE` replaces all of this with one key given by the operator.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

from dari.config import Settings

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
_RELOAD_EVERY_S = 5.0


class KeyConfigError(Exception):
    """A configured key cannot be used; the message says how to fix it."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    private_key: PrivateKey
    retired_at: float | None = None

    @property
    def public_key(self) -> PublicKey:
        return self.private_key.public_key()

    def jwk(self) -> dict[str, Any]:
        public = self.public_key
        jwk: dict[str, Any]
        if isinstance(public, ed25519.Ed25519PublicKey):
            jwk = OKPAlgorithm.to_jwk(public, as_dict=True)
        else:
            jwk = ECAlgorithm.to_jwk(public, as_dict=True)
        jwk.update(kid=self.kid, alg=self.algorithm, use="sig")
        return jwk


def _kid(key: PrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:12]).decode().rstrip("=")


def _from_pem(data: bytes, source: str, retired_at: float | None = None) -> SigningKey:
    key = serialization.load_pem_private_key(data, password=None)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        algorithm = "EdDSA"
    elif isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        algorithm = "ES256"
    else:
        raise KeyConfigError(f"{source}: only Ed25519 and EC P-256 private keys are supported")
    return SigningKey(_kid(key), algorithm, key, retired_at)


def _generate(algorithm: str) -> PrivateKey:
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    return ed25519.Ed25519PrivateKey.generate()


def _pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


class KeyStore:
    """The process's view of the signing keys; re-reads the directory when it changes."""

    def __init__(self, settings: Settings) -> None:
        auth = settings.auth
        self.algorithm = auth.jwt_algorithm
        self.grace_s = auth.access_token_ttl_s + 60
        self.key_file = auth.signing_key_file
        self.directory = auth.keys_dir or settings.server.data_dir / "keys"
        self._keys: dict[str, SigningKey] = {}
        self._current = ""
        self._stamp: float | None = None
        self._checked = 0.0

    @property
    def state_path(self) -> Path:
        return self.directory / "state.json"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.directory / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read_state(self) -> dict[str, Any]:
        try:
            return dict(json.loads(self.state_path.read_text()))
        except FileNotFoundError:
            return {}

    def _write_state(self, state: dict[str, Any]) -> None:
        _write_atomic(self.state_path, json.dumps(state, indent=2).encode())

    def _new_key(self) -> str:
        key = _generate(self.algorithm)
        kid = _kid(key)
        _write_atomic(self.directory / f"{kid}.pem", _pem(key))
        return kid

    def load(self) -> None:
        """Read the keys, generating the first one if there is none."""
        if self.key_file is not None:
            try:
                key = _from_pem(self.key_file.read_bytes(), str(self.key_file))
            except (OSError, ValueError) as exc:
                raise KeyConfigError(
                    f"cannot read DARI_AUTH_SIGNING_KEY_FILE={self.key_file}: {exc}"
                ) from None
            self._keys, self._current = {key.kid: key}, key.kid
            return
        with self._locked():
            state = self._read_state()
            if not state.get("current"):
                state = {"current": self._new_key(), "retired": {}}
                self._write_state(state)
            self._load_state(state)

    def _load_state(self, state: dict[str, Any]) -> None:
        now = time.time()
        keys: dict[str, SigningKey] = {}
        retired = {str(k): float(v) for k, v in dict(state.get("retired", {})).items()}
        for kid, retired_at in [(state["current"], None), *retired.items()]:
            if retired_at is not None and retired_at + self.grace_s < now:
                continue
            path = self.directory / f"{kid}.pem"
            with contextlib.suppress(FileNotFoundError):
                keys[kid] = _from_pem(path.read_bytes(), str(path), retired_at)
        if state["current"] not in keys:
            raise KeyConfigError(
                f"the current signing key {self.directory}/{state['current']}.pem "
                "is missing; run `dari users rotate-keys`"
            )
        self._keys, self._current = keys, str(state["current"])
        self._stamp = self.state_path.stat().st_mtime
        self._checked = time.monotonic()

    def _refresh(self, force: bool = False) -> None:
        if not self._keys:
            self.load()
            return
        if self.key_file is not None:
            return
        if not force and time.monotonic() - self._checked < _RELOAD_EVERY_S:
            return
        self._checked = time.monotonic()
        try:
            stamp = self.state_path.stat().st_mtime
        except FileNotFoundError:
            return
        if stamp != self._stamp:
            self._load_state(self._read_state())

    def signing_key(self) -> SigningKey:
        self._refresh()
        return self._keys[self._current]

    def verification_key(self, kid: str) -> SigningKey | None:
        self._refresh()
        key = self._keys.get(kid)
        if key is None and self._keys:
            self._refresh(force=True)  # another replica may just have rotated
            key = self._keys.get(kid)
        if key is None or key.retired_at is None:
            return key
        return key if key.retired_at + self.grace_s >= time.time() else None

    def jwks(self) -> dict[str, Any]:
        self._refresh()
        return {"keys": [key.jwk() for key in self._keys.values()]}

    def rotate(self, *, revoke_old: bool = False) -> tuple[str, list[str]]:
        """Make a new current key; returns it and the retired keys that were deleted.

        `revoke_old` deletes every older key at once (a leaked key): their tokens stop working.
        """
        if self.key_file is not None:
            raise KeyConfigError("DARI_AUTH_SIGNING_KEY_FILE is set: rotate by replacing that file")
        with self._locked():
            state = self._read_state() or {"retired": {}}
            now = time.time()
            retired = dict(state.get("retired", {}))
            if state.get("current"):
                retired[state["current"]] = now
            removed = [
                kid for kid, at in retired.items() if revoke_old or float(at) + self.grace_s < now
            ]
            for kid in removed:
                retired.pop(kid)
                (self.directory / f"{kid}.pem").unlink(missing_ok=True)
            state = {"current": self._new_key(), "retired": retired}
            self._write_state(state)
            self._load_state(state)
        return self._current, removed

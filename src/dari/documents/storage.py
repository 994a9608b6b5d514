"""Originals kept content-addressed in the data directory: `documents/ab/cd/<sha256>`.

The name never comes from the user, so a filename with `../` or control characters cannot
escape the directory; identical uploads share one file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from dari.config import Settings

_HEX = re.compile(r"^[0-9a-f]{64}$")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_filename(name: str, fallback: str = "document") -> str:
    """A display name: the last path component, no control characters, at most 200 chars."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().strip(".").strip()
    return name[:200] or fallback


def safe_source_path(path: str) -> str:
    """A relative source path (folder ingestion) with the same cleaning per component."""
    parts = [safe_filename(p, "") for p in path.replace("\\", "/").split("/")]
    cleaned = "/".join(p for p in parts if p and p not in (".", ".."))
    return cleaned[-255:] or "document"


class OriginalStore:
    """Write, read and remove originals by content hash."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def from_settings(cls, settings: Settings) -> OriginalStore:
        return cls(settings.server.data_dir / "documents")

    def path(self, digest: str) -> Path:
        if not _HEX.match(digest):
            raise ValueError("not a sha256 digest")
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        digest = sha256_hex(data)
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest: str) -> bytes:
        return self.path(digest).read_bytes()

    def exists(self, digest: str) -> bool:
        return self.path(digest).exists()

    def delete(self, digest: str) -> None:
        self.path(digest).unlink(missing_ok=True)

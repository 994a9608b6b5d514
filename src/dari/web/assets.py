"""The web client's files on disk: lookup, content types, ETags and the shell version.

Everything is read once per process (the files ship inside the package); the shell version is
a hash of every served file, so a changed file gives the service worker a new cache name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
I18N_DIR = WEB_DIR / "i18n"
LANGUAGES = ("ko", "en")

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}

# The files a browser needs to draw the chat app and the console offline (the service worker
# precaches exactly these; API and WebSocket traffic is never cached).
SHELL_PATHS = (
    "/",
    "/admin",
    "/manifest.webmanifest",
    "/i18n/ko.json",
    "/i18n/en.json",
)


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    etag: str


def _load(path: Path) -> Asset:
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()[:20]
    content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
    return Asset(body=body, content_type=content_type, etag=f'"{digest}"')


def safe_relative(raw: str) -> PurePosixPath | None:
    """A relative path with no `..`, hidden parts, backslashes or NULs, else None."""
    if not raw or "\\" in raw or "\x00" in raw:
        return None
    relative = PurePosixPath(raw)
    if relative.is_absolute():
        return None
    for part in relative.parts:
        if part in ("", ".", "..") or part.startswith("."):
            return None
    return relative


@lru_cache(maxsize=512)
def static_asset(raw: str) -> Asset | None:
    """The file under `static/` named by a URL path, or None (also for anything outside it)."""
    relative = safe_relative(raw)
    if relative is None:
        return None
    path = (STATIC_DIR / relative).resolve()
    if not path.is_relative_to(STATIC_DIR) or not path.is_file():
        return None
    if path.suffix not in CONTENT_TYPES:
        return None
    return _load(path)


@lru_cache(maxsize=4)
def catalog(lang: str) -> Asset | None:
    """A language's message catalog (`i18n/<lang>.json`)."""
    if lang not in LANGUAGES:
        return None
    return _load(I18N_DIR / f"{lang}.json")


def static_files() -> list[str]:
    """Every servable file under `static/` as a URL (`/static/...`), sorted."""
    urls = []
    for path in sorted(STATIC_DIR.rglob("*")):
        # Pages have their own URLs (/, /admin) and the worker is served at /sw.js.
        if path.is_file() and path.suffix in CONTENT_TYPES and path.suffix != ".html":
            relative = path.relative_to(STATIC_DIR).as_posix()
            if relative != "sw.js" and safe_relative(relative) is not None:
                urls.append(f"/static/{relative}")
    return urls


@lru_cache(maxsize=1)
def shell_version() -> str:
    """A hash over every file the client is made of."""
    digest = hashlib.sha256()
    for path in sorted([*STATIC_DIR.rglob("*"), *I18N_DIR.rglob("*")]):
        if path.is_file():
            digest.update(path.relative_to(WEB_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def service_worker() -> Asset:
    """`sw.js` with the shell version and the precache list filled in."""
    import json

    template = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    precache = [*SHELL_PATHS, *static_files()]
    body = (
        template.replace("__SHELL_VERSION__", shell_version())
        .replace("__PRECACHE__", json.dumps(precache, ensure_ascii=False))
        .encode()
    )
    digest = hashlib.sha256(body).hexdigest()[:20]
    return Asset(body=body, content_type=CONTENT_TYPES[".js"], etag=f'"{digest}"')

"""The web routes over HTTP (no browser): pages, assets, headers, and that they never shadow
or leak into the API."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from dari.web.assets import STATIC_DIR


async def test_pages_are_served_with_a_strict_csp(client: httpx.AsyncClient) -> None:
    for path in ("/", "/admin", "/admin/documents", "/admin/users/deep/link"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        csp = response.headers["content-security-policy"]
        assert (
            "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        )
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        # No inline scripts or styles: everything the page runs comes from /static.
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text)
        assert "<style" not in response.text and " style=" not in response.text
    chat = (await client.get("/")).text
    admin = (await client.get("/admin")).text
    assert '<html lang="ko">' in chat and "/static/js/app.js" in chat
    assert "/static/js/admin/main.js" in admin


async def test_static_files_types_and_revalidation(client: httpx.AsyncClient) -> None:
    script = await client.get("/static/js/markdown.js")
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["cache-control"] == "no-cache"
    again = await client.get(
        "/static/js/markdown.js", headers={"If-None-Match": script.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    css = await client.get("/static/css/base.css")
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.content[:4] == b"\x89PNG"
    for lang in ("ko", "en"):
        catalog = await client.get(f"/i18n/{lang}.json")
        assert catalog.status_code == 200 and catalog.json()["app.name"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/../endpoints.py",
        "/static/%2e%2e/endpoints.py",
        "/static/..%2fendpoints.py",
        "/static/js/../../endpoints.py",
        "/static/.hidden",
        "/static/index.html",
        "/static/sw.js",
        "/static/js/nope.js",
        "/static/",
        "/i18n/fr.json",
        "/i18n/..%2f..%2fassets.json",
    ],
)
async def test_nothing_outside_the_client_is_served(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "import" not in response.text


async def test_api_routes_are_not_shadowed(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/does-not-exist")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    me = await client.get("/api/me")
    assert me.status_code == 401  # the API answers, not the chat page
    # The web routes are not part of the public API description.
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    assert not [p for p in paths if p in ("/", "/sw.js") or p.startswith(("/static", "/admin"))]


async def test_service_worker_precaches_only_the_shell(client: httpx.AsyncClient) -> None:
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    body = response.text
    assert "__SHELL_VERSION__" not in body and "__PRECACHE__" not in body
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", body, re.S).group(1))
    assert "/" in precache and "/admin" in precache and "/static/js/app.js" in precache
    assert not [p for p in precache if p.startswith(("/api", "/ws", "/readyz", "/metrics"))]
    assert not [p for p in precache if p.endswith(".html")]
    # Every precached URL exists (one 404 would make the worker's install fail).
    for path in precache:
        assert (await client.get(path)).status_code == 200, path
    # The worker lets API and WebSocket traffic through untouched.
    assert 'path.startsWith("/api/")' in body and "never" in body.lower()


def test_first_load_is_small() -> None:
    """The chat page and everything it loads on first paint stay under 300 KB."""
    chat_assets = [
        "index.html",
        "css/base.css",
        "css/chat.css",
        "icons/icon.svg",
        *[f"js/{p.name}" for p in (STATIC_DIR / "js").glob("*.js")],
    ]
    total = sum((STATIC_DIR / name).stat().st_size for name in chat_assets)
    assert total < 300 * 1024, f"first load is {total / 1024:.0f} KB"

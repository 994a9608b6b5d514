"""HTTP routes of the web client. Mounted last (see `dari.app`), so they never shadow the API.

The pages themselves hold no personal data: they are the same for everyone, and every piece of
data is fetched by the page with the user's token from permission-checked API endpoints.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dari.api.problems import problem_response
from dari.web.assets import Asset, catalog, service_worker, static_asset

router = APIRouter(include_in_schema=False)

# Scripts, styles and connections only from this origin: model output can never run code even if
# a rendering bug slipped through. Inline styles set through the CSSOM (element.style) still work.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _send(request: Request, asset: Asset, *, html: bool = False) -> Response:
    # `no-cache` = revalidate every time (cheap 304s); the service worker serves offline copies.
    headers = {"ETag": asset.etag, "Cache-Control": "no-cache", **SECURITY_HEADERS}
    if html:
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.content_type, headers=headers)


def _page(request: Request, name: str) -> Response:
    asset = static_asset(name)
    if asset is None:  # pragma: no cover - the pages ship with the package
        return problem_response(404, "not_found", "The page does not exist.")
    return _send(request, asset, html=True)


def _not_found() -> Response:
    return problem_response(404, "not_found", "No such file.")


@router.get("/")
async def chat_page(request: Request) -> Response:
    """The chat app (login, conversations, streaming answers)."""
    return _page(request, "index.html")


@router.get("/admin")
@router.get("/admin/{section:path}")
async def admin_page(request: Request, section: str = "") -> Response:
    """The admin console; the page shows only what `GET /api/me` permits."""
    return _page(request, "admin.html")


@router.get("/static/{path:path}")
async def static_file(request: Request, path: str) -> Response:
    """Scripts, styles and icons of the client."""
    if path.endswith(".html") or path == "sw.js":
        return _not_found()  # pages and the worker have their own URLs (and headers)
    asset = static_asset(path)
    return _send(request, asset) if asset else _not_found()


@router.get("/i18n/{lang}.json")
async def messages(request: Request, lang: str) -> Response:
    """The message catalog of one language (`ko`, `en`)."""
    asset = catalog(lang)
    return _send(request, asset) if asset else _not_found()


@router.get("/manifest.webmanifest")
async def manifest(request: Request) -> Response:
    """The PWA manifest (installable app on phones)."""
    asset = static_asset("manifest.webmanifest")
    return _send(request, asset) if asset else _not_found()


@router.get("/sw.js")
async def worker(request: Request) -> Response:
    """The service worker, at the root so its scope covers `/` and `/admin`."""
    return _send(request, service_worker())


@router.get("/favicon.ico")
async def favicon(request: Request) -> Response:
    asset = static_asset("icons/favicon-32.png")
    return _send(request, asset) if asset else _not_found()


@router.get("/robots.txt")
async def robots(request: Request) -> Response:
    """An internal tool: nothing to index."""
    return Response("User-agent: *\nDisallow: /\n", media_type="text/plain")

"""Security headers: `nosniff` on every response, `no-store` on responses that carry secrets.

An endpoint whose response holds tokens or an API key declares
`@router.post(..., dependencies=[NO_STORE])`.
"""

from __future__ import annotations

from fastapi import Depends, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOSNIFF = (b"x-content-type-options", b"nosniff")


class SecurityHeadersMiddleware:
    """Adds `X-Content-Type-Options: nosniff` to every HTTP response that lacks it, so a
    browser never guesses a type (e.g. runs a JSON body or a downloaded file as HTML)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == NOSNIFF[0] for name, _ in headers):
                    headers.append(NOSNIFF)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def no_store(response: Response) -> None:
    """Dependency: the response holds a secret (tokens, an API key) — no cache may keep it
    (RFC 6749 §5.1 asks token responses for both headers; `Pragma` for HTTP/1.0 caches)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"


NO_STORE = Depends(no_store)

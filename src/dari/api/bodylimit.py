"""Request body size limits, enforced before anything reads the body.

FastAPI reads a JSON body whole before it resolves dependencies, so without a limit an
unauthenticated `POST /api/search` with 100 MB cost hundreds of MB of memory before its 401.
`BodyLimitMiddleware` refuses a declared `Content-Length` over the limit without reading a byte,
and counts the bytes of a chunked body as they arrive, stopping at the limit. Either way the
answer is a 413 problem. Document uploads (multipart `POST /api/documents`) get their own,
larger limit.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dari.api.problems import problem_response

UPLOAD_PATHS = frozenset({"/api/documents", "/api/documents/"})


def too_large_detail(limit: int) -> str:
    """The Korean/English sentence of every 413 for a body over `limit` bytes."""
    mib = limit >= 1024 * 1024
    size = f"{limit / (1024 * 1024):g} MiB" if mib else f"{limit / 1024:g} KiB"
    return f"요청 본문이 너무 큽니다 (최대 {size}). (Request body too large: at most {size}.)"


class BodyTooLarge(HTTPException):
    """Raised by the limited `receive` when a streamed body passes its limit.

    An `HTTPException` on purpose: FastAPI re-raises those from its body parsing instead of
    turning them into a 400, so the problem handler answers 413.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_detail(limit))
        self.limit = limit


def too_large_response(limit: int) -> JSONResponse:
    """The 413 problem for a body over `limit` bytes."""
    return problem_response(
        413,
        "content_too_large",
        too_large_detail(limit),
        max_bytes=limit,
        # The rest of the body is never read: the connection cannot be reused for another
        # request, and closing it stops the client from sending more.
        headers={"Connection": "close"},
    )


async def body_too_large_handler(_request: Request, exc: Exception) -> JSONResponse:
    """Exception handler for `BodyTooLarge` raised while an endpoint read its body."""
    assert isinstance(exc, BodyTooLarge)
    return too_large_response(exc.limit)


class BodyLimitMiddleware:
    """Pure ASGI: 413 for bodies over `max_body_bytes` (uploads: `max_upload_bytes`)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # The multipart framing and the small form fields beside the file need some room.
        self.max_upload_bytes = max_upload_bytes + max_body_bytes

    def limit_for(self, scope: Scope) -> int:
        """The byte limit of this request: the upload limit for a multipart document upload."""
        if scope.get("method") == "POST" and scope.get("path") in UPLOAD_PATHS:
            for name, value in scope.get("headers") or ():
                if name == b"content-type" and value.lower().startswith(b"multipart/form-data"):
                    return self.max_upload_bytes
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, receive, send, limit)
            return
        received = 0
        exceeded = False
        started = False
        replaced = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge(limit)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started, replaced
            if replaced:
                return  # our 413 went out instead of the app's response
            if message["type"] == "http.response.start":
                if exceeded and message["status"] != 413:
                    # Code that caught the overflow as a generic error (a 400 or a 500) must not
                    # hide it: the client gets the 413 it needs to act on.
                    replaced = True
                    await _refuse(scope, receive, send, limit)
                    return
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded or started or replaced:
                raise
            await _refuse(scope, receive, send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    await too_large_response(limit)(scope, receive, send)

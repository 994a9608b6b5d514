"""Errors as `application/problem+json` (RFC 9457). Nothing internal ever reaches a client."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from dari.cache.base import CacheUnavailable
from dari.core.errors import UNAVAILABLE, DariError, message_of
from dari.observability.context import request_id_var

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Problem(DariError):
    """An HTTP-level answer raised by an endpoint (a form it cannot read, a missing header).

    Domain logic raises its own `DariError` subclass instead (codes and Korean messages from
    `dari.core.errors.CATALOGUE`); both reach the client through the same handler. `code` is a
    stable slug from the catalogue; `detail` is a sentence safe to show the user; `extra` adds
    members.
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: str = "",
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        Exception.__init__(self, detail or code)
        self.status = status
        self.code = code
        self.message = self.detail = detail
        self.title = title or _TITLES.get(status, "Error")
        self.headers = headers or {}
        self.extra = extra


def problem_body(
    status: int, code: str, detail: str = "", title: str | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:dari:problem:{code}",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    request_id = request_id_var.get()
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    return body


def problem_response(
    status: int,
    code: str,
    detail: str = "",
    *,
    headers: Mapping[str, str] | None = None,
    title: str | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, code, detail, title, **extra),
        status_code=status,
        media_type=PROBLEM_JSON,
        # Set here too, not only by SecurityHeadersMiddleware: a 500 is sent by Starlette's
        # outermost error middleware, outside every middleware the app adds.
        headers={"X-Content-Type-Options": "nosniff", **(headers or {})},
    )


def error_response(exc: DariError) -> JSONResponse:
    """The problem document of a domain error (or a `Problem`)."""
    title = exc.title if isinstance(exc, Problem) else None
    return problem_response(
        exc.status, exc.code, exc.message, headers=exc.headers, title=title, **exc.extra
    )


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # The offending input is not echoed back: it may be huge or secret (a password field).
    return [
        {
            "loc": [str(p) for p in error.get("loc", ())],
            "msg": error.get("msg", ""),
            "type": error.get("type", ""),
        }
        for error in exc.errors()[:20]
    ]


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DariError)
    async def _problem(_request: Request, exc: DariError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _TITLES.get(exc.status_code, "error").lower().replace(" ", "_")
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code < 500 else ""
        return problem_response(exc.status_code, code, detail, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(
            422,
            "validation_error",
            message_of("validation_error"),
            errors=_validation_errors(exc),
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(DBAPIError)
    async def _database(_request: Request, exc: Exception) -> JSONResponse:
        log.error("database error: %s", type(exc).__name__, exc_info=exc)
        return problem_response(
            503,
            "service_unavailable",
            UNAVAILABLE["database"],
            part="database",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(CacheUnavailable)
    @app.exception_handler(RedisError)
    async def _cache(_request: Request, exc: Exception) -> JSONResponse:
        log.error("cache error: %s", type(exc).__name__)
        return problem_response(
            503,
            "service_unavailable",
            UNAVAILABLE["cache"],
            part="cache",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem_response(500, "internal_error", message_of("internal_error"))

"""The one error type of the chat domain: a protocol error code and a message for the user.

The codes are the WebSocket protocol's (`dari.chat.protocol.ErrorCode`), each listed with its
HTTP status and default Korean message in `dari.core.errors.CATALOGUE`.
"""

from __future__ import annotations

from typing import Any

from dari.chat.protocol import ERROR_CODES
from dari.core.errors import UNAVAILABLE, DariError, status_of

# The HTTP status of every chat error code (problem+json), from the one catalogue.
HTTP_STATUS = {code: status_of(code) for code in ERROR_CODES}


class ChatError(DariError):
    """Sent as an `error` event on the WebSocket, or as problem+json over HTTP."""

    def __init__(self, code: str, message: str | None = None, **extra: Any) -> None:
        super().__init__(code, message, **extra)


def dependency_failure(exc: BaseException) -> ChatError | None:
    """`unavailable`, naming the part, when `exc` says the cache or the database is gone
    (like `/readyz`); None for any other error."""
    from redis.exceptions import RedisError
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(exc, RedisError):
        return ChatError("unavailable", UNAVAILABLE["cache"])
    if isinstance(exc, OperationalError | DBAPIError):
        return ChatError("unavailable", UNAVAILABLE["database"])
    if isinstance(exc, ConnectionError | TimeoutError | OSError):
        return ChatError("unavailable", UNAVAILABLE["service"])
    return None

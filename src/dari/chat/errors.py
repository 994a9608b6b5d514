"""The one error type of the chat domain: a protocol error code and a message for the user.

The codes are the WebSocket protocol's (`dari.chat.protocol.ErrorCode`), each listed with its
HTTP status and default Korean message in `dari.core.errors.CATALOGUE`.
"""

from __future__ import annotations

from typing import Any

from dari.chat.protocol import ERROR_CODES
from dari.core.errors import DariError, status_of

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
        return ChatError(
            "unavailable", "캐시(cache) 서버에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요."
        )
    if isinstance(exc, OperationalError | DBAPIError):
        return ChatError(
            "unavailable",
            "데이터베이스(database)에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.",
        )
    if isinstance(exc, ConnectionError | TimeoutError | OSError):
        return ChatError(
            "unavailable", "내부 서비스에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요."
        )
    return None

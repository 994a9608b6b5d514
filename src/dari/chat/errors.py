"""The one error type of the chat domain: a protocol error code and a message for the user."""

from __future__ import annotations

HTTP_STATUS = {
    "unauthorized": 401,
    "token_expired": 401,
    "bad_frame": 400,
    "unknown_frame": 400,
    "empty_message": 422,
    "message_too_long": 413,
    "busy": 409,
    "not_found": 404,
    "nothing_to_cancel": 409,
    "rate_limited": 429,
    "llm_unavailable": 503,
    "llm_timeout": 504,
    "llm_bad_output": 502,
    "erp_unavailable": 503,
    "unavailable": 503,
    "internal_error": 500,
}


class ChatError(Exception):
    """Sent as an `error` event on the WebSocket, or as problem+json over HTTP."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 500)


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

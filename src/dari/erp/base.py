"""The ERP connector interface, its results and the errors every ERP part raises."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from dari.core.errors import DariError

ERROR_CODES = (
    "erp_forbidden",  # the user may not call this tool / see these rows
    "erp_bad_arguments",  # arguments fail the tool's JSON schema or a range check
    "erp_query_refused",  # ad-hoc SQL refused by the guard
    "erp_timeout",  # the ERP took longer than the statement timeout
    "erp_unavailable",  # the ERP cannot be reached
    "erp_unknown_tool",  # no such tool in the catalog
    "erp_failed",  # the ERP answered with an error (details only in the server log)
)


class ErpError(DariError):
    """A failure the assistant can relay: a catalogue `code` (`ERROR_CODES`) and a plain Korean
    `message`; over HTTP, problem+json with the catalogue's status."""

    def __init__(self, code: str, message: str | None = None, **extra: Any) -> None:
        super().__init__(code, message, **extra)


@dataclass(frozen=True)
class RestCall:
    """A REST operation from the catalog: `GET {base}{path}` with query parameters.

    `params` values may contain `{arg}` placeholders filled from the (validated) arguments;
    `items` is the dotted path of the row list in the JSON answer; pagination follows
    `page_param` (page numbers from 1) until an empty page, a short page or `max_pages`.
    """

    path: str
    method: str = "GET"
    params: Mapping[str, str] = field(default_factory=dict)
    items: str = "items"
    page_param: str | None = None
    page_size_param: str | None = None
    page_size: int = 100
    max_pages: int = 50


@dataclass(frozen=True)
class Operation:
    """What one tool runs: SQL text with named binds, or a REST call."""

    sql: str | None = None
    rest: RestCall | None = None


@dataclass
class RawResult:
    """Rows as the ERP returned them, capped at `max_rows` (`truncated` when more existed)."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = False


@runtime_checkable
class ErpConnector(Protocol):
    """One ERP system. Implementations: `connectors.sql` (SQLAlchemy), `connectors.rest` (JSON).

    Every call is read-only, bounded by `timeout_s` and `max_rows`, and raises `ErpError`
    (`erp_timeout`, `erp_unavailable`, `erp_failed`) rather than driver exceptions.
    """

    kind: str  # "sql" or "rest"

    @property
    def dialect(self) -> str | None:
        """The sqlglot dialect (`sqlite`, `mysql`, `postgres`…) of a SQL ERP; None for REST."""
        ...

    async def execute(
        self,
        operation: Operation,
        params: Mapping[str, Any],
        *,
        max_rows: int,
        timeout_s: float,
    ) -> RawResult: ...

    async def ping(self) -> None:
        """Raise `ErpError("erp_unavailable", …)` if the ERP does not answer."""
        ...

    async def close(self) -> None: ...


def to_jsonable(value: Any) -> Any:
    """Dates become ISO text and decimals numbers, so results serialise as JSON."""
    from datetime import date, datetime
    from decimal import Decimal

    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def jsonable_rows(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    return [[to_jsonable(v) for v in row] for row in rows]

"""One query of `dari bench erp-queries`: called as `erp_query`, then run directly, and the
outcome (one of `OUTCOMES`) of comparing the two answers."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Any

from dari.erp.bench_queries_file import BenchQuery

OUTCOMES = (
    "equal",
    "different",
    "refused",
    "failed",
    "refused_as_expected",
    "accepted_unexpectedly",
)


def _value(value: Any) -> Any:
    # Drivers answer the same value as different types (SQLite: text dates, float sums;
    # MariaDB: date, Decimal), so compare what they mean, not how they are typed.
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal | float):
        number = round(float(value), 6)
        return int(number) if number.is_integer() else number
    if isinstance(value, datetime | date | dtime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def normalized(rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows as a sorted multiset of comparable values."""
    return sorted((tuple(_value(v) for v in row) for row in rows), key=repr)


async def run_one(
    toolset: Any, query: BenchQuery, permission: str, max_rows: int, timeout_s: float
) -> dict[str, Any]:
    """`query` called as `erp_query` by a user of its role, then its (expected) SQL run directly
    on the connector: the report row with `outcome`, `ms` and, where it helps, `message`."""
    from dari.core.principal import Principal
    from dari.erp.base import ErpError, Operation

    dialect = toolset.connector.dialect
    who = Principal(
        user_id=f"bench-{query.role}",
        username=f"bench-{query.role}",
        roles=frozenset({query.role}),
        permissions=frozenset({permission}),
        attributes=query.user,
    )

    async def nothing(*_args: Any, **_kwargs: Any) -> None:
        return None

    row: dict[str, Any] = {"id": query.id, "question": query.question, "role": query.role}
    started = time.perf_counter()
    try:
        result = await toolset.call_tool(
            who, "erp_query", {"sql": query.sql_for(dialect)}, audit=nothing
        )
    except ErpError as exc:
        row["ms"] = round((time.perf_counter() - started) * 1000, 1)
        refused = exc.code in ("erp_query_refused", "erp_forbidden")
        if query.expect == "refused" and refused:
            row["outcome"] = "refused_as_expected"
        else:
            row["outcome"] = "refused" if refused else "failed"
        row["message"] = exc.message
        return row
    row["ms"] = round((time.perf_counter() - started) * 1000, 1)
    if query.expect == "refused":
        row["outcome"] = "accepted_unexpectedly"
        return row
    direct_sql = query.sql_for(dialect, expected=True).rstrip().rstrip(";")
    direct = await toolset.connector.execute(
        Operation(sql=direct_sql.replace(":", "\\:")), {}, max_rows=max_rows, timeout_s=timeout_s
    )
    row["rows"] = result.row_count
    row["direct_rows"] = len(direct.rows)
    if result.truncated or direct.truncated:
        row["outcome"] = "different"
        row["message"] = f"more than {max_rows} rows: raise --max-rows"
    elif normalized(result.rows) == normalized(direct.rows):
        row["outcome"] = "equal"
    else:
        row["outcome"] = "different"
        got, want = normalized(result.rows), normalized(direct.rows)
        extra = [r for r in got if r not in want][:3]
        missing = [r for r in want if r not in got][:3]
        row["message"] = f"extra {extra!r}, missing {missing!r}"
    return row

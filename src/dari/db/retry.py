"""Re-run a write transaction that failed for a transient reason (deadlock, lock timeout, busy).

Some database errors say nothing about the request, only about its timing: MariaDB picked the
transaction as a deadlock victim (1213) or it waited too long for a row lock (1205), or SQLite
found the database locked by another writer. The same transaction run again a moment later
usually succeeds. `is_transient` recognises these; `retry_transient` re-runs a whole unit of
work — it opens its session, writes and commits — when one ends it:

    async def unit() -> None:
        async with runtime.sessionmaker() as session:
            ...
            await session.commit()

    await retry_transient(unit)

The unit must be safe to run again: everything it did before the error was rolled back (a
deadlock on MariaDB rolls back the whole transaction), so it has to start from scratch —
re-read, re-write — and do nothing outside the database before its commit succeeds.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from prometheus_client import Counter
from sqlalchemy.exc import DBAPIError

T = TypeVar("T")
log = logging.getLogger(__name__)

# MariaDB/MySQL error numbers: 1213 deadlock (the whole transaction was rolled back), 1205 lock
# wait timeout (innodb_lock_wait_timeout passed; the statement was rolled back).
MYSQL_TRANSIENT = {1213: "deadlock", 1205: "lock_wait_timeout"}
# SQLite: SQLITE_BUSY (another connection writes; busy_timeout passed) and SQLITE_LOCKED.
SQLITE_TRANSIENT = ("database is locked", "database table is locked")

RETRIES = Counter(
    "dari_db_retries_total",
    "Write transactions re-run after a transient database error, by reason.",
    ["reason"],
)


def transient_reason(exc: BaseException) -> str | None:
    """Why `exc` is worth a retry ("deadlock", "lock_wait_timeout", "sqlite_locked"), or None."""
    if not isinstance(exc, DBAPIError):
        return None
    args = getattr(exc.orig, "args", ())
    if args and isinstance(args[0], int):
        return MYSQL_TRANSIENT.get(args[0])
    message = str(exc.orig).lower()
    if any(text in message for text in SQLITE_TRANSIENT):
        return "sqlite_locked"
    return None


def is_transient(exc: BaseException) -> bool:
    """The same transaction may succeed if run again (deadlock, lock timeout, busy SQLite)."""
    return transient_reason(exc) is not None


async def retry_transient(
    unit: Callable[[], Awaitable[T]], *, attempts: int = 3, base_delay_s: float = 0.05
) -> T:
    """Run `unit`; when it fails with a transient error, wait a little and run it again.

    At most `attempts` runs; the last error is raised as is. The waits grow (0.05 s, 0.1 s…) and
    are jittered so that two deadlocked transactions do not collide again in lockstep.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await unit()
        except DBAPIError as exc:
            reason = transient_reason(exc)
            if reason is None or attempt == attempts:
                raise
            RETRIES.labels(reason).inc()
            delay = base_delay_s * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)
            log.warning(
                "transient database error (%s), attempt %d of %d; again in %.2f s",
                reason,
                attempt,
                attempts,
                delay,
            )
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # the loop returns or raises

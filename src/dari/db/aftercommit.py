"""Side effects that may only happen once a transaction is durable: after-commit callbacks.

A service that changes something outside the database — the search index, stored files, the
job queue — registers that change with `after_commit(session, callback)` instead of making it
at once. Whoever owns the transaction commits with `commit(session)` (the request session in
`dari.api.deps` does), which runs the callbacks after a successful commit. A rollback, or a
commit that fails, drops them: outside state never describes writes that did not happen, and
a job queued here always finds its row.

    after_commit(session, partial(search.set_access, document.id, tokens))
    ...
    await commit(session)       # jobs and CLI commands that commit themselves

Callbacks must not use the session (it is committed; open another one if needed). A callback
that fails is logged and counted (`dari_after_commit_failures_total`); the others still run,
and the commit stands.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import Counter
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

Callback = Callable[[], Awaitable[Any] | Any]

_PENDING = "dari.after_commit"
_COMMITTING = "dari.after_commit.committing"
log = logging.getLogger(__name__)

FAILURES = Counter(
    "dari_after_commit_failures_total",
    "After-commit side effects (index, files, queue) that raised; the database change stands.",
)


def after_commit(session: AsyncSession, callback: Callback) -> None:
    """Run `callback` (sync or async, no arguments) after the session's next successful commit."""
    session.info.setdefault(_PENDING, []).append(callback)


def pending(session: AsyncSession) -> int:
    """How many callbacks wait for the next commit."""
    return len(session.info.get(_PENDING, ()))


def discard(session: AsyncSession) -> None:
    """Drop every waiting callback (the transaction is being rolled back)."""
    session.info.pop(_PENDING, None)


async def run_pending(session: AsyncSession) -> int:
    """Run (and forget) the waiting callbacks in registration order; returns how many failed."""
    callbacks: list[Callback] = session.info.pop(_PENDING, [])
    failed = 0
    for callback in callbacks:
        try:
            result = callback()
            if inspect.isawaitable(result):
                await result
        except Exception:
            # The commit already happened: failing the request now would report a change
            # that is durable as lost. Log it loudly instead (a reindex repairs the index).
            failed += 1
            FAILURES.inc()
            log.exception("after-commit callback %r failed", callback)
    return failed


async def commit(session: AsyncSession) -> None:
    """Commit, then run the after-commit callbacks; a failed commit drops them and re-raises."""
    session.info[_COMMITTING] = True
    try:
        await session.commit()
    except BaseException:
        discard(session)
        raise
    finally:
        session.info.pop(_COMMITTING, None)
    await run_pending(session)


async def rollback(session: AsyncSession) -> None:
    """Drop the callbacks and roll back."""
    discard(session)
    await session.rollback()


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session: Session) -> None:
    # Whoever rolls back (a handler, SQLAlchemy after a failed flush), the changes are gone,
    # so their side effects must not happen at a later commit of the same session.
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_commit")
def _warn_on_plain_commit(session: Session) -> None:
    # A plain `session.commit()` cannot await the callbacks; they would silently run at some
    # later commit. Drop them with a warning that names the fix.
    if session.info.get(_PENDING) and not session.info.get(_COMMITTING):
        callbacks = session.info.pop(_PENDING)
        log.warning(
            "%d after-commit callback(s) dropped: commit with dari.db.aftercommit.commit",
            len(callbacks),
        )

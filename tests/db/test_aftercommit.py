"""After-commit callbacks: run once the commit is durable, dropped when it is not."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy.exc import IntegrityError

from dari.api.deps import get_session
from dari.audit.models import AuditEvent
from dari.audit.service import record
from dari.core.runtime import Runtime
from dari.db.aftercommit import FAILURES, after_commit, commit, pending
from dari.documents.models import DocumentAccessToken


async def test_callbacks_run_after_a_successful_commit_in_order(runtime: Runtime) -> None:
    seen: list[tuple[str, bool]] = []
    async with runtime.sessionmaker() as session:
        event_id = (await record(session, "test.after_commit", actor_name="test")).id

        async def committed() -> None:  # another session sees the row: the commit happened
            async with runtime.sessionmaker() as other:
                seen.append(("async", await other.get(AuditEvent, event_id) is not None))

        after_commit(session, committed)
        after_commit(session, lambda: seen.append(("sync", True)))
        assert pending(session) == 2 and not seen
        await commit(session)
        assert pending(session) == 0
    assert seen == [("async", True), ("sync", True)]


async def test_a_failed_commit_drops_the_callbacks(runtime: Runtime) -> None:
    seen: list[str] = []
    async with runtime.sessionmaker() as session:
        # A token of a document that does not exist: the foreign key fails at commit.
        session.add(DocumentAccessToken(document_id=str(uuid.uuid4()), token="public"))
        after_commit(session, lambda: seen.append("ran"))
        with pytest.raises(IntegrityError):
            await commit(session)
        await session.rollback()
        await record(session, "test.after_commit", actor_name="test")
        await commit(session)  # a later successful commit does not run them either
    assert seen == []


async def test_a_rollback_or_a_plain_commit_drops_them(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []
    async with runtime.sessionmaker() as session:
        await record(session, "test.after_commit", actor_name="test")
        after_commit(session, lambda: seen.append("rolled back"))
        await session.rollback()
        assert pending(session) == 0
        await record(session, "test.after_commit", actor_name="test")
        after_commit(session, lambda: seen.append("plain commit"))
        with caplog.at_level(logging.WARNING, logger="dari.db.aftercommit"):
            await session.commit()  # cannot await callbacks: dropped with a warning
        assert pending(session) == 0
        await commit(session)
    assert seen == []
    assert "dari.db.aftercommit.commit" in caplog.text


async def test_a_failing_callback_does_not_stop_the_others(runtime: Runtime) -> None:
    seen: list[str] = []
    before = FAILURES._value.get()

    async def broken() -> None:
        raise RuntimeError("search is down")

    async with runtime.sessionmaker() as session:
        await record(session, "test.after_commit", actor_name="test")
        after_commit(session, broken)
        after_commit(session, lambda: seen.append("second"))
        await commit(session)  # the commit stands; nothing is raised
    assert seen == ["second"]
    assert FAILURES._value.get() - before == 1


async def test_the_request_session_runs_them_only_when_the_handler_succeeds(
    runtime: Runtime,
) -> None:
    seen: list[str] = []
    ok = get_session(runtime)
    session = await anext(ok)
    after_commit(session, lambda: seen.append("ok"))
    with pytest.raises(StopAsyncIteration):
        await anext(ok)
    assert seen == ["ok"]

    failing = get_session(runtime)
    session = await anext(failing)
    await record(session, "test.after_commit", actor_name="test")
    after_commit(session, lambda: seen.append("handler failed"))
    with pytest.raises(ValueError):
        await failing.athrow(ValueError("handler failed"))
    assert seen == ["ok"]

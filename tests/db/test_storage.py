"""Round-trips through the real storage backends: Korean text, timestamps, JSON, atomicity."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from dari.audit import repository, service
from dari.audit.models import AuditEvent
from dari.core.runtime import Runtime

KOREAN = "연차 규정: 입사 1년 미만 근로자는 1개월 개근 시 1일의 유급휴가 🙂 — 한빛정밀㈜"


async def test_korean_text_and_json_round_trip(any_runtime: Runtime) -> None:
    async with any_runtime.sessionmaker() as session:
        event = await service.record(
            session, "test.korean", actor_name="홍길동", details={"질문": KOREAN, "n": 3}
        )
        await session.commit()
        event_id = event.id
    async with any_runtime.sessionmaker() as session:
        loaded = await session.get(AuditEvent, event_id)
        assert loaded is not None
        assert loaded.actor_name == "홍길동"
        assert loaded.details == {"질문": KOREAN, "n": 3}
        assert loaded.at.tzinfo is not None
        assert abs((datetime.now(UTC) - loaded.at).total_seconds()) < 60


async def test_rollback_writes_nothing_but_record_now_survives(any_runtime: Runtime) -> None:
    with pytest.raises(RuntimeError):
        async with any_runtime.sessionmaker() as session:
            await service.record_now(any_runtime.sessionmaker, "test.denied", outcome="denied")
            await service.record(session, "test.rolled_back")
            raise RuntimeError("request failed")
    async with any_runtime.sessionmaker() as session:
        actions = {e.action for e in await repository.list_events(session)}
        count = await session.scalar(select(func.count()).select_from(AuditEvent))
    assert actions == {"test.denied"}
    assert count == 1


async def test_audit_paging_newest_first(any_runtime: Runtime) -> None:
    async with any_runtime.sessionmaker() as session:
        for index in range(5):
            await service.record(session, f"test.{index}")
        await session.commit()
    async with any_runtime.sessionmaker() as session:
        first = await repository.list_events(session, limit=2)
        second = await repository.list_events(session, limit=2, before_id=first[-1].id)
    assert [e.action for e in first] == ["test.4", "test.3"]
    assert [e.action for e in second] == ["test.2", "test.1"]

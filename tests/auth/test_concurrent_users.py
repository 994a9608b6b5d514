"""Creating users concurrently: no deadlock, no 503 (issue 19, item 5).

On MariaDB, `set_roles` used to delete the new user's (absent) role rows and then insert them:
the delete takes a gap lock, two transactions whose user ids fall in the same gap each wait for
the other's gap lock to insert, and one dies with 1213 (deadlock) -> 503.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from dari.auth import repository as repo
from dari.auth.models import User, user_roles
from dari.auth.service import ensure_builtin_roles
from dari.config.database import DatabaseSettings
from dari.core.runtime import build_runtime
from tests.conftest import clear_tables, make_settings
from tests.fixtures.auth import MakeUser, auth_headers

USERS = 200
AT_ONCE = 4


async def test_200_users_created_4_at_a_time(any_client: httpx.AsyncClient, make_user: MakeUser):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    _, token = await make_user(runtime, username="boss", roles=("admin",))
    headers = auth_headers(token)
    gate = asyncio.Semaphore(AT_ONCE)

    async def create(index: int) -> httpx.Response:
        async with gate:
            return await any_client.post(
                "/api/admin/users",
                json={"username": f"user{index:03d}", "roles": ["employee", "manager"]},
                headers=headers,
            )

    responses = await asyncio.gather(*(create(i) for i in range(USERS)))
    failed = [(r.status_code, r.text[:200]) for r in responses if r.status_code != 201]
    assert failed == []
    assert all(r.json()["roles"] == ["employee", "manager"] for r in responses)
    async with runtime.sessionmaker() as session:
        rows = await session.scalar(select(func.count()).select_from(user_roles))
    assert rows == USERS * 2 + 1  # and the admin's own role


async def test_interleaved_role_writes_do_not_deadlock(mariadb_database: str, tmp_path: Path):
    """The deadlock, step by step: A's role rows are written, B's insert waits on A's gap lock,
    then A writes roles for a third new user into B's gap. Delete-then-insert deadlocks (1213)
    every time; writing only the missing rows takes no gap lock."""
    settings = make_settings(tmp_path, database=DatabaseSettings(url=mariadb_database))
    runtime = build_runtime(settings)
    try:
        async with runtime.sessionmaker() as setup:
            await ensure_builtin_roles(setup)
            await setup.commit()
        first, second = runtime.sessionmaker(), runtime.sessionmaker()
        for session in (first, second):
            # A wait that is not a deadlock fails fast instead of hanging the test for 50 s.
            await session.execute(text("SET SESSION innodb_lock_wait_timeout = 5"))

        async def new_user(session: AsyncSession, name: str, number: int) -> None:
            # Ids in a fixed order (alpha < charlie < bravo): bravo and charlie share a gap.
            user_id = f"{number:08d}-0000-4000-8000-000000000000"
            user = User(id=user_id, username=name, display_name=name, attributes={}, is_active=True)
            session.add(user)
            await session.flush()
            await repo.set_roles(session, user.id, ["employee"])

        await new_user(first, "alpha", 1)
        waiting = asyncio.create_task(new_user(second, "bravo", 3))
        await asyncio.sleep(0.5)  # bravo's insert now waits (before the fix) on alpha's gap lock
        await new_user(first, "charlie", 2)
        await first.commit()
        await waiting
        await second.commit()
        async with runtime.sessionmaker() as session:
            rows = await session.scalar(select(func.count()).select_from(user_roles))
        assert rows == 3
    finally:
        await first.close()
        await second.close()
        await clear_tables(runtime)
        await runtime.close()

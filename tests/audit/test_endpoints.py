"""`GET /api/admin/audit`: newest first, keyset pages, filters, permissions."""

from __future__ import annotations

import httpx

from dari.audit import service
from tests.auth.conftest import assert_problem
from tests.fixtures.auth import MakeUser, auth_headers


async def test_audit_pager(any_client: httpx.AsyncClient, make_user: MakeUser):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    _, token = await make_user(runtime, username="auditor", roles=(), permissions=["admin:audit"])
    async with runtime.sessionmaker() as session:
        for index in range(5):
            await service.record(
                session, "test.event", actor_name="홍길동", subject_id=str(index),
                outcome="ok" if index % 2 else "denied", details={"n": index},
            )  # fmt: skip
        await service.record(session, "other.event")
        await session.commit()
    headers = auth_headers(token)
    first = await any_client.get("/api/admin/audit?limit=2&action=test.event", headers=headers)
    assert first.status_code == 200
    page = first.json()
    assert [e["subject_id"] for e in page["items"]] == ["4", "3"]
    assert page["items"][0]["actor_name"] == "홍길동" and page["items"][0]["details"] == {"n": 4}
    seen = [e["subject_id"] for e in page["items"]]
    while page["next_before_id"] is not None:
        page = (
            await any_client.get(
                f"/api/admin/audit?limit=2&action=test.event&before_id={page['next_before_id']}",
                headers=headers,
            )
        ).json()
        seen += [e["subject_id"] for e in page["items"]]
    assert seen == ["4", "3", "2", "1", "0"]
    denied = (
        await any_client.get("/api/admin/audit?action=test.event&outcome=denied", headers=headers)
    ).json()
    assert [e["subject_id"] for e in denied["items"]] == ["4", "2", "0"]
    everything = (await any_client.get("/api/admin/audit", headers=headers)).json()
    assert everything["items"][0]["action"] == "other.event"


async def test_audit_needs_permission(client: httpx.AsyncClient, make_user: MakeUser):
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    _, employee = await make_user(runtime, username="kim")
    _, user_admin = await make_user(runtime, username="hr", roles=(), permissions=["admin:users"])
    assert_problem(await client.get("/api/admin/audit"), 401)
    assert_problem(await client.get("/api/admin/audit", headers=auth_headers(employee)), 403)
    response = await client.get("/api/admin/audit", headers=auth_headers(user_admin))
    assert response.status_code == 200
    # The employee's denial is itself in the log.
    assert any(e["action"] == "auth.denied" for e in response.json()["items"])


async def test_audit_bad_query(client: httpx.AsyncClient, make_user: MakeUser):
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    _, token = await make_user(runtime, username="boss", roles=("admin",))
    headers = auth_headers(token)
    for query in (
        "limit=0",
        "limit=100000",
        "before_id=abc",
        "outcome=maybe",
        "action=" + "a" * 65,
    ):
        assert_problem(await client.get(f"/api/admin/audit?{query}", headers=headers), 422)


async def test_audit_subject_and_time_filters(client: httpx.AsyncClient, make_user: MakeUser):
    from datetime import UTC, datetime, timedelta

    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    _, token = await make_user(runtime, username="auditor2", roles=(), permissions=["admin:audit"])
    async with runtime.sessionmaker() as session:
        await service.record(session, "test.subject", subject_id="doc-1")
        await service.record(session, "test.subject", subject_id="doc-2")
        await session.commit()
    headers = auth_headers(token)
    only = (await client.get("/api/admin/audit?subject_id=doc-2", headers=headers)).json()
    assert [e["subject_id"] for e in only["items"]] == ["doc-2"]
    future = (datetime.now(UTC) + timedelta(hours=1)).replace(tzinfo=None).isoformat()
    none = (await client.get(f"/api/admin/audit?since={future}", headers=headers)).json()
    assert none["items"] == []
    past = await client.get(f"/api/admin/audit?until={future}&subject_id=doc-1", headers=headers)
    assert [e["subject_id"] for e in past.json()["items"]] == ["doc-1"]
    bad = await client.get("/api/admin/audit?since=yesterday", headers=headers)
    assert bad.status_code == 422

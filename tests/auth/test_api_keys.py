"""API keys: shown once, hashed, narrowed permissions, revocable, last-used recorded."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from dari.auth.models import ApiKey
from tests.auth.conftest import assert_problem, audit_rows
from tests.fixtures.auth import MakeUser, auth_headers


async def _create(client: httpx.AsyncClient, token: str, **body: object) -> httpx.Response:
    return await client.post("/api/admin/api-keys", json=body, headers=auth_headers(token))


async def test_api_key_lifecycle(any_client: httpx.AsyncClient, make_user: MakeUser):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    admin, admin_token = await make_user(runtime, username="boss", roles=("admin",))
    owner, _ = await make_user(runtime, username="erpbot", roles=("manager",), department="IT")
    created = await _create(
        any_client, admin_token, user_id=owner.user_id, name="ERP 연동",
        permissions=["erp:sales_by_region", "docs:read"],
    )  # fmt: skip
    assert created.status_code == 201, created.text
    body = created.json()
    secret = body["key"]
    assert secret.startswith("dari_") and body["prefix"] == secret[:11]
    async with runtime.sessionmaker() as session:
        stored = (await session.scalars(select(ApiKey))).one()
    assert secret not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64

    me = await any_client.get("/api/me", headers=auth_headers(secret))
    assert me.status_code == 200
    data = me.json()
    assert data["username"] == "erpbot" and data["api_key_id"] == body["id"]
    assert data["permissions"] == ["docs:read", "erp:sales_by_region"]  # narrowed
    assert data["department"]["name"] == "IT"

    listed = (await any_client.get("/api/admin/api-keys", headers=auth_headers(admin_token))).json()
    assert listed[0]["last_used_at"] is not None and "key" not in listed[0]
    # A key cannot do what its permissions do not allow, nor change the owner's password.
    assert_problem(await any_client.get("/api/admin/users", headers=auth_headers(secret)), 403)
    change = await any_client.post(
        "/api/me/password",
        json={"current_password": "whatever-123", "new_password": "whatever-456"},
        headers=auth_headers(secret),
    )
    assert_problem(change, 403)

    revoked = await any_client.delete(
        f"/api/admin/api-keys/{body['id']}", headers=auth_headers(admin_token)
    )
    assert revoked.status_code == 204
    assert_problem(await any_client.get("/api/me", headers=auth_headers(secret)), 401)
    actions = [e.action for e in await audit_rows(runtime) if e.actor_id == admin.user_id]
    assert "api_key.create" in actions and "api_key.revoke" in actions


async def test_key_cannot_exceed_owner(client: httpx.AsyncClient, make_user: MakeUser):
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    _, admin_token = await make_user(runtime, username="boss", roles=("admin",))
    owner, _ = await make_user(runtime, username="kim", roles=("employee",))
    response = await _create(
        client, admin_token, user_id=owner.user_id, name="x", permissions=["admin:users"]
    )
    body = assert_problem(response, 422)
    assert body["permissions"] == ["admin:users"]
    bad = await _create(client, admin_token, user_id=owner.user_id, name="x", permissions=["; --"])
    assert_problem(bad, 422)


async def test_key_follows_owner(client: httpx.AsyncClient, make_user: MakeUser):
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    _, admin_token = await make_user(runtime, username="boss", roles=("admin",))
    owner, _ = await make_user(runtime, username="kim", roles=("manager",))
    secret = (
        await _create(client, admin_token, user_id=owner.user_id, name="k",
                      permissions=["docs:manage", "docs:read"])
    ).json()["key"]  # fmt: skip
    # The owner is demoted: the key loses what the owner lost.
    await client.put(
        f"/api/admin/users/{owner.user_id}/roles", json={"roles": ["employee"]},
        headers=auth_headers(admin_token),
    )  # fmt: skip
    me = (await client.get("/api/me", headers=auth_headers(secret))).json()
    assert me["permissions"] == ["docs:read"]
    # The owner is deactivated: the key stops working.
    await client.patch(
        f"/api/admin/users/{owner.user_id}", json={"is_active": False},
        headers=auth_headers(admin_token),
    )  # fmt: skip
    assert_problem(await client.get("/api/me", headers=auth_headers(secret)), 401)
    for fake in ("dari_", "dari_" + "x" * 43, "dari_" + "y" * 500):
        assert_problem(await client.get("/api/me", headers=auth_headers(fake)), 401)

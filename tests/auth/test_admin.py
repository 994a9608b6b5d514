"""Admin endpoints: users, roles, departments, sessions — permissions and audit rows."""

from __future__ import annotations

import httpx

from tests.auth.conftest import assert_problem, audit_rows, tokens
from tests.fixtures.auth import TEST_PASSWORD, MakeUser, auth_headers


async def test_admin_manages_users(any_client: httpx.AsyncClient, make_user: MakeUser):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    admin, token = await make_user(runtime, username="boss", roles=("admin",))
    headers = auth_headers(token)
    dept = await any_client.post(
        "/api/admin/departments", json={"code": "S1", "name": "영업1팀"}, headers=headers
    )
    assert dept.status_code == 201
    created = await any_client.post(
        "/api/admin/users",
        json={"username": "hong", "password": "hong-password-1", "display_name": "홍길동",
              "department": "S1", "roles": ["manager"], "attributes": {"sales_region": "서울"}},
        headers=headers,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["roles"] == ["manager"] and user["department_id"] == dept.json()["id"]
    assert "hong-password-1" not in created.text and "argon2" not in created.text
    duplicate = await any_client.post(
        "/api/admin/users", json={"username": "hong", "password": "hong-password-1"},
        headers=headers,
    )  # fmt: skip
    assert assert_problem(duplicate, 409)["code"] == "username_taken"

    page = (await any_client.get("/api/admin/users?q=홍", headers=headers)).json()
    assert [u["username"] for u in page["items"]] == ["hong"] and page["total"] == 1
    literal = (await any_client.get("/api/admin/users?q=%25", headers=headers)).json()
    assert literal["total"] == 0  # LIKE wildcards are matched literally

    hong = await tokens(any_client, "hong", "hong-password-1")
    me = (await any_client.get("/api/me", headers=auth_headers(hong["access_token"]))).json()
    assert me["department"]["name"] == "영업1팀" and "erp:*" in me["permissions"]

    reset = await any_client.post(
        f"/api/admin/users/{user['id']}/password", json={"password": "brand-new-pass-9"},
        headers=headers,
    )  # fmt: skip
    assert reset.status_code == 204
    assert_problem(await any_client.get("/api/me", headers=auth_headers(hong["access_token"])), 401)
    await tokens(any_client, "hong", "brand-new-pass-9")

    moved = await any_client.put(
        f"/api/admin/users/{user['id']}/department", json={"department": None}, headers=headers
    )
    assert moved.json()["department_id"] is None
    actions = [e.action for e in await audit_rows(runtime) if e.actor_id == admin.user_id]
    assert actions == [
        "department.create", "user.create", "user.password_reset", "user.department",
    ]  # fmt: skip


async def test_bad_admin_input(client: httpx.AsyncClient, make_user: MakeUser):
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    _, token = await make_user(runtime, username="boss", roles=("admin",))
    headers = auth_headers(token)
    cases = [
        ({"username": "a' OR 1=1 --", "password": "long-password-1"}, 422, "invalid_username"),
        ({"username": "kim", "password": "short"}, 422, "weak_password"),
        ({"username": "kim", "password": "kim"}, 422, "weak_password"),
        ({"username": "kim", "password": "long-password-1", "roles": ["ghost"]}, 404, None),
        ({"username": "kim", "password": "long-password-1", "department": "없음"}, 404, None),
        ({"username": "k" * 100, "password": "long-password-1"}, 422, "validation_error"),
    ]
    for body, status, code in cases:
        response = await client.post("/api/admin/users", json=body, headers=headers)
        problem = assert_problem(response, status)
        if code:
            assert problem["code"] == code, body
    assert_problem(await client.get("/api/admin/users/nope", headers=headers), 404)


async def test_non_admin_is_forbidden_and_audited(any_client: httpx.AsyncClient, make_user):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    user, token = await make_user(runtime, username="kim", roles=("manager",))
    response = await any_client.get("/api/admin/users", headers=auth_headers(token))
    assert assert_problem(response, 403)["code"] == "forbidden"
    denied = await audit_rows(runtime, "auth.denied")
    assert denied[0].actor_id == user.user_id and denied[0].subject_id == "GET /api/admin/users"
    assert_problem(await any_client.get("/api/admin/users"), 401)


async def test_user_admin_cannot_escalate(client: httpx.AsyncClient, make_user: MakeUser):
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    helper, token = await make_user(
        runtime, username="hr", roles=("employee",), permissions=["admin:users"]
    )
    headers = auth_headers(token)
    grab = await client.put(
        f"/api/admin/users/{helper.user_id}/roles", json={"roles": ["admin"]}, headers=headers
    )
    assert_problem(grab, 403)
    role = await client.post(
        "/api/admin/roles", json={"name": "god", "permissions": ["*"]}, headers=headers
    )
    assert_problem(role, 403)
    allowed = await client.post(
        "/api/admin/roles", json={"name": "reader", "permissions": ["docs:read"]},
        headers=headers,
    )  # fmt: skip
    assert allowed.status_code == 201


async def test_roles(any_client: httpx.AsyncClient, make_user: MakeUser):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    _, token = await make_user(runtime, username="boss", roles=("admin",))
    headers = auth_headers(token)
    roles = {
        r["name"]: r for r in (await any_client.get("/api/admin/roles", headers=headers)).json()
    }
    assert roles["admin"]["permissions"] == ["*"]
    assert sorted(roles["manager"]["permissions"]) == sorted(
        ["docs:read", "docs:manage", "chat:use", "erp:*", "search:use"]
    )
    assert roles["employee"]["builtin"] is True
    created = await any_client.post(
        "/api/admin/roles",
        json={
            "name": "auditor",
            "description": "감사",
            "permissions": ["admin:audit", "docs:read"],
        },
        headers=headers,
    )
    assert created.status_code == 201
    bad = await any_client.post(
        "/api/admin/roles", json={"name": "x1", "permissions": ["DROP TABLE"]}, headers=headers
    )
    assert assert_problem(bad, 422)["code"] == "invalid_permission"
    builtin = await any_client.patch(
        "/api/admin/roles/employee", json={"permissions": ["*"]}, headers=headers
    )
    assert_problem(builtin, 409)
    _user, user_token = await make_user(runtime, username="kim", roles=("auditor",))
    assert (
        await any_client.get("/api/admin/audit", headers=auth_headers(user_token))
    ).status_code == 200
    changed = await any_client.patch(
        "/api/admin/roles/auditor", json={"permissions": ["docs:read"]}, headers=headers
    )
    assert changed.json()["permissions"] == ["docs:read"]
    # Holders' old tokens stop working, so the narrowed role takes effect at once.
    assert_problem(await any_client.get("/api/me", headers=auth_headers(user_token)), 401)
    events = await audit_rows(runtime, "role.update")
    assert events[0].details["before"] == ["admin:audit", "docs:read"]


async def test_department_tree(client: httpx.AsyncClient, make_user: MakeUser):
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    _, token = await make_user(runtime, username="boss", roles=("admin",))
    headers = auth_headers(token)
    hq = (await client.post("/api/admin/departments", json={"code": "HQ", "name": "본사"},
                            headers=headers)).json()  # fmt: skip
    sales = (await client.post("/api/admin/departments",
                               json={"code": "SALES", "name": "영업본부", "parent": "HQ"},
                               headers=headers)).json()  # fmt: skip
    assert sales["parent_id"] == hq["id"]
    cycle = await client.patch(
        f"/api/admin/departments/{hq['id']}", json={"parent": "SALES"}, headers=headers
    )
    assert assert_problem(cycle, 422)["code"] == "department_cycle"
    dup = await client.post("/api/admin/departments", json={"code": "HQ", "name": "x"},
                            headers=headers)  # fmt: skip
    assert_problem(dup, 409)
    listed = (await client.get("/api/admin/departments", headers=headers)).json()
    assert {d["name"] for d in listed} == {"본사", "영업본부"}


async def test_sessions_list_and_revoke(any_client: httpx.AsyncClient, make_user: MakeUser):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    _, token = await make_user(runtime, username="boss", roles=("admin",))
    user, _ = await make_user(runtime, username="kim", password=TEST_PASSWORD)
    pair = await tokens(any_client, "kim")
    headers = auth_headers(token)
    sessions = (await any_client.get(f"/api/admin/sessions?user_id={user.user_id}",
                                     headers=headers)).json()  # fmt: skip
    assert len(sessions) == 1 and sessions[0]["user_id"] == user.user_id
    revoked = await any_client.delete(f"/api/admin/sessions/{sessions[0]['id']}", headers=headers)
    assert revoked.status_code == 204
    refresh = await any_client.post(
        "/api/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert_problem(refresh, 401)
    assert (await any_client.get(f"/api/admin/sessions?user_id={user.user_id}",
                                 headers=headers)).json() == []  # fmt: skip
    assert_problem(await any_client.delete("/api/admin/sessions/nope", headers=headers), 404)

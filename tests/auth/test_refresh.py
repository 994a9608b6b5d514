"""Refresh-token rotation, reuse detection, logout, deactivation — both backends."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update

from dari.auth.models import RefreshToken
from dari.db.base import utcnow
from tests.auth.conftest import assert_problem, audit_rows, same_problem, tokens
from tests.fixtures.auth import TEST_PASSWORD, MakeUser, auth_headers


async def _refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/auth/refresh", json={"refresh_token": token})


async def test_refresh_rotates(any_client: httpx.AsyncClient, make_user: MakeUser):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    await make_user(runtime, username="kim", password=TEST_PASSWORD)
    first = await tokens(any_client, "kim")
    response = await _refresh(any_client, first["refresh_token"])
    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    me = await any_client.get("/api/me", headers=auth_headers(second["access_token"]))
    assert me.json()["username"] == "kim"
    third = await _refresh(any_client, second["refresh_token"])
    assert third.status_code == 200


async def test_reuse_revokes_the_whole_family(any_client: httpx.AsyncClient, make_user):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    user, _ = await make_user(runtime, username="kim", password=TEST_PASSWORD)
    stolen = await tokens(any_client, "kim")
    other_device = await tokens(any_client, "kim")
    rotated = (await _refresh(any_client, stolen["refresh_token"])).json()
    # The thief replays the old token: refused, and the legitimate new one dies with it.
    reuse = assert_problem(await _refresh(any_client, stolen["refresh_token"]), 401)
    dead = assert_problem(await _refresh(any_client, rotated["refresh_token"]), 401)
    unknown = assert_problem(await _refresh(any_client, "made-up-token"), 401)
    assert same_problem(reuse, unknown) and same_problem(dead, unknown)
    # Another device's session (another family) is untouched.
    assert (await _refresh(any_client, other_device["refresh_token"])).status_code == 200
    events = await audit_rows(runtime, "auth.refresh_reuse")
    assert len(events) == 2
    assert events[0].subject_id == user.user_id and events[0].outcome == "denied"


async def test_expired_refresh_token(any_client: httpx.AsyncClient, make_user: MakeUser):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    await make_user(runtime, username="kim", password=TEST_PASSWORD)
    pair = await tokens(any_client, "kim")
    async with runtime.sessionmaker() as session:
        await session.execute(
            update(RefreshToken).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    assert_problem(await _refresh(any_client, pair["refresh_token"]), 401)


async def test_bad_refresh_bodies(client: httpx.AsyncClient):
    assert_problem(await _refresh(client, ""), 422)
    assert_problem(await _refresh(client, "x" * 600), 422)
    response = await client.post(
        "/api/auth/refresh", content=b"\xff\xfe{", headers={"content-type": "application/json"}
    )
    assert assert_problem(response, 400)["code"] == "bad_request"  # not JSON at all


async def test_logout_revokes_the_session(any_client: httpx.AsyncClient, make_user: MakeUser):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    user, _ = await make_user(runtime, username="kim", password=TEST_PASSWORD)
    pair = await tokens(any_client, "kim")
    response = await any_client.post(
        "/api/auth/logout", json={"refresh_token": pair["refresh_token"]}
    )
    assert response.status_code == 204
    assert_problem(await _refresh(any_client, pair["refresh_token"]), 401)
    # Unknown tokens get the same answer: logout reveals nothing.
    response = await any_client.post("/api/auth/logout", json={"refresh_token": "nope"})
    assert response.status_code == 204
    events = await audit_rows(runtime, "auth.logout")
    assert [e.subject_id for e in events] == [user.user_id]


async def test_deactivated_user_cannot_refresh(any_client: httpx.AsyncClient, make_user):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    _, admin_token = await make_user(runtime, username="boss", roles=("admin",))
    user, _ = await make_user(runtime, username="kim", password=TEST_PASSWORD)
    pair = await tokens(any_client, "kim")
    response = await any_client.patch(
        f"/api/admin/users/{user.user_id}", json={"is_active": False},
        headers=auth_headers(admin_token),
    )  # fmt: skip
    assert response.status_code == 200
    assert_problem(await _refresh(any_client, pair["refresh_token"]), 401)
    assert_problem(await any_client.get("/api/me", headers=auth_headers(pair["access_token"])), 401)
    events = [e.action for e in await audit_rows(runtime)]
    assert "user.deactivate" in events


async def test_change_password(any_client: httpx.AsyncClient, make_user: MakeUser):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    await make_user(runtime, username="kim", password=TEST_PASSWORD)
    pair = await tokens(any_client, "kim")
    headers = auth_headers(pair["access_token"])
    wrong = await any_client.post(
        "/api/me/password",
        json={"current_password": "wrong-one-123", "new_password": "new-password-456"},
        headers=headers,
    )
    assert_problem(wrong, 403)
    weak = await any_client.post(
        "/api/me/password",
        json={"current_password": TEST_PASSWORD, "new_password": "kim"},
        headers=headers,
    )
    assert assert_problem(weak, 422)["code"] == "weak_password"
    same_as_login = await any_client.post(
        "/api/me/password",
        json={"current_password": TEST_PASSWORD, "new_password": "KIM"},
        headers=headers,
    )
    assert_problem(same_as_login, 422)
    ok = await any_client.post(
        "/api/me/password",
        json={"current_password": TEST_PASSWORD, "new_password": "new-password-456"},
        headers=headers,
    )
    assert ok.status_code == 200
    fresh = ok.json()
    # Old sessions and tokens are gone; the returned ones work; the new password works.
    assert_problem(await _refresh(any_client, pair["refresh_token"]), 401)
    assert_problem(await any_client.get("/api/me", headers=headers), 401)
    me = await any_client.get("/api/me", headers=auth_headers(fresh["access_token"]))
    assert me.status_code == 200
    assert (await tokens(any_client, "kim", "new-password-456"))["access_token"]
    assert_problem(
        await any_client.post(
            "/api/auth/token", data={"username": "kim", "password": TEST_PASSWORD}
        ),
        401,
    )

"""`X-Content-Type-Options: nosniff` on every response; `Cache-Control: no-store` on every
response that carries tokens or an API key (issue 14, item 10)."""

from __future__ import annotations

import httpx

from tests.auth.conftest import tokens
from tests.fixtures.auth import TEST_PASSWORD, MakeUser, auth_headers


def assert_no_store(response: httpx.Response) -> None:
    assert response.headers["cache-control"] == "no-store", response.headers
    assert response.headers["pragma"] == "no-cache"


async def test_nosniff_on_json_problems_metrics_and_errors(client: httpx.AsyncClient) -> None:
    app = client.app  # type: ignore[attr-defined]

    @app.get("/test-only/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://dari.test") as raw:
        crashed = await raw.get("/test-only/boom")
    responses = [
        await client.get("/healthz"),
        await client.get("/api/me"),  # 401 problem
        await client.get("/api/nothing-here"),  # 404
        await client.get("/metrics"),
        await client.post("/api/search", content=b"x" * 2_000_000),  # 413 from the middleware
        crashed,  # 500 sent outside the app's middleware
    ]
    assert [r.status_code for r in responses] == [200, 401, 404, 200, 413, 500]
    for response in responses:
        assert response.headers.get_list("x-content-type-options") == ["nosniff"], response


async def test_token_responses_are_not_stored(client: httpx.AsyncClient, make_user: MakeUser):
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    await make_user(runtime, username="kim", password=TEST_PASSWORD)
    login = await client.post(
        "/api/auth/token", data={"username": "kim", "password": TEST_PASSWORD}
    )
    assert login.status_code == 200
    assert_no_store(login)

    refreshed = await client.post(
        "/api/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
    )
    assert refreshed.status_code == 200
    assert_no_store(refreshed)

    changed = await client.post(
        "/api/me/password",
        headers=auth_headers(refreshed.json()["access_token"]),
        json={"current_password": TEST_PASSWORD, "new_password": "another-Passw0rd-다리"},
    )
    assert changed.status_code == 200, changed.text
    assert_no_store(changed)

    me = await client.get("/api/me", headers=auth_headers(changed.json()["access_token"]))
    assert me.status_code == 200 and "no-store" not in me.headers.get("cache-control", "")


async def test_api_key_creation_is_not_stored(client: httpx.AsyncClient, make_user: MakeUser):
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    await make_user(runtime, username="boss", roles=("admin",), password=TEST_PASSWORD)
    worker, _ = await make_user(runtime, username="lee")
    admin_token = (await tokens(client, "boss"))["access_token"]
    created = await client.post(
        "/api/admin/api-keys",
        headers=auth_headers(admin_token),
        json={"user_id": worker.user_id, "name": "봇", "permissions": ["docs:read"]},
    )
    assert created.status_code == 201, created.text
    assert created.json()["key"].startswith("dari_")
    assert_no_store(created)

"""Sign-in: tokens, identical failures, lockout, bad form input — on SQLite and MariaDB+Redis."""

from __future__ import annotations

import httpx
import pytest

from dari.auth.ratelimit import LoginLimiter
from dari.config.auth import AuthSettings
from tests.auth.conftest import assert_problem, audit_rows, client_for, login, same_problem
from tests.conftest import make_settings
from tests.fixtures.auth import TEST_PASSWORD, MakeUser, auth_headers
from tests.fixtures.waiting import eventually


async def test_login_returns_tokens_and_me(any_client: httpx.AsyncClient, make_user: MakeUser):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    await make_user(
        runtime,
        username="kim",
        department="영업1팀",
        parent="영업본부",
        attributes={"erp_employee_code": "E1001", "sales_region": "서울"},
        password=TEST_PASSWORD,
        display_name="김철수",
    )
    response = await login(any_client, "kim")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["refresh_token"] and body["access_token"].count(".") == 2

    me = (await any_client.get("/api/me", headers=auth_headers(body["access_token"]))).json()
    assert me["username"] == "kim" and me["display_name"] == "김철수"
    assert me["department"]["name"] == "영업1팀"
    assert len(me["department_path"]) == 2 and me["department_path"][-1] == me["department"]["id"]
    assert me["roles"] == ["employee"]
    assert "docs:read" in me["permissions"] and "docs:manage" not in me["permissions"]
    assert me["attributes"] == {"erp_employee_code": "E1001", "sales_region": "서울"}
    events = await audit_rows(runtime, "auth.login")
    assert [(e.outcome, e.actor_name) for e in events] == [("ok", "kim")]


async def test_unknown_user_and_wrong_password_look_the_same(
    any_client: httpx.AsyncClient, make_user: MakeUser
):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    await make_user(runtime, username="kim", password=TEST_PASSWORD)
    await make_user(runtime, username="gone", password=TEST_PASSWORD)
    async with runtime.sessionmaker() as session:
        from dari.auth import repository

        user = await repository.get_user_by_username(session, "gone")
        assert user is not None
        user.is_active = False
        await session.commit()

    wrong = assert_problem(await login(any_client, "kim", "wrong-password-123"), 401)
    unknown = assert_problem(await login(any_client, "nobody", "wrong-password-123"), 401)
    inactive = assert_problem(await login(any_client, "gone", TEST_PASSWORD), 401)
    assert same_problem(wrong, unknown) and same_problem(wrong, inactive)
    assert wrong["code"] == "invalid_credentials"
    failed = await audit_rows(runtime, "auth.login")
    assert [(e.outcome, e.actor_name) for e in failed] == [
        ("failed", "kim"),
        ("failed", "nobody"),
        ("failed", "gone"),
    ]


@pytest.mark.parametrize(
    "username",
    ["admin' OR '1'='1", "kim'; DROP TABLE auth_users; --", "*)(uid=*))(|(uid=*", "kim%", "kim_"],
)
async def test_injection_looking_usernames_are_plain_failures(
    client: httpx.AsyncClient, make_user: MakeUser, username: str
):
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    await make_user(runtime, username="kim", password=TEST_PASSWORD)
    body = assert_problem(await login(client, username, TEST_PASSWORD), 401)
    assert body["code"] == "invalid_credentials"
    assert (await login(client, "kim")).status_code == 200  # the table is still there
    events = await audit_rows(runtime, "auth.login")
    assert events[0].actor_name == username and events[0].outcome == "failed"


async def test_user_locked_after_five_failures(any_client: httpx.AsyncClient, make_user: MakeUser):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    await make_user(runtime, username="kim", password=TEST_PASSWORD)
    for _ in range(5):
        assert (await login(any_client, "kim", "wrong-password-1")).status_code == 401
    locked = await login(any_client, "kim")  # even the right password is refused now
    body = assert_problem(locked, 429)
    assert body["code"] == "too_many_attempts"
    assert 1 <= int(locked.headers["retry-after"]) <= 900
    outcomes = [e.outcome for e in await audit_rows(runtime, "auth.login")]
    assert outcomes == ["failed"] * 5 + ["locked"]
    # Another user from the same address is not affected (the IP limit is 20).
    await make_user(runtime, username="lee", password=TEST_PASSWORD)
    assert (await login(any_client, "lee")).status_code == 200


async def test_ip_locked_after_limit_and_lock_lifts(tmp_path, sqlite_template, make_user):
    import shutil

    shutil.copy(sqlite_template, tmp_path / "dari.db")
    settings = make_settings(tmp_path, auth=AuthSettings(max_failures_per_ip=3, lockout_window_s=1))
    async with client_for(settings) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        await make_user(runtime, username="kim", password=TEST_PASSWORD)
        for name in ("a1", "a2", "a3"):
            assert (await login(client, name, "wrong-password-1")).status_code == 401
        response = await login(client, "kim")
        assert_problem(response, 429)
        assert response.headers["retry-after"] == "1"
        # The window that locked the address ends (ASGITransport's client is 127.0.0.1).
        limiter = LoginLimiter(runtime.cache, settings.auth)

        async def lifted() -> bool:
            return await limiter.retry_after("kim", "127.0.0.1") is None

        await eventually(lifted, timeout=5, what="the lock to lift")
        assert (await login(client, "kim")).status_code == 200


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"username=" + b"a" * 151 + b"&password=xxxxxxxxxxxx", "username"),
        (b"username=kim&password=" + b"p" * 5000, "password"),
        (b"username=%FF%FEkim&password=xxxxxxxxxxxx", None),
        (b"username=kim&password=ab%C3%28cdefghij", None),
        (b"username=kim%00&password=xxxxxxxxxxxx", None),
        (b"username=\xff\xfekim&password=xxxxxxxxxxxx", None),
        (b"username=\xea\xb9&password=xxxxxxxxxxxx", None),
        (b"username=&password=xxxxxxxxxxxx", "username"),
        (b"password=xxxxxxxxxxxx", "username"),
        (b"username=kim&password=xxxxxxxxxxxx&grant_type=client_credentials", "grant_type"),
    ],
)
async def test_bad_form_fields_get_422(
    client: httpx.AsyncClient, content: bytes, field: str | None
):
    response = await client.post(
        "/api/auth/token",
        content=content,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    body = assert_problem(response, 422)
    if field:
        assert any(field in e["loc"] for e in body["errors"])
    assert "xxxxxxxxxxxx" not in response.text and "ppppp" not in response.text


async def test_oversized_or_wrong_type_bodies(client: httpx.AsyncClient):
    huge = b"username=" + b"a" * 2_000_000 + b"&password=xxxxxxxxxxxx"
    form = {"content-type": "application/x-www-form-urlencoded"}
    assert_problem(await client.post("/api/auth/token", content=huge, headers=form), 413)
    json_body = await client.post("/api/auth/token", json={"username": "kim", "password": "x"})
    assert_problem(json_body, 415)
    many = b"&".join(b"f%d=1" % i for i in range(50))
    assert_problem(await client.post("/api/auth/token", content=many, headers=form), 422)


async def test_raw_utf8_korean_password(client: httpx.AsyncClient, make_user: MakeUser):
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    await make_user(runtime, username="kim", password=TEST_PASSWORD)
    raw = b"username=kim&password=" + TEST_PASSWORD.encode()  # not percent-encoded
    response = await client.post(
        "/api/auth/token",
        content=raw,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text


async def test_multipart_form_login(client: httpx.AsyncClient, make_user: MakeUser):
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    await make_user(runtime, username="kim", password=TEST_PASSWORD)
    response = await client.post(
        "/api/auth/token", files={"username": (None, "kim"), "password": (None, TEST_PASSWORD)}
    )
    assert response.status_code == 200

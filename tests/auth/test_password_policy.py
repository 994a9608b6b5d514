"""Password policy: no whitespace-only, control-character, one-character or common passwords,
with a Korean reason; every password accepted at creation signs in (issue 14, item 7)."""

from __future__ import annotations

import random

import httpx
import pytest

from dari.auth import repository
from dari.auth.passwords import policy_problem
from dari.auth.service import get_auth
from dari.demo.company import DEMO_PASSWORD
from tests.auth.conftest import assert_problem, login, tokens
from tests.fixtures.auth import TEST_PASSWORD, MakeUser, auth_headers

REFUSED = [
    (" " * 10, "공백"),
    ("\t" * 10, "제어 문자"),
    ("correct-horse\nstaple", "제어 문자"),
    ("pass\x00word-long-enough", "제어 문자"),
    ("aaaaaaaaaa", "되풀이"),
    ("가가가가가가가가가가", "되풀이"),
    ("password123", "흔하거나"),
    ("qwerty12345", "흔하거나"),
    ("1234567890", "흔하거나"),
    ("P@ssw0rd2026", "흔하거나"),
    ("iloveyou12", "흔하거나"),
    ("hong12345678", "흔하거나"),  # the login id with a few digits
]
# Accepted by the policy, and each must then sign in through the form.
ACCEPTED = [
    DEMO_PASSWORD,
    TEST_PASSWORD,
    "한빛 다리 연차 2026",
    "  leading and trailing  ",
    "a&b=c+d%20e;f?g#h/i",
    "🔑 열쇠 key 🗝️ 2026",
    "ÅngströmÜberß-9",
    # The longest allowed: 1,024 Hangul syllables, 9 KiB percent-encoded, within the form limit.
    "".join(random.Random(7).choices("가나다라마바사아자차카타파하각난닫랄맘밥삿앙잦", k=1024)),
]


async def admin_token(client: httpx.AsyncClient, make_user: MakeUser) -> str:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    await make_user(runtime, username="boss", roles=("admin",), password=TEST_PASSWORD)
    return str((await tokens(client, "boss"))["access_token"])


@pytest.mark.parametrize(("password", "reason"), REFUSED)
def test_policy_names_what_is_wrong(password: str, reason: str) -> None:
    problem = policy_problem(password, "hong", 10, min_score=2)
    assert problem is not None and reason in problem, problem


def test_policy_can_be_relaxed_but_not_below_the_basics() -> None:
    assert policy_problem("password123", "hong", 10, min_score=0) is None
    assert policy_problem("\t" * 10, "hong", 10, min_score=0) is not None
    assert policy_problem("aaaaaaaaaa", "hong", 10, min_score=0) is not None


async def test_admin_create_refuses_weak_passwords(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    headers = auth_headers(await admin_token(client, make_user))
    for password, reason in REFUSED:
        response = await client.post(
            "/api/admin/users", headers=headers, json={"username": "hong", "password": password}
        )
        body = assert_problem(response, 422)
        assert body["code"] == "weak_password" and reason in body["detail"], (password, body)
    names = await client.get("/api/admin/users", headers=headers)
    assert [u["username"] for u in names.json()["items"]] == ["boss"]


async def test_display_name_counts_as_guessable(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    headers = auth_headers(await admin_token(client, make_user))
    response = await client.post(
        "/api/admin/users",
        headers=headers,
        json={"username": "sj", "display_name": "seojun", "password": "seojun1234"},
    )
    assert assert_problem(response, 422)["code"] == "weak_password"


async def test_resets_and_own_changes_follow_the_same_policy(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    headers = auth_headers(await admin_token(client, make_user))
    user, _ = await make_user(runtime, username="kim", password=TEST_PASSWORD)
    reset = await client.post(
        f"/api/admin/users/{user.user_id}/password", headers=headers, json={"password": " " * 12}
    )
    assert "공백" in assert_problem(reset, 422)["detail"]
    access = (await tokens(client, "kim"))["access_token"]
    own = await client.post(
        "/api/me/password",
        headers=auth_headers(access),
        json={"current_password": TEST_PASSWORD, "new_password": "\t" * 12},
    )
    assert "제어 문자" in assert_problem(own, 422)["detail"]
    assert (await login(client, "kim")).status_code == 200  # unchanged


async def test_every_accepted_password_signs_in(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    headers = auth_headers(await admin_token(client, make_user))
    for n, password in enumerate(ACCEPTED):
        username = f"user{n}"
        created = await client.post(
            "/api/admin/users", headers=headers, json={"username": username, "password": password}
        )
        assert created.status_code == 201, (password[:20], created.text)
        signed_in = await login(client, username, password)
        assert signed_in.status_code == 200, (password[:20], signed_in.text)
        as_multipart = await client.post(
            "/api/auth/token", files={"username": (None, username), "password": (None, password)}
        )
        assert as_multipart.status_code == 200, (password[:20], as_multipart.text)


async def test_a_control_character_password_set_before_the_policy_still_signs_in(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    await make_user(runtime, username="kim", password=TEST_PASSWORD)
    legacy = "\t" * 10  # accepted by the old policy: its owner must not get 422 at sign-in
    async with runtime.sessionmaker() as session:
        user = await repository.get_user_by_username(session, "kim")
        assert user is not None
        user.password_hash = await get_auth(runtime).passwords.hash(legacy)
        await session.commit()
    assert (await login(client, "kim", legacy)).status_code == 200
    assert (await login(client, "kim", "\t" * 9 + " ")).status_code == 401
    # The login id itself is still read strictly.
    assert_problem(await login(client, "kim\t", legacy), 422)

"""Lockout that a stranger cannot turn against the rightful user, and client addresses that a
client cannot choose (issue 14, item 9)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from dari.config.auth import AuthSettings
from dari.config.server import ServerSettings
from tests.auth.conftest import assert_problem, audit_rows, client_for
from tests.conftest import make_settings
from tests.fixtures.auth import TEST_PASSWORD, MakeUser

ATTACKER = "203.0.113.9"
USER = "198.51.100.7"
WRONG = "wrong-password-1"


@pytest.fixture
def fresh_db(tmp_path: Path, sqlite_template: Path) -> Path:
    shutil.copy(sqlite_template, tmp_path / "dari.db")
    return tmp_path


def settings_for(data_dir: Path, *, trusted: str = "", **auth: Any) -> Any:
    server = ServerSettings(
        env="test", data_dir=data_dir, log_format="text", trusted_proxies=trusted
    )
    return make_settings(data_dir, server=server, auth=AuthSettings(**auth))


async def sign_in(
    client: httpx.AsyncClient, peer: str, password: str, username: str = "kim", **headers: str
) -> httpx.Response:
    """POST /api/auth/token from the TCP peer address `peer`."""
    transport = httpx.ASGITransport(app=client.app, client=(peer, 50000))  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=transport, base_url="http://dari.test") as other:
        return await other.post(
            "/api/auth/token",
            data={"username": username, "password": password},
            headers=headers,
        )


async def test_failures_from_one_address_do_not_lock_the_user_elsewhere(
    any_client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    await make_user(runtime, username="kim", password=TEST_PASSWORD)
    for _ in range(5):
        assert (await sign_in(any_client, ATTACKER, WRONG)).status_code == 401
    locked = await sign_in(any_client, ATTACKER, TEST_PASSWORD)
    assert assert_problem(locked, 429)["code"] == "too_many_attempts"
    # The rightful user, at another address, signs in — and keeps the attacker locked.
    assert (await sign_in(any_client, USER, TEST_PASSWORD)).status_code == 200
    assert (await sign_in(any_client, ATTACKER, TEST_PASSWORD)).status_code == 429
    events = [(e.outcome, e.ip) for e in await audit_rows(runtime, "auth.login")]
    assert events == [("failed", ATTACKER)] * 5 + [
        ("locked", ATTACKER),
        ("ok", USER),
        ("locked", ATTACKER),
    ]


async def test_a_campaign_from_many_addresses_spares_known_addresses(
    fresh_db: Path, make_user: MakeUser
) -> None:
    settings = settings_for(fresh_db, max_failures_per_user=2, max_failures_per_account=4)
    async with client_for(settings) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        await make_user(runtime, username="kim", password=TEST_PASSWORD)
        assert (await sign_in(client, USER, TEST_PASSWORD)).status_code == 200  # her usual PC
        for attacker in ("203.0.113.1", "203.0.113.2"):
            for _ in range(2):
                assert (await sign_in(client, attacker, WRONG)).status_code == 401
        # Four failures for the account: an address never used by her is refused, even with
        # the right password (it could be the attacker's lucky guess) ...
        fresh = await sign_in(client, "203.0.113.3", TEST_PASSWORD)
        assert_problem(fresh, 429)
        assert 3000 < int(fresh.headers["retry-after"]) <= 3600  # the account window: 1 h
        # ... while she still signs in from where she did before.
        assert (await sign_in(client, USER, TEST_PASSWORD)).status_code == 200
        # Another login id is not affected by this account's campaign.
        await make_user(runtime, username="lee", password=TEST_PASSWORD)
        assert (await sign_in(client, "203.0.113.3", TEST_PASSWORD, "lee")).status_code == 200


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    fresh_db: Path, make_user: MakeUser
) -> None:
    async with client_for(settings_for(fresh_db)) as client:  # no trusted proxies (default)
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        await make_user(runtime, username="kim", password=TEST_PASSWORD)
        # Every failure claims another address; all of them count for the real peer.
        for n in range(5):
            forged = {"x-forwarded-for": f"192.0.2.{n}"}
            assert (await sign_in(client, "127.0.0.1", WRONG, **forged)).status_code == 401
        again = await sign_in(
            client, "127.0.0.1", TEST_PASSWORD, **{"x-forwarded-for": "192.0.2.99"}
        )
        assert_problem(again, 429)
        assert {e.ip for e in await audit_rows(runtime, "auth.login")} == {"127.0.0.1"}


async def test_forwarded_for_from_a_trusted_proxy_is_used(
    fresh_db: Path, make_user: MakeUser
) -> None:
    settings = settings_for(fresh_db, trusted="10.0.0.1, 10.0.5.0/24")
    async with client_for(settings) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        await make_user(runtime, username="kim", password=TEST_PASSWORD)
        via_proxy = {"x-forwarded-for": ATTACKER}
        for _ in range(5):
            assert (await sign_in(client, "10.0.0.1", WRONG, **via_proxy)).status_code == 401
        assert (await sign_in(client, "10.0.0.1", TEST_PASSWORD, **via_proxy)).status_code == 429
        # The same proxy forwarding the user from her own address: not locked.
        mine = {"x-forwarded-for": USER}
        assert (await sign_in(client, "10.0.0.1", TEST_PASSWORD, **mine)).status_code == 200
        # A client that puts a fake address first cannot hide: the proxies appended the real
        # one, and the right-most address that is not a trusted proxy counts.
        chain = {"x-forwarded-for": f"{USER}, {ATTACKER}, 10.0.5.7"}
        assert (await sign_in(client, "10.0.0.1", TEST_PASSWORD, **chain)).status_code == 429
        # Another peer's forwarded header is not believed: it is counted as itself.
        other = await sign_in(client, "10.0.9.9", TEST_PASSWORD, **via_proxy)
        assert other.status_code == 200
        ips = [e.ip for e in await audit_rows(runtime, "auth.login")]
        assert ips == [ATTACKER] * 6 + [USER, ATTACKER, "10.0.9.9"]

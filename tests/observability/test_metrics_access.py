"""Who may read `/metrics`: addresses in DARI_METRICS_ALLOW (loopback by default), with the
bearer token when DARI_METRICS_TOKEN is set; proxied requests only through trusted proxies
(issue 14, item 8)."""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from dari.app import create_app
from dari.config.server import ServerSettings
from tests.auth.conftest import assert_problem, client_for
from tests.conftest import make_settings


@pytest.fixture
def fresh_db(tmp_path: Path, sqlite_template: Path) -> Path:
    shutil.copy(sqlite_template, tmp_path / "dari.db")
    return tmp_path


def server(data_dir: Path, **values: Any) -> ServerSettings:
    return ServerSettings(env="test", data_dir=data_dir, log_format="text", **values)


@asynccontextmanager
async def app_client(data_dir: Path, **values: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(make_settings(data_dir, server=server(data_dir, **values))) as client:
        yield client


async def scrape(client: httpx.AsyncClient, peer: str, **headers: str) -> httpx.Response:
    """GET /metrics as if from the TCP peer `peer`."""
    app = client.app  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://dari.test") as other:
        return await other.get("/metrics", headers=headers)


async def test_default_is_loopback_only(fresh_db: Path) -> None:
    async with app_client(fresh_db) as client:
        for peer in ("127.0.0.1", "::1"):
            response = await scrape(client, peer)
            assert response.status_code == 200, peer
            assert "dari_http_requests_total" in response.text
        refused = assert_problem(await scrape(client, "10.1.2.3"), 403)
        assert "DARI_METRICS_ALLOW" in refused["detail"]
        assert "dari_http" not in str(refused)


async def test_allow_list_of_networks(fresh_db: Path) -> None:
    async with app_client(fresh_db, metrics_allow="10.0.0.0/8, 192.168.7.7") as client:
        assert (await scrape(client, "10.1.2.3")).status_code == 200
        assert (await scrape(client, "192.168.7.7")).status_code == 200
        assert (await scrape(client, "::ffff:10.9.9.9")).status_code == 200  # dual-stack form
        assert_problem(await scrape(client, "192.168.7.8"), 403)
        assert_problem(await scrape(client, "127.0.0.1"), 403)  # no longer in the list


async def test_bearer_token(fresh_db: Path) -> None:
    async with app_client(fresh_db, metrics_allow="*", metrics_token="scrape-s3cret") as client:
        missing = await scrape(client, "10.1.2.3")
        assert assert_problem(missing, 401)["code"] == "unauthorized"
        assert missing.headers["www-authenticate"].startswith("Bearer")
        wrong = await scrape(client, "10.1.2.3", authorization="Bearer scrape-s3creT")
        assert_problem(wrong, 401)
        right = await scrape(client, "10.1.2.3", authorization="Bearer scrape-s3cret")
        assert right.status_code == 200 and "dari_http_requests_total" in right.text


async def test_address_and_token_both_apply(fresh_db: Path) -> None:
    async with app_client(fresh_db, metrics_token="scrape-s3cret") as client:
        good = {"authorization": "Bearer scrape-s3cret"}
        assert (await scrape(client, "127.0.0.1", **good)).status_code == 200
        assert_problem(await scrape(client, "10.1.2.3", **good), 403)
        assert_problem(await scrape(client, "127.0.0.1"), 401)


async def test_proxied_scrapes_count_the_real_client(fresh_db: Path) -> None:
    # nginx on the same host forwards an outside client: its peer address is 127.0.0.1.
    async with app_client(fresh_db) as client:
        response = await scrape(client, "127.0.0.1", **{"x-forwarded-for": "203.0.113.5"})
        assert "DARI_TRUSTED_PROXIES" in assert_problem(response, 403)["detail"]
    async with app_client(fresh_db, trusted_proxies="127.0.0.1") as client:
        outside = await scrape(client, "127.0.0.1", **{"x-forwarded-for": "203.0.113.5"})
        assert_problem(outside, 403)
        local = await scrape(client, "127.0.0.1", **{"x-forwarded-for": "127.0.0.1"})
        assert local.status_code == 200


def test_production_warns_when_metrics_are_open_without_a_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def build(**values: Any) -> list[str]:
        caplog.clear()
        settings = make_settings(tmp_path, server=server(tmp_path, **values))
        settings = settings.model_copy(
            update={"server": settings.server.model_copy(update={"env": "production"})}
        )
        with caplog.at_level(logging.WARNING, logger="dari.app"):
            create_app(settings)
        return [r.getMessage() for r in caplog.records if "DARI_METRICS_TOKEN" in r.getMessage()]

    assert build(metrics_allow="10.0.0.0/8")
    assert not build()  # loopback only
    assert not build(metrics_allow="10.0.0.0/8", metrics_token="scrape-s3cret")


def test_bad_addresses_are_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from dari.config import SettingsError, load_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DARI_METRICS_ALLOW", "10.0.0.0/8,prometheus.local")
    with pytest.raises(SettingsError, match="DARI_METRICS_ALLOW"):
        load_settings()
    monkeypatch.delenv("DARI_METRICS_ALLOW")
    monkeypatch.setenv("DARI_TRUSTED_PROXIES", "*")
    with pytest.raises(SettingsError, match="DARI_TRUSTED_PROXIES"):
        load_settings()
    monkeypatch.setenv("DARI_TRUSTED_PROXIES", "10.0.0.1, 10.0.1.0/24")
    assert load_settings().server.trusted_proxies == ["10.0.0.1", "10.0.1.0/24"]

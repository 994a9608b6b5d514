"""Helpers for auth tests: sign in over HTTP, read audit rows, clients with custom settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import select

from dari.app import create_app
from dari.audit.models import AuditEvent
from dari.config import Settings
from dari.core.runtime import Runtime
from tests.fixtures.auth import TEST_PASSWORD

PROBLEM = "application/problem+json"


async def login(
    client: httpx.AsyncClient, username: str, password: str = TEST_PASSWORD, **headers: str
) -> httpx.Response:
    return await client.post(
        "/api/auth/token", data={"username": username, "password": password}, headers=headers
    )


async def tokens(client: httpx.AsyncClient, username: str, password: str = TEST_PASSWORD) -> Any:
    response = await login(client, username, password)
    assert response.status_code == 200, response.text
    return response.json()


async def audit_rows(runtime: Runtime, action: str | None = None) -> list[AuditEvent]:
    async with runtime.sessionmaker() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list((await session.scalars(query)).all())


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert "Traceback" not in response.text
    return body


def same_problem(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two problem bodies equal apart from the request id."""
    strip: Callable[[dict[str, Any]], dict[str, Any]] = lambda d: {  # noqa: E731
        k: v for k, v in d.items() if k != "request_id"
    }
    return strip(a) == strip(b)


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on an app built from `settings` (lifespan run)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://dari.test") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client

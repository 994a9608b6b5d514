import httpx
import pytest

from dari.core.runtime import Runtime


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(response.headers["x-request-id"]) >= 16


async def test_request_id_is_echoed_when_sane(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    bad = await client.get("/healthz", headers={"X-Request-ID": "x" * 200})
    assert bad.headers["x-request-id"] != "x" * 200


async def test_readyz_ok_on_every_backend(any_client: httpx.AsyncClient) -> None:
    response = await any_client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"


async def test_readyz_names_the_failed_part(client: httpx.AsyncClient) -> None:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]

    async def broken() -> None:
        raise ConnectionError("down")

    runtime.readiness["cache"] = broken
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
    assert response.json()["checks"]["database"] == "ok"


async def test_unknown_route_is_problem_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 404 and body["code"] == "not_found"
    assert body["request_id"] == response.headers["x-request-id"]


async def test_unexpected_error_leaks_nothing(client: httpx.AsyncClient) -> None:
    app = client.app  # type: ignore[attr-defined]

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail /etc/passwd")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as raw:
        response = await raw.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "secret" not in response.text and "Traceback" not in response.text


async def test_database_down_gives_503_problem(client: httpx.AsyncClient) -> None:
    from fastapi import APIRouter
    from sqlalchemy import text

    from dari.api.deps import SessionDep

    app = client.app  # type: ignore[attr-defined]
    router = APIRouter()

    @router.get("/needs-db")
    async def needs_db(session: SessionDep) -> dict[str, int]:
        await session.execute(text("SELECT * FROM table_that_is_not_there"))
        return {"ok": 1}

    app.include_router(router)
    response = await client.get("/needs-db")
    assert response.status_code == 503
    assert response.json()["part"] == "database"
    assert "table_that_is_not_there" not in response.text


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_metrics_use_route_templates(client: httpx.AsyncClient, path: str) -> None:
    await client.get(path)
    await client.get("/documents/12345/does-not-exist")
    text = (await client.get("/metrics")).text
    assert f'route="{path}"' in text
    assert "dari_http_request_duration_seconds_bucket" in text
    assert "12345" not in text


async def test_request_session_commits_before_the_response_is_sent(
    client: httpx.AsyncClient,
) -> None:
    from fastapi import APIRouter

    from dari.api.deps import SessionDep
    from dari.audit import service
    from dari.audit.models import AuditEvent

    app = client.app  # type: ignore[attr-defined]
    runtime: Runtime = app.state.runtime
    router = APIRouter()
    seen: dict[str, int] = {}

    @router.post("/write-then-check")
    async def write(session: SessionDep) -> dict[str, int]:
        event = await service.record(session, "test.commit_order")
        seen["id"] = event.id
        return {"id": event.id}

    app.include_router(router)

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            # The client has the status line now: the row must already be committed.
            async with runtime.sessionmaker() as other:
                seen["visible"] = int(await other.get(AuditEvent, seen["id"]) is not None)
            seen["status"] = int(message["status"])  # type: ignore[call-overload]

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/write-then-check", "raw_path": b"/write-then-check",
        "query_string": b"", "root_path": "", "headers": [], "client": ("127.0.0.1", 1),
        "server": ("t", 80),
    }  # fmt: skip
    await app(scope, receive, send)
    assert seen["status"] == 200
    assert seen["visible"] == 1

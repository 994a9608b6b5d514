"""POST /api/search over HTTP: permissions, problem+json for bad input, never a 500."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from dari.core.runtime import Runtime
from dari.search.analyzer import KoreanAnalyzer
from dari.search.service import SEARCH, SearchService
from tests.fixtures.auth import auth_headers
from tests.search.conftest import CORPUS, HashEmbedder, chunk
from tests.search.test_service import make_service


@pytest.fixture
async def service(
    client: httpx.AsyncClient, tmp_path: Path, analyzer: KoreanAnalyzer
) -> SearchService:
    """The app's search service, with the test embedder (this file is about HTTP)."""
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    previous = runtime.peek(SEARCH)
    if previous is not None:
        await previous.close()
    service = make_service(tmp_path / "search", HashEmbedder(), analyzer)
    runtime.put(SEARCH, service)
    for name, text in CORPUS.items():
        tokens = ["dept+:finance"] if name == "sales" else ["public"]
        await service.replace_document(
            f"doc-{name}", [chunk(f"{name}-1", f"doc-{name}", text, tokens)]
        )
    return service


async def test_search_returns_visible_hits(
    client: httpx.AsyncClient, make_user, service: SearchService
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    _, token = await make_user(runtime, username="kim")
    response = await client.post(
        "/api/search",
        json={"query": "출장비 정산은 언제까지?", "k": 3},
        headers=auth_headers(token),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["k"] == 3 and body["hits"][0]["chunk_id"] == "travel-1"
    assert "«출장비»" in body["hits"][0]["highlight"]
    assert all(h["chunk_id"] != "sales-1" for h in body["hits"])
    hidden = await client.post(
        "/api/search", json={"query": "회사 매출"}, headers=auth_headers(token)
    )
    assert "sales-1" not in {h["chunk_id"] for h in hidden.json()["hits"]}


async def test_department_members_see_their_documents(
    client: httpx.AsyncClient, make_user, service: SearchService
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    principal, token = await make_user(runtime, username="lee", department="finance")
    assert any(t.startswith("dept") for t in principal.access_tokens())
    await service.set_access(
        "doc-sales", sorted(t for t in principal.access_tokens() if t.startswith("dept+"))
    )
    response = await client.post(
        "/api/search", json={"query": "회사 매출"}, headers=auth_headers(token)
    )
    assert response.json()["hits"][0]["chunk_id"] == "sales-1"


async def test_requires_authentication(client: httpx.AsyncClient, service: SearchService) -> None:
    response = await client.post("/api/search", json={"query": "매출"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_requires_the_search_permission(
    client: httpx.AsyncClient, make_user, service: SearchService
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    _, token = await make_user(runtime, username="guest", roles=(), permissions=["chat:use"])
    response = await client.post("/api/search", json={"query": "매출"}, headers=auth_headers(token))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("payload", "status", "fragment"),
    [
        ({"query": ""}, 422, "empty"),
        ({"query": "   "}, 422, "empty"),
        ({"query": "가" * 40_000}, 422, "limit"),
        ({"query": "a" * 102_400}, 422, ""),
        ({"query": "매출", "k": 0}, 422, "k must"),
        ({"query": "매출", "k": 10_000}, 422, "k must"),
        ({"query": "매출", "filters": {"owner": "x"}}, 422, "unknown filter"),
        ({"k": 3}, 422, ""),
        ({"query": "매출", "k": "many"}, 422, ""),
    ],
)
async def test_bad_input_is_a_problem(
    client: httpx.AsyncClient,
    make_user,
    service: SearchService,
    payload: dict,
    status: int,
    fragment: str,
) -> None:
    _, token = await make_user(client.app.state.runtime, username="park")  # type: ignore[attr-defined]
    response = await client.post("/api/search", json=payload, headers=auth_headers(token))
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert fragment in body.get("detail", "")
    assert "Traceback" not in response.text


@pytest.mark.parametrize("query", ["?!?!...", "😀🎉👍", "VPN 접속 how to", "USB"])
async def test_odd_but_valid_queries_answer_200(
    client: httpx.AsyncClient, make_user, service: SearchService, query: str
) -> None:
    _, token = await make_user(client.app.state.runtime, username="choi")  # type: ignore[attr-defined]
    response = await client.post(
        "/api/search", json={"query": query, "k": 5}, headers=auth_headers(token)
    )
    assert response.status_code == 200
    assert len(response.json()["hits"]) <= 5

"""Search index, stored originals and the job queue change only after the request commits."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from dari.core.access import AccessList
from dari.core.runtime import Runtime
from dari.db.aftercommit import commit
from dari.documents import repository, service
from dari.documents.pipeline import ingest
from dari.documents.service import search_service, store
from dari.search.service import get_search_service
from tests.documents.test_api import POLICY, runtime_of, settle, upload
from tests.fixtures.auth import auth_headers


async def _commit_fails(self: AsyncSession) -> None:
    raise OperationalError("COMMIT", {}, Exception("disk I/O error"))


@dataclass
class Setup:
    client: httpx.AsyncClient
    admin: str
    document: dict[str, Any]
    sales_tokens: frozenset[str]
    hr_tokens: frozenset[str]
    enqueued: list[dict[str, Any]]


@pytest.fixture
async def setup(client: httpx.AsyncClient, make_user, monkeypatch: pytest.MonkeyPatch) -> Setup:
    runtime = runtime_of(client)
    _, admin = await make_user(runtime, username="admin", roles=("admin",))
    sales, _ = await make_user(runtime, username="lee", department="영업1팀")
    hr, _ = await make_user(runtime, username="park", department="인사팀")
    access = {"public": False, "departments": [sales.department_id]}
    document = (await upload(client, admin, "출장.txt", POLICY.encode(), access)).json()
    await settle(client)
    enqueued: list[dict[str, Any]] = []
    queue = runtime.queue
    original = queue.enqueue

    async def spy(job: str, payload: dict[str, Any], job_id: str | None = None) -> str:
        async with runtime.sessionmaker() as other:  # what a worker would find right now
            row = await repository.get(other, payload["document_id"])
        enqueued.append(
            {**payload, "committed": row is not None and row.version == payload["version"]}
        )
        return await original(job, payload, job_id=job_id)

    monkeypatch.setattr(queue, "enqueue", spy)
    return Setup(client, admin, document, sales.access_tokens(), hr.access_tokens(), enqueued)


async def _failing(
    setup: Setup, monkeypatch: pytest.MonkeyPatch, method: str, path: str, **kwargs: Any
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(AsyncSession, "commit", _commit_fails)
        response = await setup.client.request(
            method, path, headers=auth_headers(setup.admin), **kwargs
        )
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "service_unavailable"


async def _searchable_by(setup: Setup, tokens: frozenset[str]) -> bool:
    hits = await search_service(runtime_of(setup.client)).search(
        "출장 숙박비", access_tokens=tokens
    )
    return any(hit.document_id == setup.document["id"] for hit in hits)


async def test_a_failed_commit_leaves_access_in_search_unchanged(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = f"/api/documents/{setup.document['id']}"
    await _failing(setup, monkeypatch, "PATCH", path, json={"access": {"public": True}})
    assert await _searchable_by(setup, setup.sales_tokens)
    assert not await _searchable_by(setup, setup.hr_tokens)
    current = await setup.client.get(path, headers=auth_headers(setup.admin))
    assert current.json()["access"]["public"] is False


async def test_a_failed_commit_keeps_the_original_and_the_index(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = f"/api/documents/{setup.document['id']}"
    await _failing(setup, monkeypatch, "DELETE", path)
    assert store(runtime_of(setup.client)).exists(setup.document["sha256"])
    assert await _searchable_by(setup, setup.sales_tokens)
    assert (await setup.client.get(path, headers=auth_headers(setup.admin))).status_code == 200
    # Once the commit succeeds, both go.
    deleted = await setup.client.delete(path, headers=auth_headers(setup.admin))
    assert deleted.status_code == 204
    assert not store(runtime_of(setup.client)).exists(setup.document["sha256"])
    assert not await _searchable_by(setup, setup.sales_tokens)


async def test_a_failed_commit_queues_nothing(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _failing(
        setup,
        monkeypatch,
        "POST",
        "/api/documents",
        files={"file": ("새 규정.txt", "새 규정: 재택근무는 주 2회.".encode())},
    )
    await _failing(setup, monkeypatch, "POST", f"/api/documents/{setup.document['id']}/reindex")
    assert setup.enqueued == []
    listed = await setup.client.get("/api/documents", headers=auth_headers(setup.admin))
    assert listed.json()["total"] == 1
    assert listed.json()["items"][0]["status"] == "indexed"
    assert listed.json()["items"][0]["version"] == 1


async def test_ingestion_is_queued_only_after_the_commit(setup: Setup) -> None:
    created = await upload(setup.client, setup.admin, "새 규정.txt", "재택근무는 주 2회.".encode())
    assert created.status_code == 201
    reindexed = await setup.client.post(
        f"/api/documents/{setup.document['id']}/reindex", headers=auth_headers(setup.admin)
    )
    assert reindexed.status_code == 202
    assert [job["committed"] for job in setup.enqueued] == [True, True]
    await settle(setup.client)


async def test_a_job_for_a_missing_document_does_not_wait(setup: Setup) -> None:
    started = time.perf_counter()
    assert await ingest(runtime_of(setup.client), str(uuid.uuid4()), 1) == "skipped"
    assert time.perf_counter() - started < 3


async def test_a_document_deleted_while_indexing_leaves_nothing_in_search(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    search = get_search_service(runtime)
    await search.start()
    async with runtime.sessionmaker() as session:
        document, _, _ = await service.upload(
            session,
            runtime,
            data=POLICY.encode(),
            filename="여비.txt",
            access=AccessList(),
            uploader=None,
        )
        await commit(session)
    real = search.replace_document

    async def deleted_meanwhile(document_id: str, records: list[Any]) -> None:
        async with runtime.sessionmaker() as other:  # an admin deletes it at this moment
            row = await repository.get(other, document_id)
            assert row is not None
            await service.delete(other, runtime, row, None)
            await commit(other)  # its clean-up of search runs before our chunks land
        await real(document_id, records)

    monkeypatch.setattr(search, "replace_document", deleted_meanwhile)
    assert await ingest(runtime, document.id, document.version) == "skipped"
    assert not await search.search("출장 숙박비", access_tokens=["public"])
    await search.close()

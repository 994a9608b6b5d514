"""`docs:manage` grants managing, never reading: managers see only what their access list
allows, manage only their own or their department's documents; admins see everything."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from dari.documents.service import search_service
from tests.documents.test_api import runtime_of, settle, upload
from tests.fixtures.auth import auth_headers

SALARY = "인사평가 기준: 팀장 연봉 테이블 S등급 8,200만원, A등급 7,400만원."
TEAM = "영업1팀 주간 회의록: 한빛상사 재계약 조건 검토."
DIVISION = "영업본부 하반기 전략: 수도권 점유율 40% 목표."
PUBLIC = "취업규칙: 근무시간은 09시부터 18시까지로 한다."


@dataclass
class World:
    client: httpx.AsyncClient
    admin: str
    hr: str
    lead: str  # manager of 영업1팀 (like the demo's sales1.lead)
    head: str  # manager of 영업본부, the parent of 영업1팀 (like sales.head)
    team_dept: str
    hr_dept: str
    hr_doc: str
    team_doc: str
    division_doc: str
    public_doc: str
    hr_chunk: str

    async def call(self, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, path, headers=auth_headers(token), **kwargs)


@pytest.fixture
async def world(client: httpx.AsyncClient, make_user) -> World:
    runtime = runtime_of(client)
    _, admin = await make_user(runtime, username="admin", roles=("admin",))
    hr_user, hr = await make_user(runtime, username="haneul.lim", department="인사팀")
    head_user, head = await make_user(
        runtime, username="sales.head", roles=("manager",), department="영업본부"
    )
    lead_user, lead = await make_user(
        runtime,
        username="sales1.lead",
        roles=("manager",),
        department="영업1팀",
        parent="영업본부",
    )
    assert hr_user.department_id and lead_user.department_id and head_user.department_id

    async def add(name: str, text: str, departments: list[str] | None) -> str:
        access = {"public": False, "departments": departments} if departments else None
        response = await upload(client, admin, name, text.encode(), access)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    hr_doc = await add("인사평가 기준.txt", SALARY, [hr_user.department_id])
    team_doc = await add("회의록.txt", TEAM, [lead_user.department_id])
    division_doc = await add("전략.txt", DIVISION, [head_user.department_id])
    public_doc = await add("취업규칙.txt", PUBLIC, None)
    await settle(client)
    preview = await client.get(f"/api/documents/{hr_doc}/text", headers=auth_headers(hr))
    hr_chunk = preview.json()["chunks"][0]["id"]
    return World(
        client,
        admin,
        hr,
        lead,
        head,
        lead_user.department_id,
        hr_user.department_id,
        hr_doc,
        team_doc,
        division_doc,
        public_doc,
        hr_chunk,
    )


async def test_a_manager_cannot_read_documents_outside_his_access_list(world: World) -> None:
    missing = str(uuid.uuid4())
    absent = await world.call("GET", f"/api/documents/{missing}", world.lead)
    assert absent.status_code == 404
    for method, path in [
        ("GET", f"/api/documents/{world.hr_doc}"),
        ("GET", f"/api/documents/{world.hr_doc}/text"),
        ("GET", f"/api/documents/{world.hr_doc}/original"),
        ("GET", f"/api/documents/chunks/{world.hr_chunk}"),
        ("GET", f"/api/chunks/{world.hr_chunk}"),
    ]:
        response = await world.call(method, path, world.lead)
        assert response.status_code == 404, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert "연봉" not in response.text and "인사평가" not in response.text
    # Exactly what an id that does not exist answers: existence is not revealed.
    hidden = await world.call("GET", f"/api/documents/{world.hr_doc}", world.lead)
    same = {k: v for k, v in hidden.json().items() if k != "request_id"}
    assert same == {k: v for k, v in absent.json().items() if k != "request_id"}


async def test_a_manager_cannot_change_reindex_or_delete_what_he_cannot_read(
    world: World,
) -> None:
    for method, path, body in [
        ("PATCH", f"/api/documents/{world.hr_doc}", {"access": {"public": True}}),
        ("PATCH", f"/api/documents/{world.hr_doc}", {"title": "x"}),
        ("POST", f"/api/documents/{world.hr_doc}/reindex", None),
        ("DELETE", f"/api/documents/{world.hr_doc}", None),
    ]:
        response = await world.call(method, path, world.lead, json=body)
        assert response.status_code == 404, (method, path, response.text)
    document = await world.call("GET", f"/api/documents/{world.hr_doc}", world.hr)
    body = document.json()
    assert body["version"] == 1 and body["title"] == "인사평가 기준.txt"
    assert body["access"]["public"] is False and body["status"] == "indexed"
    # The index still keeps it from everyone but 인사팀 (the PATCH did not reach search).
    search = search_service(runtime_of(world.client))
    hits = await search.search("팀장 연봉 테이블", access_tokens=["public"], k=10)
    assert world.hr_doc not in {h.document_id for h in hits}


async def test_lists_show_managers_only_what_they_may_read(world: World) -> None:
    async def listed(token: str) -> set[str]:
        response = await world.call("GET", "/api/documents?limit=200", token)
        assert response.status_code == 200
        body = response.json()
        assert body["total"] == len(body["items"])
        return {item["id"] for item in body["items"]}

    assert await listed(world.lead) == {world.team_doc, world.division_doc, world.public_doc}
    assert await listed(world.head) == {world.division_doc, world.public_doc}
    assert await listed(world.admin) == {
        world.hr_doc,
        world.team_doc,
        world.division_doc,
        world.public_doc,
    }
    filtered = await world.call("GET", "/api/documents?q=인사평가", world.lead)
    assert filtered.json()["total"] == 0


async def test_a_manager_manages_his_departments_documents_only(world: World) -> None:
    own = await world.call(
        "PATCH", f"/api/documents/{world.team_doc}", world.lead, json={"title": "회의록 v2"}
    )
    assert own.status_code == 200 and own.json()["can_manage"] is True
    # Readable (shared with the parent division, or with everyone) but not his to manage.
    for document in (world.division_doc, world.public_doc):
        page = await world.call("GET", f"/api/documents/{document}", world.lead)
        assert page.status_code == 200 and page.json()["can_manage"] is False
        for method, path, body in [
            ("PATCH", f"/api/documents/{document}", {"title": "바뀜"}),
            ("POST", f"/api/documents/{document}/reindex", None),
            ("DELETE", f"/api/documents/{document}", None),
        ]:
            response = await world.call(method, path, world.lead, json=body)
            assert response.status_code == 403, (method, path, response.text)
            assert response.json()["code"] == "forbidden" and "관리" in response.json()["detail"]
    # The division's manager manages the division's document; the admin manages any.
    division = await world.call(
        "PATCH", f"/api/documents/{world.division_doc}", world.head, json={"title": "전략 v2"}
    )
    assert division.status_code == 200
    deleted = await world.call("DELETE", f"/api/documents/{world.hr_doc}", world.admin)
    assert deleted.status_code == 204


async def test_a_manager_manages_what_he_uploaded(world: World) -> None:
    response = await upload(world.client, world.lead, "공지.txt", "영업 공지: 회의실 변경".encode())
    assert response.status_code == 201 and response.json()["can_manage"] is True
    document = response.json()["id"]
    await settle(world.client)
    reindex = await world.call("POST", f"/api/documents/{document}/reindex", world.lead)
    assert reindex.status_code == 202
    await settle(world.client)
    deleted = await world.call("DELETE", f"/api/documents/{document}", world.lead)
    assert deleted.status_code == 204


async def test_a_manager_cannot_lock_himself_out(world: World) -> None:
    hr_only = {"public": False, "departments": [world.hr_dept]}
    refused = await upload(world.client, world.lead, "급여.txt", b"salary", hr_only)
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_access"
    assert "본인" in refused.json()["detail"]
    changed = await world.call(
        "PATCH", f"/api/documents/{world.team_doc}", world.lead, json={"access": hr_only}
    )
    assert changed.status_code == 422 and changed.json()["code"] == "invalid_access"
    team = await world.call("GET", f"/api/documents/{world.team_doc}", world.lead)
    assert team.status_code == 200 and team.json()["access"]["departments"] == [world.team_dept]


async def test_a_reupload_never_replaces_a_document_of_another_department(world: World) -> None:
    fake = "인사평가 기준: 전원 S등급.".encode()
    response = await upload(world.client, world.lead, "인사평가 기준.txt", fake)
    assert response.status_code == 201
    assert response.json()["id"] != world.hr_doc and response.json()["version"] == 1
    await settle(world.client)
    original = await world.call("GET", f"/api/documents/{world.hr_doc}/original", world.hr)
    assert original.status_code == 200 and original.content == SALARY.encode()
    again = await upload(world.client, world.lead, "인사평가 기준.txt", fake + b" v2")
    assert again.json()["id"] == response.json()["id"] and again.json()["version"] == 2

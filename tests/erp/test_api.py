"""HTTP: `GET /api/erp/tools`, `POST /api/erp/tools/{name}`, `GET /api/admin/erp/status`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from dari.audit.models import AuditEvent
from dari.core.runtime import Runtime
from dari.erp.service import TOOLSET
from tests.erp.conftest import make_toolset
from tests.fixtures.auth import MakeUser, auth_headers

PERIOD = {"date_from": "2026-01-01", "date_to": "2026-11-23", "limit": 500}
SALES = ["erp:sales_by_customer", "erp:my_leave_balance"]


@pytest.fixture
async def erp_client(
    any_client: httpx.AsyncClient, sqlite_erp: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its ERP toolset pointed at the test sample ERP."""
    runtime: Runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    toolset = make_toolset(sqlite_erp)
    runtime.put(TOOLSET, toolset)
    yield any_client
    await toolset.close()


def runtime_of(client: httpx.AsyncClient) -> Runtime:
    return client.app.state.runtime  # type: ignore[attr-defined,no-any-return]


async def test_tools_listed_by_permission(
    erp_client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    runtime = runtime_of(erp_client)
    _, employee = await make_user(runtime, username="emp", roles=("employee",))
    _, manager = await make_user(runtime, username="mgr", roles=("manager",))
    listed = await erp_client.get("/api/erp/tools", headers=auth_headers(employee))
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json()] == ["my_leave_balance"]
    tools = (await erp_client.get("/api/erp/tools", headers=auth_headers(manager))).json()
    assert "erp_query" in {t["name"] for t in tools} and len(tools) >= 16
    assert (await erp_client.get("/api/erp/tools")).status_code == 401


async def test_two_users_get_different_rows(
    erp_client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    runtime = runtime_of(erp_client)
    _, kim = await make_user(
        runtime,
        username="kim",
        roles=(),
        permissions=SALES,
        attributes={"erp_employee_code": "E1001"},
    )
    _, park = await make_user(
        runtime,
        username="park",
        roles=(),
        permissions=SALES,
        attributes={"erp_employee_code": "E1003"},
    )
    seen = []
    for token in (kim, park):
        response = await erp_client.post(
            "/api/erp/tools/sales_by_customer", json={"args": PERIOD}, headers=auth_headers(token)
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["row_count"] == len(body["rows"]) > 0 and body["columns"][3]["unit"] == "원"
        seen.append({row[0] for row in body["rows"]})
    assert seen[0] and seen[1] and not seen[0] & seen[1]
    assert "C0001" in seen[0]


async def test_errors_are_problems_and_audited(
    erp_client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    runtime = runtime_of(erp_client)
    _, employee = await make_user(
        runtime, username="emp", roles=("employee",), attributes={"erp_employee_code": "E1002"}
    )
    _, manager = await make_user(
        runtime, username="mgr", roles=("manager",), attributes={"department_code": "D110"}
    )
    cases = [
        (
            employee,
            "top_items",
            {"date_from": "2026-01-01", "date_to": "2026-11-23"},
            403,
            "erp_forbidden",
        ),
        (
            manager,
            "top_items",
            {"date_from": "2026-13-01", "date_to": "2026-11-23"},
            422,
            "erp_bad_arguments",
        ),
        (manager, "erp_query", {"sql": "SELECT emp_name FROM employees"}, 422, "erp_query_refused"),
        (manager, "no_such_tool", {}, 404, "erp_unknown_tool"),
    ]
    for token, tool, args, status, code in cases:
        response = await erp_client.post(
            f"/api/erp/tools/{tool}", json={"args": args}, headers=auth_headers(token)
        )
        assert response.status_code == status, (tool, response.text)
        body = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert body["code"] == code and body["detail"] and "Traceback" not in response.text
    ok = await erp_client.post(
        "/api/erp/tools/my_leave_balance", json={"args": {}}, headers=auth_headers(employee)
    )
    assert ok.status_code == 200 and ok.json()["rows"]
    async with runtime.sessionmaker() as session:
        events = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "erp.call").order_by(AuditEvent.id)
            )
        ).all()
    assert [(e.subject_id, e.outcome) for e in events] == [
        ("top_items", "denied"),
        ("top_items", "failed"),
        ("erp_query", "denied"),
        ("no_such_tool", "failed"),
        ("my_leave_balance", "ok"),
    ]
    assert events[-1].actor_name == "emp" and events[-1].details["rows"] == 2


async def test_erp_down_is_503(
    any_client: httpx.AsyncClient, make_user: MakeUser, tmp_path: Path
) -> None:
    runtime = runtime_of(any_client)
    toolset = make_toolset(f"sqlite+aiosqlite:///{tmp_path}/missing.db")
    runtime.put(TOOLSET, toolset)
    _, manager = await make_user(runtime, username="mgr", roles=("manager",))
    try:
        response = await any_client.post(
            "/api/erp/tools/stock_shortages", json={"args": {}}, headers=auth_headers(manager)
        )
    finally:
        await toolset.close()
    assert response.status_code == 503 and response.json()["code"] == "erp_unavailable"
    assert response.headers["retry-after"] == "10"


async def test_admin_status(erp_client: httpx.AsyncClient, make_user: MakeUser) -> None:
    runtime = runtime_of(erp_client)
    _, admin = await make_user(runtime, username="root", roles=("admin",))
    _, manager = await make_user(runtime, username="mgr", roles=("manager",))
    response = await erp_client.get("/api/admin/erp/status", headers=auth_headers(admin))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["connected"] is True and body["connector"] == "sql"
    tools = {t["name"]: t for t in body["tools"]}
    assert tools["my_leave_balance"]["roles"] == ["admin", "employee", "manager"]
    assert tools["stock_shortages"]["roles"] == ["admin", "manager"]
    assert tools["erp_query"]["roles"] == ["admin", "manager"]
    assert "customers" in body["query_tables"]["manager"]
    denied = await erp_client.get("/api/admin/erp/status", headers=auth_headers(manager))
    assert denied.status_code == 403


def erp_call_series(text: str) -> dict[tuple[str, str], float]:
    """`dari_erp_calls_total` samples from a /metrics page, by (tool, outcome)."""
    return {
        (sample.labels["tool"], sample.labels["outcome"]): sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "dari_erp_calls"
        for sample in family.samples
        if sample.name == "dari_erp_calls_total"
    }


async def test_unknown_tool_names_share_one_metric_label(
    erp_client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    """Callers choose the URL's tool name: each name must not become its own Prometheus series."""
    runtime = runtime_of(erp_client)
    _, manager = await make_user(
        runtime, username="mgr", roles=("manager",), attributes={"department_code": "D110"}
    )
    before = erp_call_series((await erp_client.get("/metrics")).text)
    names = [f"no_such_tool_{uuid.uuid4().hex[:8]}" for _ in range(3)]
    for name in [*names, "stock_shortages"]:
        response = await erp_client.post(
            f"/api/erp/tools/{name}", json={"args": {}}, headers=auth_headers(manager)
        )
        assert response.status_code == (200 if name == "stock_shortages" else 404)
    after = erp_call_series((await erp_client.get("/metrics")).text)
    assert not [tool for tool, _ in after if tool.startswith("no_such_tool_")]
    unknown = ("unknown", "failed")
    assert after[unknown] - before.get(unknown, 0.0) == len(names)
    known = ("stock_shortages", "ok")  # real tools keep their own series
    assert after[known] - before.get(known, 0.0) == 1

"""Permissions and row scope: who sees which tools and which rows; every call audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dari.audit.models import AuditEvent
from dari.core.runtime import Runtime
from dari.erp.base import ErpError
from dari.erp.toolset import ErpToolset
from tests.erp.conftest import (
    ADMIN,
    EMPLOYEE,
    HEAD,
    MANAGER1,
    MANAGER2,
    REP1,
    REP2,
    AuditLog,
    Sample,
    make_toolset,
    principal,
)

PERIOD = {"date_from": "2026-01-01", "date_to": "2026-11-23"}


async def customers_seen(toolset: ErpToolset, who: object, audit: AuditLog) -> set[str]:
    result = await toolset.call_tool(
        who,
        "sales_by_customer",
        {**PERIOD, "limit": 500},  # type: ignore[arg-type]
        audit=audit,
    )
    return {row[0] for row in result.rows}


async def test_two_reps_see_only_their_own_customers(
    toolset: ErpToolset, sample: Sample, audit: AuditLog
) -> None:
    mine = {c["customer_code"] for c in sample["customers"] if c["sales_rep"] == "E1001"}
    theirs = {c["customer_code"] for c in sample["customers"] if c["sales_rep"] == "E1003"}
    seen1 = await customers_seen(toolset, REP1, audit)
    seen2 = await customers_seen(toolset, REP2, audit)
    assert seen1 and seen2 and seen1 <= mine and seen2 <= theirs
    assert not seen1 & seen2
    assert "C0001" in seen1  # 한빛상사 is E1001's customer


async def test_managers_see_their_department_and_admin_sees_all(
    toolset: ErpToolset, sample: Sample, audit: AuditLog
) -> None:
    by_dept = {c["customer_code"]: c["dept_code"] for c in sample["customers"]}
    team1 = await customers_seen(toolset, MANAGER1, audit)
    team2 = await customers_seen(toolset, MANAGER2, audit)
    assert {by_dept[c] for c in team1} == {"D110"} and {by_dept[c] for c in team2} == {"D120"}
    assert await customers_seen(toolset, HEAD, audit) == team1 | team2  # 영업본부 = both teams
    assert await customers_seen(toolset, ADMIN, audit) == team1 | team2


async def test_leave_balance_is_always_ones_own(
    toolset: ErpToolset, sample: Sample, audit: AuditLog
) -> None:
    own = await toolset.call_tool(EMPLOYEE, "my_leave_balance", {}, audit=audit)
    granted = {
        b["year"]: b["granted_days"] for b in sample["leave_balances"] if b["emp_code"] == "E1002"
    }
    assert {row[0]: row[1] for row in own.rows} == granted
    other = await toolset.call_tool(REP1, "my_leave_balance", {}, audit=audit)
    assert other.rows != own.rows
    # An admin without an ERP employee code has no leave of their own: denied, not everyone's.
    with pytest.raises(ErpError) as caught:
        await toolset.call_tool(ADMIN, "my_leave_balance", {}, audit=audit)
    assert caught.value.code == "erp_forbidden" and "erp_employee_code" in caught.value.message
    assert audit.last["outcome"] == "denied"


async def test_missing_attribute_denies_instead_of_showing_everything(
    toolset: ErpToolset, audit: AuditLog
) -> None:
    rep_without_code = principal("nocode", {"sales"}, {"erp:sales_by_customer"})
    with pytest.raises(ErpError) as caught:
        await toolset.call_tool(rep_without_code, "sales_by_customer", PERIOD, audit=audit)
    assert caught.value.code == "erp_forbidden"
    odd = principal("odd", {"sales"}, {"erp:sales_by_customer"}, erp_employee_code="x' OR '1'='1")
    with pytest.raises(ErpError):
        await toolset.call_tool(odd, "sales_by_customer", PERIOD, audit=audit)


async def test_get_tools_filters_by_permission(toolset: ErpToolset) -> None:
    assert [t.name for t in toolset.get_tools(EMPLOYEE)] == ["my_leave_balance"]
    manager_tools = {t.name for t in toolset.get_tools(MANAGER1)}
    assert {"stock_shortages", "department_leave", "erp_query"} <= manager_tools
    assert len(manager_tools) == len(toolset.catalog.tools) + 1
    rep_tools = {t.name for t in toolset.get_tools(REP1)}
    assert "stock_shortages" not in rep_tools and "erp_query" not in rep_tools
    tool = next(t for t in toolset.get_tools(MANAGER1) if t.name == "sales_by_period")
    assert tool.parameters["required"] == ["date_from", "date_to"]
    assert {c.unit for c in tool.columns} >= {"원", "건"}
    query = next(t for t in toolset.get_tools(MANAGER1) if t.name == "erp_query")
    assert "customers" in query.description_ko and "employees" not in query.description_ko


async def test_forbidden_tool_is_refused_and_audited(toolset: ErpToolset, audit: AuditLog) -> None:
    with pytest.raises(ErpError) as caught:
        await toolset.call_tool(EMPLOYEE, "sales_by_period", PERIOD, audit=audit)
    assert caught.value.code == "erp_forbidden"
    event = audit.last
    assert (event["action"], event["outcome"], event["subject_id"]) == (
        "erp.call",
        "denied",
        "sales_by_period",
    )
    assert event["actor"] is EMPLOYEE and event["details"]["args"] == PERIOD
    with pytest.raises(ErpError) as unknown:
        await toolset.call_tool(MANAGER1, "drop_everything", {}, audit=audit)
    assert unknown.value.code == "erp_unknown_tool" and audit.last["outcome"] == "failed"


async def test_calls_are_written_to_the_audit_log(runtime: Runtime, sqlite_erp: str) -> None:
    toolset = make_toolset(sqlite_erp)
    try:
        result = await toolset.call_tool(
            REP1, "sales_by_period", PERIOD, audit=runtime.sessionmaker
        )
        with pytest.raises(ErpError):
            await toolset.call_tool(EMPLOYEE, "top_items", PERIOD, audit=runtime.sessionmaker)
    finally:
        await toolset.close()
    async with runtime.sessionmaker() as session:
        events = (await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
    assert [(e.action, e.outcome, e.subject_id, e.actor_name) for e in events] == [
        ("erp.call", "ok", "sales_by_period", "kim"),
        ("erp.call", "denied", "top_items", "lee"),
    ]
    assert events[0].details["rows"] == result.row_count and events[0].details["elapsed_ms"] >= 0
    assert events[0].details["args"] == PERIOD and events[1].details["code"] == "erp_forbidden"

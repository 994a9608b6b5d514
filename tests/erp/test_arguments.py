"""Bad arguments: wrong types, bad or out-of-range dates, injection attempts in strings."""

from __future__ import annotations

from typing import Any

import pytest

from dari.erp.base import ErpError
from dari.erp.toolset import ErpToolset
from tests.erp.conftest import ADMIN, MANAGER1, REP1, AuditLog, Sample

BAD = {
    "wrong_type": {"date_from": 20260101, "date_to": "2026-11-23"},
    "not_a_date": {"date_from": "어제", "date_to": "2026-11-23"},
    "impossible_date": {"date_from": "2026-02-30", "date_to": "2026-11-23"},
    "too_early": {"date_from": "1899-01-01", "date_to": "2026-11-23"},
    "too_late": {"date_from": "2026-01-01", "date_to": "9999-12-31"},
    "reversed": {"date_from": "2026-11-23", "date_to": "2026-01-01"},
    "missing_required": {"date_from": "2026-01-01"},
    "unknown_argument": {"date_from": "2026-01-01", "date_to": "2026-11-23", "sql": "x"},
    "enum": {"date_from": "2026-01-01", "date_to": "2026-11-23", "group_by": "year"},
    "not_an_object": ["2026-01-01", "2026-11-23"],
}


@pytest.mark.parametrize("case", sorted(BAD))
async def test_bad_arguments_are_refused(toolset: ErpToolset, audit: AuditLog, case: str) -> None:
    with pytest.raises(ErpError) as caught:
        await toolset.call_tool(MANAGER1, "sales_by_period", BAD[case], audit=audit)
    assert caught.value.code == "erp_bad_arguments"
    assert audit.last["outcome"] == "failed"
    assert audit.last["details"]["code"] == "erp_bad_arguments"


async def test_limits_and_patterns(toolset: ErpToolset, audit: AuditLog) -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        ("top_customers", {"date_from": "2026-01-01", "date_to": "2026-11-23", "top": 10_000}),
        ("order_detail", {"order_no": "SO1' OR '1'='1"}),
        ("customer_info", {"customer": "x" * 500}),
        ("my_leave_balance", {"year": "2026"}),
    ]
    for tool, args in cases:
        with pytest.raises(ErpError) as caught:
            await toolset.call_tool(
                ADMIN if tool != "my_leave_balance" else REP1, tool, args, audit=audit
            )
        assert caught.value.code == "erp_bad_arguments", tool


INJECTIONS = [
    "' OR '1'='1",
    "한빛'; DROP TABLE customers; --",
    "{scope}",
    ":user.erp_employee_code",
    "%' UNION SELECT emp_name FROM employees --",
    "${jndi:ldap://x}",
]


@pytest.mark.parametrize("text", INJECTIONS)
async def test_injection_in_string_arguments_is_just_text(
    toolset: ErpToolset, sample: Sample, audit: AuditLog, text: str
) -> None:
    result = await toolset.call_tool(
        REP1,
        "sales_by_customer",
        {"date_from": "2026-01-01", "date_to": "2026-11-23", "customer": text},
        audit=audit,
    )
    assert result.rows == []  # no customer is named like that; the scope still applied
    info = await toolset.call_tool(ADMIN, "customer_info", {"customer": text}, audit=audit)
    assert info.rows == []
    count = await toolset.call_tool(ADMIN, "customer_info", {"customer": "C0001"}, audit=audit)
    assert count.rows[0][1] == "한빛상사"  # the table is intact
    assert len(sample["customers"]) == 240

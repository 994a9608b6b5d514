"""Each sample tool's answer equals the same question answered in Python over the raw rows."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from dari.core.principal import Principal
from dari.erp.toolset import ErpToolset
from tests.erp import expected
from tests.erp.conftest import ADMIN, HEAD, MANAGER1, REP1, Sample

PERIOD = {"date_from": "2026-05-01", "date_to": "2026-11-23"}
AS_OF = "2026-10-31"
WHO = pytest.mark.parametrize("who", [REP1, MANAGER1, HEAD, ADMIN], ids=lambda p: p.username)


async def rows(toolset: ErpToolset, who: Principal, tool: str, **args: Any) -> list[list[Any]]:
    result = await toolset.call_tool(who, tool, args, audit=lambda *a, **k: _noop())
    assert result.row_count == len(result.rows)
    assert [c.name for c in result.columns] == [
        c.name
        for c in toolset.catalog.tool(tool).columns  # type: ignore[union-attr]
    ]
    return result.rows


async def _noop() -> None:
    return None


@WHO
async def test_sales_by_period(toolset: ErpToolset, sample: Sample, who: Principal) -> None:
    got = await rows(toolset, who, "sales_by_period", **PERIOD)
    assert got == expected.sales_by_period(sample, who, PERIOD["date_from"], PERIOD["date_to"])
    assert len(got) == 7 and got[-1][0] == "2026-11"  # the window ends "today"


@WHO
async def test_sales_by_customer_and_top_customers(
    toolset: ErpToolset, sample: Sample, who: Principal
) -> None:
    want = expected.by_customer(sample, who, **{"start": "2026-05-01", "end": "2026-11-23"})
    assert await rows(toolset, who, "sales_by_customer", limit=500, **PERIOD) == want
    top = await rows(toolset, who, "top_customers", top=5, **PERIOD)
    assert top == [[r[1], r[3]] for r in want[:5]]


async def test_sales_by_customer_name_filter(toolset: ErpToolset, sample: Sample) -> None:
    got = await rows(toolset, ADMIN, "sales_by_customer", customer="한빛상사", **PERIOD)
    want = [
        r
        for r in expected.by_customer(sample, ADMIN, "2026-05-01", "2026-11-23")
        if "한빛상사" in r[1]
    ]
    assert got == want and got[0][0] == "C0001"


@WHO
async def test_sales_by_item_and_top_items(
    toolset: ErpToolset, sample: Sample, who: Principal
) -> None:
    want = expected.by_item(sample, who, "2026-05-01", "2026-11-23")
    assert await rows(toolset, who, "sales_by_item", limit=500, **PERIOD) == want[:500]
    top = await rows(toolset, who, "top_items", top=3, **PERIOD)
    assert top == [[r[1], r[3], r[4]] for r in want[:3]]
    motors = await rows(toolset, who, "sales_by_item", category="모터", limit=500, **PERIOD)
    assert motors == [r for r in want if r[2] == "모터"][:500]


@WHO
async def test_receivables_and_overdue(toolset: ErpToolset, sample: Sample, who: Principal) -> None:
    got = await rows(toolset, who, "receivables_by_customer", as_of=AS_OF, limit=500)
    assert got == expected.receivables(sample, who, AS_OF)
    assert sum(r[4] for r in got) > 0  # some of it is overdue
    late = await rows(toolset, who, "overdue_invoices", as_of=AS_OF, limit=500)
    assert late == expected.overdue(sample, who, AS_OF)[:500]


@WHO
async def test_order_status_detail_and_unshipped(
    toolset: ErpToolset, sample: Sample, who: Principal
) -> None:
    want = expected.orders(sample, who, "2026-10-01", "2026-11-23")
    got = await rows(
        toolset, who, "order_status", date_from="2026-10-01", date_to="2026-11-23", limit=500
    )
    assert got == want[:500]
    accepted = await rows(
        toolset,
        who,
        "order_status",
        date_from="2026-10-01",
        date_to="2026-11-23",
        status="접수",
        limit=500,
    )
    assert accepted == [r for r in want if r[3] == "접수"][:500]
    order_no = want[0][0]
    lines = [ln for ln in sample["sales_order_lines"] if ln["order_no"] == order_no]
    detail = await rows(toolset, who, "order_detail", order_no=order_no)
    assert [[d[0], d[1], d[3], d[4], d[5], d[7]] for d in detail] == [
        [
            ln["line_no"],
            ln["item_code"],
            ln["qty"],
            ln["shipped_qty"],
            ln["qty"] - ln["shipped_qty"],
            ln["amount"],
        ]
        for ln in lines
    ]
    ok = expected.sales_visible(who)
    open_orders = sorted(
        (o for o in sample["sales_orders"] if ok(o) and o["status"] in ("접수", "부분출하")),
        key=lambda o: (o["due_date"], o["order_no"]),
    )
    unshipped = await rows(toolset, who, "unshipped_orders", as_of="2026-11-23", limit=500)
    assert [r[0] for r in unshipped] == [o["order_no"] for o in open_orders][:500]
    amounts: dict[str, int] = defaultdict(int)
    for ln in sample["sales_order_lines"]:
        amounts[ln["order_no"]] += (ln["qty"] - ln["shipped_qty"]) * ln["unit_price"]
    assert [r[5] for r in unshipped] == [amounts[o["order_no"]] for o in open_orders][:500]


@WHO
async def test_customer_info(toolset: ErpToolset, sample: Sample, who: Principal) -> None:
    ok = expected.sales_visible(who)
    names = {e["emp_code"]: e["emp_name"] for e in sample["employees"]}
    want = [
        [c["customer_code"], c["customer_name"], names[c["sales_rep"]]]
        for c in sample["customers"]
        if ok(c) and "산업" in c["customer_name"]
    ]
    got = await rows(toolset, who, "customer_info", customer="산업", limit=500)
    assert [[r[0], r[1], r[5]] for r in got] == want


async def test_stock_tools(toolset: ErpToolset, sample: Sample) -> None:
    items = {i["item_code"]: i for i in sample["items"]}
    stock = sorted(sample["stock"], key=lambda r: (r["item_code"], r["wh_code"]))
    got = await rows(toolset, MANAGER1, "stock_by_item", item="P00007")
    assert [[r[0], r[3]] for r in got] == [
        [s["item_code"], s["qty"]] for s in stock if s["item_code"] == "P00007"
    ]
    totals: dict[str, int] = defaultdict(int)
    for s in sample["stock"]:
        totals[s["item_code"]] += s["qty"]
    incoming: dict[str, int] = defaultdict(int)
    open_pos = {
        p["po_no"] for p in sample["purchase_orders"] if p["status"] in ("발주", "부분입고")
    }
    for line in sample["purchase_order_lines"]:
        if line["po_no"] in open_pos:
            incoming[line["item_code"]] += line["qty"] - line["received_qty"]
    want = sorted(
        (
            [c, items[c]["safety_stock"] * 3 - q, incoming[c]]
            for c, q in totals.items()
            if q < items[c]["safety_stock"] * 3
        ),
        key=lambda r: (-r[1], r[0]),
    )
    got = await rows(toolset, MANAGER1, "stock_shortages", limit=500)
    assert [[r[0], r[5], r[6]] for r in got] == want
    assert want, "the sample has items below safety stock"


async def test_purchase_tools(toolset: ErpToolset, sample: Sample) -> None:
    pos = [p for p in sample["purchase_orders"] if p["po_date"].isoformat() >= "2026-09-01"]
    amounts: dict[str, int] = defaultdict(int)
    for line in sample["purchase_order_lines"]:
        amounts[line["po_no"]] += line["amount"]
    want = sorted(
        ([p["po_no"], p["status"], amounts[p["po_no"]]] for p in pos),
        key=lambda r: r[0],
        reverse=True,
    )
    got = await rows(
        toolset,
        MANAGER1,
        "purchase_order_status",
        date_from="2026-09-01",
        date_to="2026-11-23",
        limit=500,
    )
    assert sorted([[r[0], r[3], r[5]] for r in got], key=lambda r: r[0], reverse=True) == want
    status = {p["po_no"]: p for p in sample["purchase_orders"]}
    pending = sorted(
        (
            [ln["po_no"], ln["item_code"], ln["qty"] - ln["received_qty"]]
            for ln in sample["purchase_order_lines"]
            if status[ln["po_no"]]["status"] in ("발주", "부분입고")
            and ln["qty"] > ln["received_qty"]
        ),
        key=lambda r: (status[r[0]]["due_date"], r[0]),
    )
    got = await rows(toolset, MANAGER1, "pending_receipts", limit=500)
    assert [[r[0], r[3], r[5]] for r in got] == pending[:500]


async def test_leave_tools(toolset: ErpToolset, sample: Sample) -> None:
    assert await rows(toolset, REP1, "my_leave_balance") == expected.leave(sample, "E1001")
    assert await rows(toolset, REP1, "my_leave_balance", year=2026) == [
        r for r in expected.leave(sample, "E1001") if r[0] == 2026
    ]
    members = {e["emp_code"] for e in sample["employees"] if e["dept_code"] == "D110"}
    got = await rows(toolset, MANAGER1, "department_leave", year=2026)
    assert {r[0] for r in got} == members
    everyone = await rows(toolset, ADMIN, "department_leave", year=2026)
    assert len(everyone) == sum(1 for b in sample["leave_balances"] if b["year"] == 2026)

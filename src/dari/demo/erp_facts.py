"""Facts the ERP questions need, read with our own SQL from the sample ERP.

The SQL here is deliberately written independently of the tool catalog (plain aggregates over
the base tables), so the benchmark checks the tools rather than repeating them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

HANBIT = "C0001"  # 한빛상사, the largest customer, served by 김민준 (E1001)
MOTOR = "P00007"  # 모터 H107, the product of the demo manual


@dataclass
class Facts:
    end: date
    year: int
    month_from: date
    month_to: date
    values: dict[str, Any] = field(default_factory=dict)


async def _one(connection: AsyncConnection, sql: str, **params: Any) -> Any:
    return (await connection.execute(text(sql), params)).first()


async def _val(connection: AsyncConnection, sql: str, **params: Any) -> Any:
    row = await _one(connection, sql, **params)
    return row[0] if row is not None else None


def _d(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def fingerprint(url: str) -> dict[str, Any]:
    """A cheap identity of the loaded ERP data: last order date and number of orders."""
    from dari.erp.connectors import async_url

    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as c:
            end = await _last_day(c)
            orders = await _val(c, "SELECT COUNT(*) FROM sales_orders")
    finally:
        await engine.dispose()
    return {"end": end.isoformat(), "orders": int(orders)}


async def _last_day(c: AsyncConnection) -> date:
    """The last day the ERP has any activity: "today" of the question set. Invoices and
    receipts run to the generation day; orders may stop on a Friday before."""
    return max(
        _d(await _val(c, "SELECT MAX(order_date) FROM sales_orders")),
        _d(await _val(c, "SELECT MAX(invoice_date) FROM sales_invoices")),
        _d(await _val(c, "SELECT MAX(receipt_date) FROM receipts")),
    )


async def read_facts(url: str) -> Facts:
    """Everything the ERP questions need, read with plain SQL from the ERP at `url`."""
    from dari.erp.connectors import async_url

    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as c:
            end = await _last_day(c)
            month_to = end.replace(day=1) - timedelta(days=1)
            month_from = month_to.replace(day=1)
            facts = Facts(
                end,
                int(await _val(c, "SELECT MAX(year) FROM leave_balances")),
                month_from,
                month_to,
            )
            facts.values["orders"] = int(await _val(c, "SELECT COUNT(*) FROM sales_orders"))
            await _sales(c, facts)
            await _operations(c, facts)
    finally:
        await engine.dispose()
    return facts


async def _sales(c: AsyncConnection, f: Facts) -> None:
    v = f.values
    period = {"a": f.month_from.isoformat(), "b": f.month_to.isoformat()}
    month = "invoice_date BETWEEN :a AND :b"
    v["rep_month"] = int(
        await _val(
            c,
            f"SELECT COALESCE(SUM(supply_amount), 0) FROM sales_invoices WHERE {month} "
            "AND sales_rep = 'E1001'",
            **period,
        )
    )
    v["all_month"] = int(
        await _val(
            c, f"SELECT COALESCE(SUM(supply_amount), 0) FROM sales_invoices WHERE {month}", **period
        )
    )
    for dept in ("D110", "D120"):
        v[f"{dept}_month"] = int(
            await _val(
                c,
                f"SELECT COALESCE(SUM(supply_amount), 0) FROM sales_invoices WHERE {month} "
                "AND dept_code = :d",
                d=dept,
                **period,
            )
        )
    top = await _one(
        c,
        "SELECT c.customer_name, SUM(s.supply_amount) AS t FROM sales_invoices s JOIN customers c "
        f"ON c.customer_code = s.customer_code WHERE s.{month} AND s.sales_rep = 'E1003' "
        "GROUP BY c.customer_code, c.customer_name ORDER BY t DESC, c.customer_code LIMIT 1",
        **period,
    )
    v["park_top"] = (top[0], int(top[1]))
    rows = (
        await c.execute(
            text(
                "SELECT c.customer_name FROM sales_invoices s JOIN customers c "
                f"ON c.customer_code = s.customer_code WHERE s.{month} AND s.dept_code = 'D110' "
                "GROUP BY c.customer_code, "
                "c.customer_name ORDER BY SUM(s.supply_amount) DESC, c.customer_code LIMIT 3"
            ),
            period,
        )
    ).all()
    v["team1_top3"] = [r[0] for r in rows]
    year = {"a": f"{f.end.year - 1}-01-01", "b": f"{f.end.year - 1}-12-31"}
    top = await _one(
        c,
        "SELECT c.customer_name, SUM(s.supply_amount) AS t FROM sales_invoices s JOIN customers c "
        f"ON c.customer_code = s.customer_code WHERE s.{month} GROUP BY c.customer_code, "
        "c.customer_name ORDER BY t DESC, c.customer_code LIMIT 1",
        **year,
    )
    v["year_top_customer"] = (top[0], int(top[1]))
    v["year_top_item"] = await _val(
        c,
        "SELECT i.item_name FROM sales_invoice_lines l JOIN sales_invoices s ON s.invoice_no = "
        f"l.invoice_no JOIN items i ON i.item_code = l.item_code WHERE s.{month} GROUP BY "
        "i.item_code, i.item_name ORDER BY SUM(l.supply_amount) DESC, i.item_code LIMIT 1",
        **year,
    )
    v["hanbit"] = await _val(
        c, "SELECT customer_name FROM customers WHERE customer_code = :c", c=HANBIT
    )
    v["hanbit_credit"] = int(
        await _val(c, "SELECT credit_limit FROM customers WHERE customer_code = :c", c=HANBIT)
    )
    v["hanbit_outstanding"] = await _outstanding(c, HANBIT)
    v["hanbit_month"] = int(
        await _val(
            c,
            f"SELECT COALESCE(SUM(supply_amount), 0) FROM sales_invoices WHERE {month} "
            "AND customer_code = :c",
            c=HANBIT,
            **period,
        )
    )
    other = await _one(
        c,
        "SELECT customer_code, customer_name FROM customers WHERE sales_rep = 'E1003' "
        "ORDER BY customer_code LIMIT 1",
    )
    v["other_customer"] = other[1]
    v["other_outstanding"] = await _outstanding(c, other[0])
    order = await _one(
        c,
        "SELECT order_no, status FROM sales_orders WHERE sales_rep = 'E1001' AND status IN "
        "('접수', '부분출하') ORDER BY order_date DESC, order_no DESC LIMIT 1",
    )
    remaining = await _val(
        c,
        "SELECT SUM(qty - shipped_qty) FROM sales_order_lines WHERE order_no = :o",
        o=order[0],
    )
    v["open_order"] = (order[0], int(remaining))
    v["late_orders"] = int(
        await _val(
            c,
            "SELECT COUNT(*) FROM sales_orders WHERE sales_rep = 'E1001' AND status IN "
            "('접수', '부분출하') AND due_date < :e",
            e=f.end.isoformat(),
        )
    )


async def _outstanding(c: AsyncConnection, customer: str) -> int:
    return int(
        await _val(
            c,
            "SELECT COALESCE(SUM(s.total_amount - COALESCE(p.paid, 0)), 0) FROM sales_invoices s "
            "LEFT JOIN (SELECT invoice_no, SUM(amount) AS paid FROM receipts "
            "GROUP BY invoice_no) p "
            "ON p.invoice_no = s.invoice_no WHERE s.customer_code = :c",
            c=customer,
        )
    )


async def _operations(c: AsyncConnection, f: Facts) -> None:
    v = f.values
    v["motor_stock"] = int(
        await _val(c, "SELECT SUM(qty) FROM stock WHERE item_code = :i", i=MOTOR)
    )
    v["shortages"] = int(
        await _val(
            c,
            "SELECT COUNT(*) FROM items i WHERE (SELECT COALESCE(SUM(qty), 0) FROM stock s WHERE "
            "s.item_code = i.item_code) < i.safety_stock * 3",
        )
    )
    po = await _one(
        c,
        "SELECT o.po_no, o.due_date FROM purchase_orders o WHERE o.status IN ('발주', '부분입고') "
        "AND EXISTS (SELECT 1 FROM purchase_order_lines l WHERE l.po_no = o.po_no AND l.qty > "
        "l.received_qty) ORDER BY o.due_date, o.po_no LIMIT 1",
    )
    v["first_pending_po"] = (po[0], _d(po[1]))
    for code in ("E1001", "E5001", "E4001"):
        row = await _one(
            c,
            "SELECT granted_days, used_days FROM leave_balances WHERE emp_code = :e AND year = :y",
            e=code,
            y=f.year,
        )
        v[f"leave_{code}"] = Decimal(str(row[0])) - Decimal(str(row[1])) if row else None

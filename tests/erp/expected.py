"""Expected tool answers computed in Python from the generated rows — independent of the SQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from dari.core.principal import Principal
from dari.erp.sample.people import DEPARTMENTS
from tests.erp.conftest import Sample

Row = dict[str, Any]


def family(dept: str) -> set[str]:
    return {dept} | {str(code) for code, _, parent in DEPARTMENTS if parent == dept}


def sales_visible(p: Principal) -> Callable[[Row], bool]:
    """The sample catalog's sales row scope."""
    if p.has("erp_scope:all"):
        return lambda row: True
    if "manager" in p.roles:
        depts = family(p.attributes["department_code"])
        return lambda row: row["dept_code"] in depts
    code = p.attributes["erp_employee_code"]
    return lambda row: row["sales_rep"] == code


def iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def in_range(value: date, start: str, end: str) -> bool:
    return start <= value.isoformat() <= end


def invoices(s: Sample, p: Principal, start: str, end: str) -> list[Row]:
    ok = sales_visible(p)
    return [i for i in s["sales_invoices"] if ok(i) and in_range(i["invoice_date"], start, end)]


def sales_by_period(s: Sample, p: Principal, start: str, end: str) -> list[list[Any]]:
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for inv in invoices(s, p, start, end):
        g = groups[inv["invoice_date"].isoformat()[:7]]
        g[0] += 1
        g[1] += inv["supply_amount"]
        g[2] += inv["vat"]
        g[3] += inv["total_amount"]
    return [[k, *v] for k, v in sorted(groups.items())]


def by_customer(s: Sample, p: Principal, start: str, end: str) -> list[list[Any]]:
    names = {c["customer_code"]: c["customer_name"] for c in s["customers"]}
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for inv in invoices(s, p, start, end):
        g = groups[inv["customer_code"]]
        g[0] += 1
        g[1] += inv["supply_amount"]
        g[2] += inv["total_amount"]
    rows = [[code, names[code], *v] for code, v in groups.items()]
    return sorted(rows, key=lambda r: (-r[3], r[0]))


def by_item(s: Sample, p: Principal, start: str, end: str) -> list[list[Any]]:
    visible = {i["invoice_no"] for i in invoices(s, p, start, end)}
    items = {i["item_code"]: i for i in s["items"]}
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in s["sales_invoice_lines"]:
        if line["invoice_no"] in visible:
            groups[line["item_code"]][0] += line["qty"]
            groups[line["item_code"]][1] += line["supply_amount"]
    rows = [[c, items[c]["item_name"], items[c]["category"], *v] for c, v in groups.items()]
    return sorted(rows, key=lambda r: (-r[4], r[0]))


def paid_by_invoice(s: Sample, as_of: str) -> dict[str, int]:
    paid: dict[str, int] = defaultdict(int)
    for r in s["receipts"]:
        if r["receipt_date"].isoformat() <= as_of:
            paid[r["invoice_no"]] += r["amount"]
    return paid


def open_invoices(s: Sample, p: Principal, as_of: str) -> list[tuple[Row, int]]:
    ok, paid = sales_visible(p), paid_by_invoice(s, as_of)
    return [
        (inv, inv["total_amount"] - paid[inv["invoice_no"]])
        for inv in s["sales_invoices"]
        if ok(inv)
        and inv["invoice_date"].isoformat() <= as_of
        and inv["total_amount"] > paid[inv["invoice_no"]]
    ]


def receivables(s: Sample, p: Principal, as_of: str) -> list[list[Any]]:
    names = {c["customer_code"]: c["customer_name"] for c in s["customers"]}
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for inv, outstanding in open_invoices(s, p, as_of):
        g = groups[inv["customer_code"]]
        g[0] += 1
        g[1] += outstanding
        g[2] += outstanding if inv["due_date"].isoformat() < as_of else 0
    rows = [[c, names[c], *v] for c, v in groups.items()]
    return sorted(rows, key=lambda r: (-r[3], r[0]))


def overdue(s: Sample, p: Principal, as_of: str) -> list[list[Any]]:
    names = {c["customer_code"]: c["customer_name"] for c in s["customers"]}
    rows = [
        [
            inv["invoice_no"],
            iso(inv["invoice_date"]),
            iso(inv["due_date"]),
            names[inv["customer_code"]],
            inv["total_amount"],
            outstanding,
        ]
        for inv, outstanding in open_invoices(s, p, as_of)
        if inv["due_date"].isoformat() < as_of
    ]
    return sorted(rows, key=lambda r: (r[2], r[0]))


def orders(s: Sample, p: Principal, start: str, end: str) -> list[list[Any]]:
    ok = sales_visible(p)
    names = {c["customer_code"]: c["customer_name"] for c in s["customers"]}
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for line in s["sales_order_lines"]:
        t = totals[line["order_no"]]
        t[0] += line["amount"]
        t[1] += line["qty"]
        t[2] += line["shipped_qty"]
    rows = [
        [
            o["order_no"],
            iso(o["order_date"]),
            names[o["customer_code"]],
            o["status"],
            iso(o["due_date"]),
            *totals[o["order_no"]],
        ]
        for o in s["sales_orders"]
        if ok(o) and in_range(o["order_date"], start, end)
    ]
    return sorted(rows, key=lambda r: (r[1], r[0]), reverse=True)


def leave(s: Sample, code: str) -> list[list[Any]]:
    pending: dict[int, float] = defaultdict(float)
    for q in s["leave_requests"]:
        if q["emp_code"] == code and q["status"] == "신청":
            pending[q["start_date"].year] += q["days"]
    rows = [
        [
            b["year"],
            b["granted_days"],
            b["used_days"],
            b["granted_days"] - b["used_days"],
            pending[b["year"]],
        ]
        for b in s["leave_balances"]
        if b["emp_code"] == code
    ]
    return sorted(rows, key=lambda r: -r[0])

"""Deterministic data for the sample ERP (한빛정밀): same (seed, scale, end), same rows.

Two years of business ending at `end` (default: today, so "이번 달" has data). Master data has a
fixed size; `scale` multiplies the transaction volume (1.0 → about 55,000 order lines).
Rows are tuples in the column order of `dari.erp.sample.schema`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dari.erp.sample import people
from dari.erp.sample.names import (
    CATEGORIES,
    COMPANY_HEADS,
    COMPANY_TAILS,
    REGIONS,
    WAREHOUSES,
)

Rows = list[Any]


@dataclass
class SampleData:
    tables: dict[str, Rows] = field(default_factory=dict)
    start: date = date(2000, 1, 1)
    end: date = date(2000, 1, 1)

    def count(self, table: str) -> int:
        return len(self.tables.get(table, []))


def generate(seed: int = 20261123, scale: float = 1.0, end: date | None = None) -> SampleData:
    """Build every table of the sample ERP in memory."""
    end = end or date.today()
    start = end - timedelta(days=730)
    rng = random.Random(seed)
    data = SampleData(start=start, end=end)
    t = data.tables
    t["departments"] = list(people.DEPARTMENTS)
    t["employees"] = people.employees(rng, end)
    reps = people.sales_reps()
    buyers: list[str] = [e[0] for e in t["employees"] if e[2] == "D300"]
    t["suppliers"] = [
        (f"S{i:04d}", _company(rng, i + 7), _biz_no(rng), rng.choice(REGIONS)) for i in range(1, 61)
    ]
    t["items"] = _items(rng)
    t["warehouses"] = list(WAREHOUSES)
    customers = []
    for i in range(1, 241):
        name = "한빛상사" if i == 1 else _company(rng, i)
        rep, dept = reps[(i - 1) % len(reps)]
        customers.append(
            (
                f"C{i:04d}",
                name,
                _biz_no(rng),
                people.name(rng),
                rng.choice(REGIONS),
                rep,
                dept,
                rng.choice((5, 10, 20, 30, 50)) * 10_000_000,
                rng.choice((30, 45, 60, 90)),
            )
        )
    t["customers"] = customers
    _sales(rng, t, start, end, scale)
    _stock(rng, t)
    _purchasing(rng, t, start, end, scale, buyers)
    t["leave_balances"], t["leave_requests"] = people.leave(rng, t["employees"], end)
    return data


def _company(rng: random.Random, i: int) -> str:
    return (
        f"{COMPANY_HEADS[i % len(COMPANY_HEADS)]}{rng.choice(COMPANY_TAILS)}{'' if i < 60 else i}"
    )


def _biz_no(rng: random.Random) -> str:
    return f"{rng.randint(100, 899)}-{rng.randint(10, 99)}-{rng.randint(10000, 99999)}"


def _items(rng: random.Random) -> Rows:
    rows: Rows = []
    for i in range(1, 401):
        category = list(CATEGORIES)[(i - 1) % len(CATEGORIES)]
        unit, low, high = CATEGORIES[category]
        price = rng.randint(low // 100, high // 100) * 100
        name = f"{category.split('/')[0]} {chr(65 + i % 26)}{100 + i}"
        rows.append(
            (
                f"P{i:05d}",
                name,
                category,
                unit,
                price,
                int(price * rng.uniform(0.55, 0.8)),
                rng.choice((20, 50, 100, 200)),
                f"S{(i % 60) + 1:04d}",
            )
        )
    return rows


def _weekdays(start: date, end: date) -> list[date]:
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return [d for d in days if d.weekday() < 5]


def _sales(rng: random.Random, t: dict[str, Rows], start: date, end: date, scale: float) -> None:
    customers, items = t["customers"], t["items"]
    weights = [1.0 / (i + 3) for i in range(len(customers))]  # a few big customers
    orders: Rows = []
    lines: Rows = []
    ships: Rows = []
    invoices: Rows = []
    inv_lines: Rows = []
    receipts: Rows = []
    per_day = max(1, round(30 * scale))
    seq = 0
    for day in _weekdays(start, end):
        for customer in rng.choices(customers, weights, k=rng.randint(per_day - 3, per_day + 3)):
            seq += 1
            order_no = f"SO{day:%y%m}{seq:06d}"
            age = (end - day).days
            due = day + timedelta(days=rng.randint(3, 21))
            status = (
                "취소"
                if rng.random() < 0.03
                else ("출하완료" if age > 25 else rng.choice(("접수", "부분출하", "출하완료")))
            )
            ship_day = min(end, due - timedelta(days=rng.randint(0, 2)))
            order_lines = []
            for line_no, item in enumerate(rng.sample(items, rng.randint(1, 6)), start=1):
                qty = rng.randint(1, 40) * (10 if item[3] == "BOX" else 1)
                price = int(item[4] * rng.choice((1.0, 1.0, 0.95, 0.9)))
                shipped = {"취소": 0, "접수": 0, "출하완료": qty}.get(status, qty // 2)
                order_lines.append((order_no, line_no, item[0], qty, price, qty * price, shipped))
                if shipped:
                    wh = (
                        "W03"
                        if customer[4] in ("부산", "울산", "경남")
                        else rng.choice(("W01", "W02"))
                    )
                    ships.append(
                        (
                            f"SH{order_no[2:]}{line_no}",
                            order_no,
                            line_no,
                            ship_day,
                            wh,
                            item[0],
                            shipped,
                        )
                    )
            orders.append((order_no, day, customer[0], customer[5], customer[6], due, status))
            lines.extend(order_lines)
            if status == "출하완료":
                _invoice(rng, order_lines, customer, ship_day, end, invoices, inv_lines, receipts)
    t.update(
        sales_orders=orders,
        sales_order_lines=lines,
        shipments=ships,
        sales_invoices=invoices,
        sales_invoice_lines=inv_lines,
        receipts=receipts,
    )


def _invoice(
    rng: random.Random,
    order_lines: Rows,
    customer: Any,
    day: date,
    end: date,
    invoices: Rows,
    inv_lines: Rows,
    receipts: Rows,
) -> None:
    order_no = str(order_lines[0][0])
    invoice_no = f"TI{order_no[2:]}"
    supply = sum(int(line[5]) for line in order_lines)
    vat = supply // 10
    due = day + timedelta(days=int(customer[8]))
    invoices.append(
        (
            invoice_no,
            day,
            customer[0],
            order_no,
            customer[5],
            customer[6],
            supply,
            vat,
            supply + vat,
            due,
        )
    )
    inv_lines.extend((invoice_no, ln[1], ln[2], ln[6], ln[5]) for ln in order_lines)
    roll = rng.random()
    if due <= end and roll < 0.9:  # most invoices are paid around their due date
        paid = min(end, due + timedelta(days=rng.randint(-10, 15)))
        receipts.append(
            (f"RC{invoice_no[2:]}", max(day, paid), customer[0], invoice_no, supply + vat)
        )
    elif roll < 0.95 and day + timedelta(days=5) <= end:  # partial payment, rest outstanding
        receipts.append(
            (
                f"RC{invoice_no[2:]}",
                day + timedelta(days=5),
                customer[0],
                invoice_no,
                (supply + vat) // 2,
            )
        )


def _stock(rng: random.Random, t: dict[str, Rows]) -> None:
    rows: Rows = []
    for item in t["items"]:
        short = rng.random() < 0.12  # some items fall below their safety stock
        for wh in ("W01", "W02", "W03"):
            base = int(item[6]) // 3 if short else int(item[6])
            rows.append(
                (wh, item[0], rng.randint(0, base) if short else rng.randint(base // 2, base * 3))
            )
    t["stock"] = rows


def _purchasing(
    rng: random.Random, t: dict[str, Rows], start: date, end: date, scale: float, buyers: list[str]
) -> None:
    items = t["items"]
    pos: Rows = []
    po_lines: Rows = []
    grs: Rows = []
    seq = 0
    for day in _weekdays(start, end):
        for _ in range(rng.randint(0, max(1, round(8 * scale)))):
            seq += 1
            po_no = f"PO{day:%y%m}{seq:05d}"
            supplier = f"S{rng.randint(1, 60):04d}"
            due = day + timedelta(days=rng.randint(7, 30))
            age = (end - due).days
            status = (
                "취소"
                if rng.random() < 0.02
                else (
                    "입고완료" if age > 3 else rng.choice(("발주", "발주", "부분입고", "입고완료"))
                )
            )
            for line_no, item in enumerate(rng.sample(items, rng.randint(1, 4)), start=1):
                qty = rng.randint(5, 60) * 10
                price = int(item[5])
                received = {"취소": 0, "발주": 0, "입고완료": qty}.get(status, qty // 2)
                po_lines.append((po_no, line_no, item[0], qty, price, qty * price, received))
                if received:
                    grs.append(
                        (
                            f"GR{po_no[2:]}{line_no}",
                            po_no,
                            line_no,
                            min(end, due + timedelta(days=rng.randint(-3, 3))),
                            rng.choice(("W01", "W02")),
                            item[0],
                            received,
                        )
                    )
            pos.append((po_no, day, supplier, rng.choice(buyers), due, status))
    t.update(purchase_orders=pos, purchase_order_lines=po_lines, goods_receipts=grs)

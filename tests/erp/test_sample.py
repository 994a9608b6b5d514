"""The sample ERP: deterministic, realistic volumes, internally consistent, loads anywhere."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from dari.config.erp import ErpSettings
from dari.config.server import ServerSettings
from dari.core.runtime import build_runtime
from dari.erp import lifecycle
from dari.erp.connectors import async_url
from dari.erp.sample.generate import generate
from dari.erp.service import sample_path
from tests.conftest import make_settings
from tests.erp.conftest import END, SCALE, SEED, Sample


def test_same_seed_same_data_other_seed_other_data() -> None:
    a = generate(seed=1, scale=0.02, end=END)
    assert a.tables == generate(seed=1, scale=0.02, end=END).tables
    assert a.tables["sales_orders"] != generate(seed=2, scale=0.02, end=END).tables["sales_orders"]


@pytest.mark.slow
def test_full_size_volumes() -> None:
    data = generate(end=END)
    assert data.count("sales_order_lines") >= 50_000
    dates = [row[1] for row in data.tables["sales_orders"]]
    assert max(dates) == END == date(2026, 11, 23)  # a Monday: "today" has orders
    assert (max(dates) - min(dates)).days >= 728  # two years of business days
    assert data.start <= END - timedelta(days=730) and data.end == END
    assert {row[1] for row in data.tables["customers"]} >= {"한빛상사"}


def test_rows_are_consistent(sample: Sample) -> None:
    lines = defaultdict(int)
    for line in sample["sales_invoice_lines"]:
        lines[line["invoice_no"]] += line["supply_amount"]
    for inv in sample["sales_invoices"]:
        assert lines[inv["invoice_no"]] == inv["supply_amount"]
        assert inv["total_amount"] == inv["supply_amount"] + inv["vat"]
    shipped = defaultdict(int)
    for ship in sample["shipments"]:
        shipped[(ship["order_no"], ship["line_no"])] += ship["qty"]
    for line in sample["sales_order_lines"]:
        assert shipped[(line["order_no"], line["line_no"])] == line["shipped_qty"] <= line["qty"]
    used = defaultdict(float)
    for req in sample["leave_requests"]:
        if req["status"] == "승인":
            used[(req["emp_code"], req["start_date"].year)] += req["days"]
    for bal in sample["leave_balances"]:
        assert used[(bal["emp_code"], bal["year"])] == bal["used_days"] <= bal["granted_days"]
    reps = {c["sales_rep"] for c in sample["customers"]}
    assert reps == {"E1001", "E1002", "E1005", "E1003", "E1004", "E1006"}
    codes = {e["emp_code"] for e in sample["employees"]}
    assert {"E1001", "E1003", "E1010", "E1020", "E1000", "E5001"} <= codes


async def test_loaded_database_matches_the_generator(erp_url: str, sample: Sample) -> None:
    engine = create_async_engine(async_url(erp_url))
    try:
        async with engine.connect() as connection:
            for table in ("sales_order_lines", "sales_invoices", "receipts", "stock"):
                count = (await connection.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar()
                assert count == len(sample[table])
            name = (
                await connection.execute(
                    text("SELECT customer_name FROM customers WHERE customer_code = 'C0001'")
                )
            ).scalar()
            assert name == "한빛상사"
    finally:
        await engine.dispose()
    assert (SEED, SCALE) == (7, 0.08)


async def test_development_startup_creates_the_sample_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(
        tmp_path,
        server=ServerSettings(env="development", data_dir=tmp_path),
        erp=ErpSettings(url=""),
    )
    runtime = build_runtime(settings)
    calls: list[str] = []

    async def small(url: str, **kwargs: object) -> object:
        calls.append(url)
        from dari.erp.sample.load import load_sample

        return await load_sample(url, scale=0.01, end=END)

    monkeypatch.setattr(lifecycle, "load_sample", small)
    try:
        await lifecycle.startup(runtime)
        task = runtime.peek(lifecycle.TASK)
        assert task is not None
        await task
        assert sample_path(settings).exists() and len(calls) == 1
        await lifecycle.shutdown(runtime)
        await lifecycle.startup(runtime)  # exists now: nothing to do
        assert runtime.peek(lifecycle.TASK) is None
    finally:
        await runtime.close()

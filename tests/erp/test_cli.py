"""`dari erp …` in-process through Typer's runner, with a fresh data directory."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner, Result

from dari.audit.models import AuditEvent
from dari.cli.main import app
from dari.core.runtime import build_runtime
from dari.erp.catalog import parse_catalog
from dari.erp.sample.schema import metadata
from tests.conftest import make_settings
from tests.fixtures.auth import create_test_user

Dari = Callable[..., Result]


@pytest.fixture
def data(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("DARI_"):
            monkeypatch.delenv(name)
    directory = tmp_path / "data"
    directory.mkdir()
    shutil.copy(sqlite_template, directory / "dari.db")
    monkeypatch.setenv("DARI_DATA_DIR", str(directory))
    monkeypatch.chdir(tmp_path)
    return directory


@pytest.fixture
def dari(data: Path) -> Dari:
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def run_with_runtime(data: Path, work: Callable[[Any], Any]) -> Any:
    async def go() -> Any:
        runtime = build_runtime(make_settings(data))
        try:
            return await work(runtime)
        finally:
            await runtime.close()

    return asyncio.run(go())


def test_sample_tools_call_and_check(dari: Dari, data: Path) -> None:
    loaded = dari("erp", "sample", "--scale", "0.02", "--end", "2026-11-23")
    assert loaded.exit_code == 0, loaded.output
    assert (data / "erp-sample.db").exists() and "order lines" in loaded.output
    run_with_runtime(
        data,
        lambda rt: create_test_user(
            rt, username="emp", roles=("employee",), attributes={"erp_employee_code": "E1002"}
        ),
    )
    listed = dari("erp", "tools", "--json")
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)) >= 16
    mine = dari("erp", "tools", "--as", "emp")
    assert [line.split()[0] for line in mine.stdout.splitlines()] == ["my_leave_balance"]

    called = dari("erp", "call", "my_leave_balance", "--as", "emp", "--json")
    assert called.exit_code == 0, called.output
    body = json.loads(called.stdout)
    assert body["tool"] == "my_leave_balance" and body["row_count"] == len(body["rows"]) >= 1
    table = dari("erp", "call", "my_leave_balance", "--as", "emp", "--args", '{"year": 2026}')
    assert table.exit_code == 0 and table.stdout.splitlines()[0].startswith("연도\t발생 연차(일)")

    denied = dari(
        "erp",
        "call",
        "sales_by_period",
        "--as",
        "emp",
        "--args",
        '{"date_from": "2026-11-01", "date_to": "2026-11-23"}',
    )
    assert denied.exit_code == 1 and "erp_forbidden" in denied.output
    assert dari("erp", "call", "my_leave_balance", "--as", "emp", "--args", "{x").exit_code == 2
    ghost = dari("erp", "call", "my_leave_balance", "--as", "ghost")
    assert ghost.exit_code == 1 and "ghost" in ghost.output

    async def events(runtime: Any) -> list[tuple[str, str | None]]:
        async with runtime.sessionmaker() as session:
            rows = (await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
        return [(e.outcome, e.subject_id) for e in rows if e.action == "erp.call"]

    assert run_with_runtime(data, events) == [
        ("ok", "my_leave_balance"),
        ("ok", "my_leave_balance"),
        ("denied", "sales_by_period"),
    ]
    checked = dari("erp", "check")
    assert checked.exit_code == 0 and "ERP connection ok" in checked.stdout


def test_introspect_prints_a_loadable_starter_catalog(dari: Dari, data: Path) -> None:
    url = f"sqlite:///{data / 'other.db'}"
    assert dari("erp", "sample", "--url", url, "--scale", "0.01").exit_code == 0
    printed = dari("erp", "introspect", "--url", url)
    assert printed.exit_code == 0, printed.output
    catalog = parse_catalog(yaml.safe_load(printed.stdout))
    assert catalog.query is not None
    assert set(catalog.query.tables) == {t.name for t in metadata.sorted_tables}
    assert "sales_order_lines: primary key ['order_no', 'line_no']" in printed.stdout
    names = {t.name for t in catalog.tools}
    assert {"customers_info", "items_info", "sales_invoices_by_month"} <= names
    assert catalog.entities["customer"].name == "customer_name"
    assert "email" not in catalog.query.tables["employees"].columns
    missing = dari("erp", "introspect", "--url", f"sqlite:///{data / 'nope.db'}")
    assert missing.exit_code == 1 and "cannot read" in missing.output


def test_bad_options(dari: Dari, data: Path) -> None:
    bad_end = dari("erp", "sample", "--end", "yesterday")
    assert bad_end.exit_code == 2 and "--end" in bad_end.output
    unreachable = dari("erp", "sample", "--url", "mysql+asyncmy://x:y@127.0.0.1:9/erp")
    assert unreachable.exit_code == 1 and "y@" not in unreachable.output


def test_bench_prints_numbers(dari: Dari) -> None:
    result = dari("bench", "erp", "--scale", "0.01", "--rounds", "1", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["order_lines"] > 0 and body["erp_query_ms"] > 0
    assert set(body["tools"]) >= {"sales_by_period", "stock_shortages"}
    assert all(row["raw_ms"] > 0 and row["ratio"] > 0 for row in body["tools"].values())

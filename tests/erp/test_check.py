"""`dari erp check`: what an admin must still finish in a catalog, with YAML line numbers."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dari.cli.main import app
from dari.erp.check import check_catalog
from dari.erp.introspect import describe_database
from dari.erp.sample import CATALOG_PATH

CATALOG = """\
version: 1
name: 테스트 ERP
definitions:
  scope: &scope
    - permission: "erp_scope:all"
    - roles: [manager, ghost_role]
      where: "o.owner_code = :user.erp_employee_code"
tools:
  - name: order_list
    description_ko: Orders
    description_en: Orders
    parameters:
      type: object
      properties:
        customer: {type: string, entity: customer}
    sql: "SELECT o.order_no FROM orders o WHERE o.cust = COALESCE(:customer, o.cust) AND {scope}"
    row_scope: *scope
    columns: [{name: order_no, label: 주문 번호}]
  - name: order_total
    description_ko: 주문 합계 (편집하세요)
    description_en: Order total
    permission: sales:total
    examples: [주문 합계 얼마야?]
    sql: "SELECT SUM(o.amount) AS total FROM orders o JOIN clients c ON c.code=o.cust WHERE {scope}"
    row_scope:
      - where: "c.region IN (SELECT region FROM regions WHERE boss = :user.erp_employee_code)"
    columns: [{name: total, label: 합계, unit: 원}]
query:
  roles: {admin: ["*"], nobody: [orders]}
  tables:
    orders:
      columns: {order_no: 주문 번호, amount: 금액}
      row_scope:
        - where: "rep = :user.erp_employee_code"
"""
SCHEMA = {
    "orders": ["order_no", "cust", "amount", "owner", "rep"],
    "clients": ["code", "name", "region"],
    "regions": ["region", "manager"],
}
ROLES = {"admin": ["*"], "manager": ["erp:*"], "employee": ["erp:my_leave_balance"]}


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "erp.yaml"
    path.write_text(CATALOG, encoding="utf-8")
    return path


def found(report) -> set[tuple[str, int | None, str]]:
    return {(f.severity, f.line, f.message) for f in report.findings}


def test_reports_what_is_missing_with_line_numbers(catalog: Path) -> None:
    report = check_catalog(catalog, schema=SCHEMA, role_permissions=ROLES, dialect="sqlite")
    assert found(report) == {
        ("error", 10, "tool 'order_list': description_ko has no Korean (the assistant and the "
         "LLM read it)"),
        ("error", 9, "tool 'order_list': no `examples:` — the router cannot route a question to "
         "it (write 10–25 Korean questions)"),
        ("error", 15, "tool 'order_list': parameter 'customer' names entity kind 'customer', "
         "which `entities:` does not declare"),
        # the anchored rule is reported where it is written
        ("error", 7, "tool 'order_list': row_scope uses column 'owner_code', which orders does "
         "not have in the ERP"),
        ("warning", 6, "tool 'order_list': row_scope names role 'ghost_role', which does not "
         "exist"),
        ("warning", 20, "tool 'order_total': description_ko is still the introspected starter "
         "text"),
        ("warning", 19, "tool 'order_total': no role may call it except admin "
         "(`dari roles grant ROLE sales:total`)"),
        # `boss` is read in the sub-query's table, `region` outside it in clients (alias c)
        ("error", 26, "tool 'order_total': row_scope uses column 'boss', which regions does not "
         "have in the ERP"),
        ("warning", 29, "query.roles: role 'nobody' does not exist"),
    }  # fmt: skip
    assert report.lines()[-1] == "5 error(s), 4 warning(s)"
    assert report.lines()[0] == (
        f"{catalog}:7: error: tool 'order_list': row_scope uses column 'owner_code', which "
        "orders does not have in the ERP"
    )


def test_without_the_erp_scope_columns_are_compared_with_query_tables(catalog: Path) -> None:
    report = check_catalog(catalog, schema=None, role_permissions=None)
    scope = {f for f in found(report) if "row_scope uses" in f[2]}
    assert scope == {
        ("warning", 7, "tool 'order_list': row_scope uses column 'owner_code', not among "
         "query.tables.orders.columns (check it with the ERP reachable)"),
        ("warning", 34, "query table 'orders': row_scope uses column 'rep', not among "
         "query.tables.orders.columns (check it with the ERP reachable)"),
    }  # fmt: skip
    assert not any("no role may call" in f[2] for f in found(report))
    assert len(report.notes) == 2


def test_live_schema_checks_query_tables_and_entities(catalog: Path, tmp_path: Path) -> None:
    text = CATALOG.replace("amount: 금액}", "amount: 금액, vat: 부가세}") + (
        "entities:\n"
        "  customer: {label: 거래처, table: clients, code: code, name: client_name}\n"
        "  region: {label: 지역, table: areas, name: region}\n"
    )
    catalog.write_text(text, encoding="utf-8")
    report = check_catalog(catalog, schema=SCHEMA, role_permissions=ROLES)
    messages = {(f.line, f.message) for f in report.errors}
    assert (32, "query table 'orders': column(s) ['vat'] not in the ERP") in messages
    assert (36, "entity 'customer': clients has no column 'client_name'") in messages
    assert (37, "entity 'region': no table areas") in messages
    assert not any("entity kind 'customer'" in m for _, m in messages)  # now declared


def test_invalid_catalog_points_at_the_tool(catalog: Path) -> None:
    catalog.write_text(CATALOG.replace('    sql: "SELECT SUM', '    sqll: "SELECT SUM'))
    report = check_catalog(catalog)
    assert (report.findings[0].severity, report.findings[0].line) == ("error", 19)
    assert "tool 'order_total'" in report.findings[0].message
    catalog.write_text("tools: [\n  - x: 1\n")
    broken = check_catalog(catalog)
    assert broken.errors and broken.errors[0].line is not None
    assert broken.errors[0].message.startswith("not valid YAML")


def test_sample_catalog_is_complete(erp_url: str) -> None:
    tables = asyncio.run(describe_database(erp_url))
    schema = {t["name"]: [c["name"] for c in t["columns"]] for t in tables}
    dialect = "sqlite" if erp_url.startswith("sqlite") else "mysql"
    report = check_catalog(CATALOG_PATH, schema=schema, role_permissions=ROLES, dialect=dialect)
    assert report.findings == []


@pytest.fixture
def dari(tmp_path: Path, sqlite_template: Path, sqlite_erp: str, monkeypatch: pytest.MonkeyPatch):
    for name in list(os.environ):
        if name.startswith("DARI_"):
            monkeypatch.delenv(name)
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(sqlite_template, data / "dari.db")
    monkeypatch.setenv("DARI_DATA_DIR", str(data))
    monkeypatch.setenv("DARI_ERP_URL", sqlite_erp)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_cli_exit_codes(dari, catalog: Path, tmp_path: Path) -> None:
    failing = dari("erp", "check", "--catalog", str(catalog))
    assert failing.exit_code == 1, failing.output
    assert f"{catalog}:9: error: tool 'order_list': no `examples:`" in failing.stdout
    assert "ERP connection ok" in failing.stdout
    # the sample ERP has no `orders`: its columns cannot be compared, `rep` is then not checked
    assert "'rep'" not in failing.stdout

    warnings_only = tmp_path / "warn.yaml"
    text = CATALOG_PATH.read_text(encoding="utf-8").replace(
        "name: sales_by_period\n", "name: sales_by_period\n    permission: sales:period\n"
    )
    warnings_only.write_text(text, encoding="utf-8")
    passed = dari("erp", "check", "--catalog", str(warnings_only))
    assert passed.exit_code == 0, passed.output
    assert "warning: tool 'sales_by_period': no role may call it except admin" in passed.stdout
    assert "0 error(s), 1 warning(s)" in passed.stdout

    assert dari("erp", "check").exit_code == 0
    missing = dari("erp", "check", "--catalog", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 1 and "cannot read the catalog" in missing.stdout

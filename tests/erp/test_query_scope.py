"""`erp_query` row scope cannot be captured by names in the user's SQL (issue 14).

A scope predicate reads real tables (`departments`, `sales_orders`, `orders` …). A user CTE,
nested WITH, derived-table alias or table alias named like one of them must not change what the
predicate reads, nor may its columns bind to the user's query. Checked on the sample ERP and on
a catalog for another schema (orders / order_details / invoices), on SQLite and MariaDB;
expected answers are computed in Python from the loaded rows.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlglot
import yaml
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlglot import exp

from dari.erp.base import ErpError
from dari.erp.sample import CATALOG_PATH
from dari.erp.scope import resolve
from dari.erp.toolset import ErpToolset
from tests.conftest import MARIADB_URL, WORKER, _real_unavailable
from tests.erp.conftest import MANAGER1, AuditLog, Sample, make_toolset, principal

# --- the sample ERP, as 영업1팀's manager ----------------------------------------------------


def team_of(sample: Sample, dept: str) -> set[str]:
    return {
        d["dept_code"] for d in sample["departments"] if dept in (d["dept_code"], d["parent_code"])
    }


async def one(toolset: ErpToolset, sql: str, audit: AuditLog, who: Any = MANAGER1) -> Any:
    result = await toolset.call_tool(who, "erp_query", {"sql": sql}, audit=audit)
    assert audit.last["outcome"] == "ok"
    return result.rows


async def test_cte_named_like_a_scope_table_cannot_widen_the_scope(
    toolset: ErpToolset, sample: Sample, audit: AuditLog
) -> None:
    team = team_of(sample, "D110")
    invoices = [i for i in sample["sales_invoices"] if i["dept_code"] in team]
    n = len(invoices)
    assert 0 < n < len(sample["sales_invoices"])
    numbers = {i["invoice_no"] for i in invoices}
    lines = sum(1 for line in sample["sales_invoice_lines"] if line["invoice_no"] in numbers)
    count = "SELECT COUNT(*) AS n FROM sales_invoices"
    cases = [
        (count, n),
        (f"WITH departments AS (SELECT 'D110' AS parent_code) {count}", n),
        (f"WITH Departments AS (SELECT 'D110' AS parent_code) {count}", n),
        (f"WITH x AS (SELECT 1 AS a), departments AS (SELECT 'D110' AS parent_code) {count}", n),
        # nested WITH: in a derived table, in a CTE body, in a scalar subquery
        (
            "SELECT COUNT(*) FROM (WITH departments AS (SELECT 'D110' AS parent_code) "
            "SELECT invoice_no FROM sales_invoices) AS t",
            n,
        ),
        (
            "WITH t AS (WITH departments AS (SELECT 'D110' AS parent_code) "
            "SELECT invoice_no FROM sales_invoices) SELECT COUNT(*) FROM t",
            n,
        ),
        (
            "SELECT (WITH departments AS (SELECT 'D110' AS parent_code) SELECT COUNT(*) "
            "FROM sales_invoice_lines) AS n FROM items WHERE item_code = 'P00001'",
            lines,
        ),
        # aliases named like the predicate's tables
        (
            "SELECT COUNT(*) FROM (SELECT 'D120' AS dept_code, 'D110' AS parent_code) "
            "AS departments, sales_invoices",
            n,
        ),
        ("SELECT COUNT(*) FROM sales_invoices AS departments", n),
    ]
    for sql, want in cases:
        assert await one(toolset, sql, audit) == [[want]], sql


async def test_other_teams_customer_and_order_lines_stay_hidden(
    toolset: ErpToolset, sample: Sample, audit: AuditLog
) -> None:
    team = team_of(sample, "D110")
    other = next(c["customer_code"] for c in sample["customers"] if c["dept_code"] == "D120")
    hidden = (
        "WITH departments AS (SELECT 'D120' AS dept_code, 'D110' AS parent_code) "
        "SELECT customer_code, SUM(total_amount) FROM sales_invoices "
        f"WHERE customer_code = '{other}' GROUP BY customer_code"
    )
    assert await one(toolset, hidden, audit) == []
    orders = {o["order_no"] for o in sample["sales_orders"] if o["dept_code"] in team}
    mine = sum(1 for line in sample["sales_order_lines"] if line["order_no"] in orders)
    assert 0 < mine < len(sample["sales_order_lines"])
    for sql in (
        "WITH sales_orders AS (SELECT 'D110' AS dept_code) SELECT COUNT(*) FROM sales_order_lines",
        "WITH departments AS (SELECT 'D110' AS parent_code), sales_orders AS "
        "(SELECT 'D110' AS dept_code) SELECT COUNT(*) FROM sales_order_lines",
    ):
        assert await one(toolset, sql, audit) == [[mine]], sql


async def test_every_shipped_scope_rule_reads_real_tables(
    erp_url: str, tmp_path: Path, audit: AuditLog
) -> None:
    """Each row-scope rule of the shipped catalog, for a rep and a manager, gives the same count
    when the query also defines a CTE named like every table the rule reads."""
    data = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    data["query"]["roles"]["sales"] = data["query"]["roles"]["manager"]
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    toolset = make_toolset(erp_url, catalog, timeout_s=20)
    rep = principal("kimq", {"employee", "sales"}, {"erp:query"}, erp_employee_code="E1001")
    checked = 0
    try:
        for who in (rep, MANAGER1):
            for name, table in toolset.catalog.query.tables.items():  # type: ignore[union-attr]
                where = resolve(table.row_scope, who).where
                if where is None or name not in data["query"]["roles"]["sales"]:
                    continue
                read = {t.name for t in sqlglot.parse_one(where).find_all(exp.Table)} - {name}
                plain = f"SELECT COUNT(*) FROM {name}"
                shadows = ", ".join(f"{t} AS (SELECT 1 AS unrelated)" for t in sorted(read))
                want = await one(toolset, plain, audit, who)
                if shadows:
                    assert await one(toolset, f"WITH {shadows} {plain}", audit, who) == want
                    checked += 1
    finally:
        await toolset.close()
    assert checked >= 8  # sales_order_lines, sales_invoice_lines, receipts … for both people


# --- a catalog for another schema ------------------------------------------------------------

ORDERS = [(i, str(i * 7 % 9 + 1), f"CU{i % 13:02d}") for i in range(1, 91)]
LINES = [(o, k, (o * 3 + k) % 20 + 1) for o, _, _ in ORDERS for k in range(1, o * 5 % 4 + 2)]
INVOICES = [(o, o, o * 100) for o, _, _ in ORDERS if o % 3]
EMPLOYEES = [(str(e), f"사원{e}") for e in range(1, 10)]
TABLES: dict[str, tuple[str, list[tuple[Any, ...]]]] = {
    "employees": ("employee_id VARCHAR(10), emp_name VARCHAR(40)", EMPLOYEES),
    "orders": ("order_id INT, employee_id VARCHAR(10), customer_id VARCHAR(10)", ORDERS),
    "order_details": ("order_id INT, line_no INT, product_id INT", LINES),
    "invoices": ("invoice_id INT, order_id INT, amount INT", INVOICES),
    "shipments": ("order_id INT, carrier VARCHAR(20)", [(o, "택배") for o, _, _ in ORDERS]),
}
ALL = {"permission": "erp_scope:all"}
CATALOG = {
    "version": 1,
    "name": "다른 스키마",
    "query": {
        "roles": {"clerk": list(TABLES)},
        "tables": {
            "employees": {"columns": {"employee_id": "사번", "emp_name": "이름"}},
            "orders": {
                "columns": {"order_id": "주문", "employee_id": "담당", "customer_id": "고객"},
                "row_scope": [ALL, {"where": "employee_id = :user.erp_employee_code"}],
            },
            "order_details": {
                "columns": {"order_id": "주문", "line_no": "행", "product_id": "제품"},
                "row_scope": [
                    ALL,
                    {
                        "where": "order_id IN (SELECT order_id FROM orders "
                        "WHERE employee_id = :user.erp_employee_code)"
                    },
                ],
            },
            "invoices": {
                "columns": {"invoice_id": "계산서", "order_id": "주문", "amount": "금액"},
                "row_scope": [
                    ALL,
                    {
                        "where": "EXISTS (SELECT 1 FROM orders o WHERE o.order_id = "
                        "invoices.order_id AND o.employee_id = :user.erp_employee_code)"
                    },
                ],
            },
            # A careless rule: shipments has no employee_id. It must fail, never bind to the
            # user's query (SQLite would read the caller's employees.employee_id).
            "shipments": {
                "columns": {"order_id": "주문", "carrier": "운송사"},
                "row_scope": [ALL, {"where": "employee_id = :user.erp_employee_code"}],
            },
        },
    },
}
CLERK = principal("clerk5", {"clerk"}, {"erp:query"}, erp_employee_code="5")
MY_ORDERS = {o for o, emp, _ in ORDERS if emp == "5"}
MY_LINES = sum(1 for o, _, _ in LINES if o in MY_ORDERS)
MY_INVOICES = sorted(i for i, o, _ in INVOICES if o in MY_ORDERS)


def _values(row: tuple[Any, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in row) + ")"


def create_statements() -> list[str]:
    """The other schema's DDL and rows (plain SQL both SQLite and MariaDB accept)."""
    sql = [f"CREATE TABLE {name} ({columns})" for name, (columns, _) in TABLES.items()]
    for name, (_, rows) in TABLES.items():
        sql.append(f"INSERT INTO {name} VALUES {', '.join(_values(r) for r in rows)}")
    return sql


@pytest.fixture(scope="module")
def orders_sqlite(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("orders") / "orders.db"
    with sqlite3.connect(path) as connection:
        for statement in create_statements():
            connection.execute(statement)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="module")
def orders_mariadb() -> Iterator[str]:
    if not MARIADB_URL:
        pytest.skip("MariaDB tests need CI=true or DARI_TEST_MARIADB_URL")
    server = make_url(MARIADB_URL)
    name = f"dari_orders_{WORKER}_{uuid.uuid4().hex[:8]}"

    async def run(*statements: str, database: str = "") -> None:
        engine = create_async_engine(server.set(database=database))
        try:
            async with engine.begin() as connection:
                for statement in statements:
                    await connection.execute(text(statement))
        finally:
            await engine.dispose()

    try:
        asyncio.run(run(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    except Exception as exc:
        _real_unavailable("MariaDB", str(exc).splitlines()[0])
    asyncio.run(run(*create_statements(), database=name))
    yield server.set(database=name).render_as_string(hide_password=False)
    asyncio.run(run(f"DROP DATABASE IF EXISTS `{name}`"))


@pytest.fixture(params=["sqlite", "mariadb"])
def orders_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"orders_{request.param}"))


@pytest.fixture
async def orders_toolset(orders_url: str, tmp_path: Path) -> AsyncIterator[ErpToolset]:
    catalog = tmp_path / "orders.yaml"
    catalog.write_text(yaml.safe_dump(CATALOG, allow_unicode=True), encoding="utf-8")
    toolset = make_toolset(orders_url, catalog, timeout_s=20)
    yield toolset
    await toolset.close()


async def test_other_schema_scope_is_not_captured(
    orders_toolset: ErpToolset, audit: AuditLog
) -> None:
    assert 0 < MY_LINES < len(LINES) and 0 < len(MY_INVOICES) < len(INVOICES)
    count = "SELECT COUNT(*) FROM order_details"
    for sql in (
        count,
        f"WITH orders AS (SELECT '5' AS employee_id) {count}",
        f"WITH ORDERS AS (SELECT '5' AS employee_id) {count}",
        "SELECT COUNT(*) FROM (WITH orders AS (SELECT '5' AS employee_id) "
        "SELECT order_id FROM order_details) AS x",
        "WITH x AS (WITH orders AS (SELECT '5' AS employee_id) SELECT order_id "
        "FROM order_details) SELECT COUNT(*) FROM x",
        "SELECT COUNT(*) FROM (SELECT '5' AS employee_id) AS orders, order_details",
        "SELECT COUNT(*) FROM order_details AS orders",
    ):
        assert await one(orders_toolset, sql, audit, CLERK) == [[MY_LINES]], sql
    others = sorted(o for o, emp, _ in ORDERS if emp != "5" and o % 3)[:3]
    forged = " UNION ALL ".join(f"SELECT {o} AS order_id, '5' AS employee_id" for o in others)
    invoices = f"WITH orders AS ({forged}) SELECT invoice_id FROM invoices ORDER BY invoice_id"
    assert [r[0] for r in await one(orders_toolset, invoices, audit, CLERK)] == MY_INVOICES


async def test_scope_predicate_columns_never_bind_to_the_users_query(
    orders_toolset: ErpToolset, audit: AuditLog
) -> None:
    sql = "SELECT e.employee_id, (SELECT COUNT(*) FROM shipments) AS n FROM employees e"
    with pytest.raises(ErpError) as caught:
        await orders_toolset.call_tool(CLERK, "erp_query", {"sql": sql}, audit=audit)
    assert caught.value.code == "erp_failed" and audit.last["outcome"] == "failed"

"""The `erp_query` guard: every kind of bad SQL refused before it runs, on SQLite and MariaDB."""

from __future__ import annotations

import pytest

from dari.erp.base import ErpError
from dari.erp.toolset import ErpToolset
from tests.erp.conftest import ADMIN, EMPLOYEE, MANAGER1, MANAGER2, REP1, AuditLog, Sample

REFUSED = {
    "insert": "INSERT INTO customers (customer_code, customer_name) VALUES ('X1', 'x')",
    "update": "UPDATE customers SET credit_limit = 0",
    "delete": "DELETE FROM stock",
    "drop": "DROP TABLE stock",
    "create": "CREATE TABLE x AS SELECT * FROM customers",
    "stacked": "SELECT item_code FROM items; DELETE FROM stock",
    "stacked_select": "SELECT item_code FROM items; SELECT 1",
    "line_comment": "SELECT item_code FROM items -- WHERE 1=0",
    "block_comment": "SELECT item_code /* hi */ FROM items",
    "hash_comment": "SELECT item_code FROM items # x",
    "union_forbidden_table": "SELECT item_name FROM items UNION SELECT emp_name FROM employees",
    "subquery_forbidden_table": "SELECT item_code FROM items WHERE item_code IN "
    "(SELECT emp_code FROM employees)",
    "forbidden_column": "SELECT ceo_name FROM customers",
    "forbidden_column_qualified": "SELECT c.biz_no FROM customers c",
    "sleep": "SELECT SLEEP(10)",
    "benchmark": "SELECT BENCHMARK(100000000, 1)",
    "load_file": "SELECT LOAD_FILE('/etc/passwd')",
    "pg_sleep": "SELECT pg_sleep(10)",
    "unknown_function": "SELECT my_udf(item_code) FROM items",
    "information_schema": "SELECT table_name FROM information_schema.tables",
    "mysql_schema": "SELECT user FROM mysql.user",
    "sqlite_master": "SELECT name FROM sqlite_master",
    "other_schema": "SELECT * FROM other_db.customers",
    "session_variable": "SELECT @@version",
    "for_update": "SELECT item_code FROM items FOR UPDATE",
    "into_outfile": "SELECT item_code FROM items INTO OUTFILE '/tmp/x'",
    "not_sql": "안녕하세요 매출 알려줘",
    "empty": "   ",
    "set": "SET SESSION TRANSACTION READ WRITE",
    "limit_expression": "SELECT item_code FROM items LIMIT (SELECT 5)",
    "cte_shadows_forbidden_table": "WITH employees AS (SELECT * FROM employees) "
    "SELECT * FROM employees",
    "cte_shadows_scoped_table": "WITH customers AS (SELECT * FROM customers) "
    "SELECT customer_code FROM customers",
    "recursive_cte": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
    "SELECT COUNT(*) FROM c",
    "recursive_cte_named_like_scope_table": "WITH RECURSIVE departments AS "
    "(SELECT 'D110' AS parent_code) SELECT COUNT(*) FROM sales_invoices",
    # SQLite reads a CTE naming itself as recursive even without the RECURSIVE keyword
    "self_referencing_cte": "WITH departments(parent_code) AS (SELECT 'D110' UNION ALL "
    "SELECT parent_code FROM departments WHERE 1 = 0) SELECT COUNT(*) FROM sales_invoices",
    "table_function": "SELECT * FROM json_each('[1,2]')",
    # sqlglot recurses per nesting level: refused, not an erp_failed crash
    "deeply_nested": "SELECT " + "ABS(" * 200 + "1" + ")" * 200,
}


@pytest.mark.parametrize("case", sorted(REFUSED))
async def test_bad_sql_is_refused_and_audited(
    toolset: ErpToolset, sample: Sample, audit: AuditLog, case: str
) -> None:
    with pytest.raises(ErpError) as caught:
        await toolset.call_tool(ADMIN, "erp_query", {"sql": REFUSED[case]}, audit=audit)
    assert caught.value.code == "erp_query_refused", caught.value
    assert caught.value.message.startswith("SQL이 거부되었습니다")
    assert (
        audit.last["outcome"] == "denied" and audit.last["details"]["code"] == "erp_query_refused"
    )
    # Nothing ran: the data is intact.
    count = await toolset.call_tool(
        ADMIN, "erp_query", {"sql": "SELECT COUNT(*) AS n FROM stock"}, audit=audit
    )
    assert count.rows == [[len(sample["stock"])]]


# Who and where the ERP server is (issue 14): sqlglot parses several of these into classes such
# as CurrentVersion/CurrentSchema/CurrentRole, which a name-only deny-list never saw.
IDENTITY = {
    "version": "SELECT VERSION()",
    "version_quoted": "SELECT `version`()",
    "version_nested": "SELECT LOWER(VERSION())",
    "sqlite_version": "SELECT sqlite_version()",
    "database": "SELECT DATABASE()",
    "database_in_where": "SELECT customer_code FROM customers WHERE customer_name = DATABASE()",
    "schema": "SELECT SCHEMA()",
    "current_database": "SELECT current_database()",
    "current_role": "SELECT CURRENT_ROLE()",
    "current_timezone": "SELECT current_timezone()",
    "user": "SELECT USER()",
    "current_user": "SELECT CURRENT_USER()",
    "current_user_bare": "SELECT CURRENT_USER",
    "session_user": "SELECT SESSION_USER()",
    "system_user": "SELECT SYSTEM_USER()",
    "connection_id": "SELECT CONNECTION_ID()",
    "last_insert_id": "SELECT LAST_INSERT_ID()",
    "found_rows": "SELECT FOUND_ROWS()",
    "row_count": "SELECT ROW_COUNT()",
    "uuid_short": "SELECT UUID_SHORT()",
    "version_variable": "SELECT @@version",
    "hostname_variable": "SELECT @@hostname",
    "global_variable": "SELECT @@GLOBAL.datadir",
    "user_variable": "SELECT @x",
    "benchmark": "SELECT BENCHMARK(1000, MD5('x'))",
    "sleep_in_where": "SELECT item_code FROM items WHERE SLEEP(1) = 0",
}


@pytest.mark.parametrize("case", sorted(IDENTITY))
async def test_server_identity_is_refused(toolset: ErpToolset, audit: AuditLog, case: str) -> None:
    with pytest.raises(ErpError) as caught:
        await toolset.call_tool(ADMIN, "erp_query", {"sql": IDENTITY[case]}, audit=audit)
    assert caught.value.code == "erp_query_refused", caught.value
    assert caught.value.message.startswith("SQL이 거부되었습니다")
    assert audit.last["outcome"] == "denied"


async def test_good_query_runs_with_limit_and_labels(toolset: ErpToolset, audit: AuditLog) -> None:
    sql = (
        "SELECT c.customer_name, SUM(i.supply_amount) AS total FROM sales_invoices i "
        "JOIN customers c ON c.customer_code = i.customer_code "
        "WHERE i.invoice_date >= '2026-11-01' GROUP BY c.customer_name ORDER BY total DESC;"
    )
    result = await toolset.call_tool(ADMIN, "erp_query", {"sql": sql}, audit=audit)
    assert result.rows and result.columns[0].label == "거래처명"
    assert audit.last["outcome"] == "ok" and audit.last["details"]["tables"] == [
        "customers",
        "sales_invoices",
    ]
    many = await toolset.call_tool(
        ADMIN, "erp_query", {"sql": "SELECT * FROM sales_order_lines"}, audit=audit
    )
    assert many.row_count == toolset.settings.query_max_rows and many.truncated
    star = await toolset.call_tool(
        ADMIN, "erp_query", {"sql": "SELECT * FROM customers LIMIT 1"}, audit=audit
    )
    assert "ceo_name" not in [c.name for c in star.columns]  # * means the allowed columns
    assert star.row_count == 1 and not star.truncated
    # Reading the clock is not server identity: CURRENT_DATE/CURRENT_TIMESTAMP still run.
    clock = "SELECT CURRENT_DATE AS d, CURRENT_TIMESTAMP AS t, COUNT(*) AS n FROM stock"
    today = await toolset.call_tool(ADMIN, "erp_query", {"sql": clock}, audit=audit)
    assert today.row_count == 1 and today.rows[0][0] and today.rows[0][2] > 0


async def test_scope_is_injected_into_ad_hoc_queries(
    toolset: ErpToolset, sample: Sample, audit: AuditLog
) -> None:
    sql = "SELECT DISTINCT dept_code FROM sales_invoices"
    team1 = await toolset.call_tool(MANAGER1, "erp_query", {"sql": sql}, audit=audit)
    team2 = await toolset.call_tool(MANAGER2, "erp_query", {"sql": sql}, audit=audit)
    everyone = await toolset.call_tool(ADMIN, "erp_query", {"sql": sql}, audit=audit)
    assert team1.rows == [["D110"]] and team2.rows == [["D120"]]
    assert sorted(everyone.rows) == [["D110"], ["D120"]]
    # Scope holds through joins, unions and sub-queries too.
    sneaky = (
        "SELECT customer_code FROM customers UNION "
        "SELECT customer_code FROM sales_invoices WHERE invoice_no IN "
        "(SELECT invoice_no FROM sales_invoice_lines)"
    )
    got = await toolset.call_tool(MANAGER1, "erp_query", {"sql": sneaky}, audit=audit)
    mine = {c["customer_code"] for c in sample["customers"] if c["dept_code"] == "D110"}
    assert got.rows and {r[0] for r in got.rows} <= mine
    in_cte = (
        "WITH mine AS (SELECT customer_code, dept_code FROM customers) "
        "SELECT DISTINCT m.dept_code FROM mine m"
    )
    through_cte = await toolset.call_tool(MANAGER1, "erp_query", {"sql": in_cte}, audit=audit)
    assert through_cte.rows == [["D110"]]


async def test_query_needs_permission_and_an_allow_list(
    toolset: ErpToolset, audit: AuditLog
) -> None:
    for who in (EMPLOYEE, REP1):
        with pytest.raises(ErpError) as caught:
            await toolset.call_tool(who, "erp_query", {"sql": "SELECT 1"}, audit=audit)
        assert caught.value.code == "erp_forbidden"
    manager_not_allowed = "SELECT emp_name FROM employees"
    with pytest.raises(ErpError) as refused:
        await toolset.call_tool(MANAGER1, "erp_query", {"sql": manager_not_allowed}, audit=audit)
    assert refused.value.code == "erp_query_refused" and "employees" in refused.value.message
    with pytest.raises(ErpError) as bad:
        await toolset.call_tool(MANAGER1, "erp_query", {"sql": 42}, audit=audit)
    assert bad.value.code == "erp_bad_arguments"

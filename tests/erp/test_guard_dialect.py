"""`erp_query` speaks the database's dialect (issue 15, item 4): what MariaDB/SQLite run is
accepted, and the rewritten SQL keeps the meaning of the SQL written.

Each MariaDB function call below is guarded, then both the written and the guarded SQL run on
the real MariaDB (under CI=true): the guarded one must give the same value.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from dari.erp.base import ErpError
from dari.erp.catalog import QueryTable
from dari.erp.guard import guard_query
from dari.erp.scope import Scope
from dari.erp.toolset import ErpToolset
from tests.conftest import MARIADB_URL, _real_unavailable
from tests.erp.conftest import ADMIN, AuditLog

D = "'2026-03-14'"
T = "'2026-03-14 15:09:26'"
# Common MariaDB functions (date, string, math, conditional, aggregate) written as analysts do.
MARIADB_FUNCTIONS = [
    f"ADDDATE({D}, 3)",
    f"ADDDATE({D}, INTERVAL 1 MONTH)",
    f"SUBDATE({D}, 3)",
    f"DATE_ADD({D}, INTERVAL 2 DAY)",
    f"DATE_SUB({D}, INTERVAL 1 YEAR)",
    f"{D} + INTERVAL 1 WEEK",
    f"DATEDIFF({D}, '2026-01-01')",
    f"TIMEDIFF({T}, '2026-03-14 10:00:00')",
    f"TIMESTAMPDIFF(MONTH, '2025-01-01', {D})",
    f"TIMESTAMPADD(DAY, 5, {D})",
    f"DATE_FORMAT({T}, '%Y-%m')",
    f"TIME_FORMAT({T}, '%H:%i')",
    "STR_TO_DATE('14/03/2026', '%d/%m/%Y')",
    f"YEAR({D})",
    f"QUARTER({D})",
    f"MONTH({D})",
    f"MONTHNAME({D})",
    f"WEEK({D})",
    f"WEEK({D}, 3)",
    f"WEEKOFYEAR({D})",
    f"YEARWEEK({D})",
    f"DAY({D})",
    f"DAYOFMONTH({D})",
    f"DAYOFWEEK({D})",
    f"DAYOFYEAR({D})",
    f"DAYNAME({D})",
    f"WEEKDAY({D})",
    f"HOUR({T})",
    f"MINUTE({T})",
    f"SECOND({T})",
    f"LAST_DAY({D})",
    "MAKEDATE(2026, 73)",
    "MAKETIME(15, 9, 26)",
    "SEC_TO_TIME(100)",
    "TIME_TO_SEC('01:00:00')",
    f"TO_DAYS({D})",
    "FROM_DAYS(740000)",
    "PERIOD_DIFF(202603, 202501)",
    "PERIOD_ADD(202603, 2)",
    f"EXTRACT(YEAR_MONTH FROM {D})",
    f"EXTRACT(DAY FROM {D})",
    f"DATE({T})",
    f"TIME({T})",
    f"UNIX_TIMESTAMP({T})",
    "FROM_UNIXTIME(1773500000, '%Y')",
    f"CAST({T} AS DATE)",
    f"CONVERT({D}, DATE)",
    "CONCAT('a', 'b', 'c')",
    "CONCAT_WS('-', 'a', 'b')",
    "LENGTH('한글')",
    "CHAR_LENGTH('한글')",
    "UPPER('abc')",
    "LOWER('ABC')",
    "UCASE('abc')",
    "LCASE('ABC')",
    "TRIM('  a ')",
    "LTRIM('  a')",
    "RTRIM('a  ')",
    "TRIM(LEADING 'x' FROM 'xxa')",
    "SUBSTRING('abcdef', 2, 3)",
    "SUBSTR('abcdef', 2)",
    "MID('abcdef', 2, 2)",
    "SUBSTRING_INDEX('a.b.c', '.', 2)",
    "LEFT('abcdef', 2)",
    "RIGHT('abcdef', 2)",
    "LPAD('7', 3, '0')",
    "RPAD('7', 3, '0')",
    "REPLACE('aXb', 'X', '-')",
    "REVERSE('abc')",
    "REPEAT('ab', 3)",
    "INSTR('abc', 'c')",
    "LOCATE('c', 'abc')",
    "POSITION('c' IN 'abc')",
    "FIELD('b', 'a', 'b')",
    "FIND_IN_SET('b', 'a,b,c')",
    "ELT(2, 'a', 'b')",
    "STRCMP('a', 'b')",
    "SPACE(3)",
    "ASCII('A')",
    "HEX(255)",
    "FORMAT(1234567.891, 2)",
    "REGEXP_REPLACE('abc', 'b', 'x')",
    "REGEXP_SUBSTR('abc123', '[0-9]+')",
    "'Seoul' REGEXP '^S'",
    "'Seoul' RLIKE '^s'",
    "'Seoul' NOT REGEXP '^B'",
    "'abc' LIKE 'a%'",
    "ABS(-3)",
    "CEIL(1.2)",
    "CEILING(1.2)",
    "FLOOR(1.8)",
    "ROUND(1.2345, 2)",
    "TRUNCATE(1.2345, 2)",
    "MOD(10, 3)",
    "10 % 3",
    "10 DIV 3",
    "POW(2, 10)",
    "POWER(2, 3)",
    "SQRT(16)",
    "EXP(0)",
    "LN(1)",
    "LOG(100)",
    "LOG10(100)",
    "LOG2(8)",
    "SIGN(-2)",
    "GREATEST(1, 5, 3)",
    "LEAST(1, 5, 3)",
    "PI()",
    "RADIANS(180)",
    "CONV('ff', 16, 10)",
    "IF(1 > 0, 'y', 'n')",
    "IFNULL(NULL, 'x')",
    "NULLIF(1, 1)",
    "COALESCE(NULL, 2)",
    "CASE WHEN 1 = 1 THEN 'a' ELSE 'b' END",
    "INTERVAL(5, 1, 3, 10)",
    "CAST('12' AS SIGNED)",
    "CAST(3 AS CHAR)",
    "CAST('1.5' AS DECIMAL(5, 2))",
    "MD5('a')",
    "CRC32('a')",
    "1 BETWEEN 0 AND 2",
    "2 IN (1, 2)",
]
# Clock and random: accepted and run, values compared only for type.
MARIADB_CLOCK = [
    "NOW()",
    "SYSDATE()",
    "CURDATE()",
    "CURTIME()",
    "CURRENT_DATE",
    "UTC_DATE()",
    "UNIX_TIMESTAMP()",
    "CURRENT_TIMESTAMP",
    "LOCALTIME",
    "RAND()",
]
SQLITE_FUNCTIONS = [
    f"strftime('%Y-%m', {D})",
    f"date({D}, '+1 month')",
    f"datetime({T}, '-1 day')",
    f"julianday({D}) - julianday('2026-01-01')",
    f"time({T})",
    "substr('abcdef', 2, 3)",
    "instr('abc', 'c')",
    "length('한글')",
    "upper('a')",
    "lower('A')",
    "trim(' a ')",
    "replace('aXb', 'X', '-')",
    "printf('%05d', 42)",
    "iif(1 > 0, 'y', 'n')",
    "ifnull(NULL, 1)",
    "coalesce(NULL, 2)",
    "nullif(1, 1)",
    "abs(-3)",
    "round(1.2345, 2)",
    "max(1, 2)",
    "min(1, 2)",
    "'abc' LIKE 'a%'",
    "'abc' GLOB 'a*'",
    "CAST('12' AS INTEGER)",
    "10 % 3",
    "unicode('A')",
    "char(65)",
    "hex('a')",
    "quote('a')",
    "typeof(1)",
]
ALLOWED = {"t": QueryTable(columns={"v": "v"})}


def guarded(sql: str, dialect: str) -> str:
    return guard_query(
        sql, dialect=dialect, allowed=ALLOWED, scope_for=lambda _t: Scope(), max_rows=10
    ).sql


@pytest.fixture(scope="module")
def mariadb() -> Iterator[str]:
    if not MARIADB_URL:
        pytest.skip("MariaDB tests need CI=true or DARI_TEST_MARIADB_URL")
    server = make_url(MARIADB_URL)
    url = server.set(database="").render_as_string(hide_password=False)
    try:
        asyncio.run(_rows(url, "SELECT 1"))
    except Exception as exc:
        _real_unavailable("MariaDB", str(exc).splitlines()[0])
    yield url


async def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return [tuple(r) for r in (await connection.execute(text(sql))).all()]
    finally:
        await engine.dispose()


async def _both(url: str, pairs: list[tuple[str, str]]) -> list[tuple[Any, Any]]:
    engine = create_async_engine(url)
    out = []
    try:
        async with engine.connect() as connection:
            for written, sent in pairs:
                a = (await connection.execute(text(written))).all()
                b = (await connection.execute(text(sent.replace(":", "\\:")))).all()
                out.append((tuple(a[0]), tuple(b[0])))
    finally:
        await engine.dispose()
    return out


@pytest.mark.mariadb
def test_mariadb_functions_are_accepted_and_keep_their_meaning(mariadb: str) -> None:
    pairs = [(f"SELECT {f} AS v", guarded(f"SELECT {f} AS v", "mysql")) for f in MARIADB_FUNCTIONS]
    results = asyncio.run(_both(mariadb, [(w.replace(":", "\\:"), s) for w, s in pairs]))
    differ = [
        (f, s, a, b)
        for f, (_, s), (a, b) in zip(MARIADB_FUNCTIONS, pairs, results, strict=True)
        if a != b
    ]
    assert not differ
    clock = [guarded(f"SELECT {f} AS v", "mysql") for f in MARIADB_CLOCK]
    for sql in clock:
        assert asyncio.run(_rows(mariadb, sql))[0][0] is not None


def test_mariadb_functions_are_accepted_without_a_database() -> None:
    refused = []
    for f in MARIADB_FUNCTIONS + MARIADB_CLOCK:
        try:
            guarded(f"SELECT {f} AS v", "mysql")
        except ErpError as exc:
            refused.append((f, exc.message))
    assert not refused


def test_sqlite_functions_are_accepted_and_keep_their_meaning(tmp_path: Any) -> None:
    import sqlite3

    connection = sqlite3.connect(tmp_path / "x.db")
    differ = []
    for f in SQLITE_FUNCTIONS:
        sent = guarded(f"SELECT {f} AS v", "sqlite")
        written = connection.execute(f"SELECT {f} AS v").fetchall()
        if connection.execute(sent).fetchall() != written:
            differ.append((f, sent))
    assert not differ


# sqlglot's MySQL generator used to write these in forms MariaDB does not have.
REWRITES = {
    "SELECT v FROM t WHERE v REGEXP '^S'": "WHERE t.v REGEXP '^S'",
    "SELECT v FROM t WHERE v RLIKE '^S'": "WHERE t.v REGEXP '^S'",
    "SELECT MEDIAN(v) OVER () AS m FROM t": "MEDIAN(t.v) OVER ()",
    "SELECT INTERVAL(v, 1, 10) AS i FROM t": "INTERVAL(t.v, 1, 10)",
}


@pytest.mark.parametrize("sql", sorted(REWRITES))
def test_mysql_rendering_keeps_the_written_form(sql: str) -> None:
    sent = guarded(sql, "mysql")
    assert REWRITES[sql] in sent and "REGEXP_LIKE" not in sent and "PERCENTILE" not in sent


# Column names and aliases in another case resolve as the database resolves them.
CASES = {
    "column_case": ("SELECT Item_Name FROM items WHERE Item_Code = 'x'", 0),
    "alias_case_order_by": (
        "SELECT category AS cat, COUNT(*) AS n FROM items GROUP BY category ORDER BY CAT",
        None,
    ),
    "alias_case_group_by": (
        "SELECT SUBSTR(item_code, 1, 2) AS prefix, COUNT(*) AS N FROM items "
        "GROUP BY Prefix HAVING n > 0 ORDER BY N DESC",
        None,
    ),
    "qualified_column_case": ("SELECT i.ITEM_CODE FROM items i ORDER BY i.Item_Code", None),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_identifier_case_resolves_like_the_database(
    toolset: ErpToolset, audit: AuditLog, case: str
) -> None:
    sql, expected = CASES[case]
    result = await toolset.call_tool(ADMIN, "erp_query", {"sql": sql}, audit=audit)
    assert audit.last["outcome"] == "ok"
    if expected is not None:
        assert result.row_count == expected
    else:
        assert result.row_count > 0


async def test_function_allow_list_still_refuses_state(
    toolset: ErpToolset, audit: AuditLog
) -> None:
    for sql in ("SELECT PASSWORD('x')", "SELECT MASTER_POS_WAIT('f', 1)", "SELECT my_udf(1)"):
        with pytest.raises(ErpError) as caught:
            await toolset.call_tool(ADMIN, "erp_query", {"sql": sql}, audit=audit)
        assert caught.value.code == "erp_query_refused"

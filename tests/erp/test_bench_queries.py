"""`dari bench erp-queries` (issue 15, item 5) on the bookshop fixture: analyst SQL through the
`erp_query` guard answers what the database answers, on SQLite and (under CI=true) MariaDB."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dari.cli.main import app
from dari.erp.bench_queries import BenchFileError, load_queries, run_bench, schema_statements
from tests.conftest import MARIADB_URL, _real_unavailable

BOOKSHOP = Path(__file__).parent / "fixtures" / "bookshop"
SCHEMA, QUERIES, CATALOG = (BOOKSHOP / n for n in ("schema.sql", "queries.yaml", "catalog.yaml"))


def bench(url: str | None = None, queries: Path = QUERIES) -> dict[str, Any]:
    return asyncio.run(run_bench(schema=SCHEMA, queries=queries, catalog=CATALOG, url=url))


def assert_dialect_kept(result: dict[str, Any]) -> None:
    counts = result["counts"]
    assert result["queries"] >= 40
    assert counts["different"] == 0 and counts["failed"] == 0, result["results"]
    assert counts["accepted_unexpectedly"] == 0 and counts["refused_as_expected"] >= 1
    assert result["equal_pct"] >= 95, [r for r in result["results"] if r["outcome"] != "equal"]


def test_fixture_is_what_its_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location("bookshop_generate", BOOKSHOP / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.generate() == SCHEMA.read_text(encoding="utf-8")
    statements = schema_statements(SCHEMA.read_text(encoding="utf-8"))
    assert sum(s.startswith("CREATE TABLE") for s in statements) == 10
    assert sum(s.count("REFERENCES") for s in statements) >= 10


def test_bench_on_sqlite() -> None:
    assert_dialect_kept(bench())


@pytest.mark.mariadb
def test_bench_on_mariadb() -> None:
    if not MARIADB_URL:
        pytest.skip("MariaDB tests need CI=true or DARI_TEST_MARIADB_URL")
    try:
        result = bench(MARIADB_URL)
    except OSError as exc:  # pragma: no cover - the server is down
        _real_unavailable("MariaDB", str(exc))
    assert result["dialect"] == "mysql"
    assert_dialect_kept(result)


def test_bench_tells_different_rows_and_refusals_apart(tmp_path: Path) -> None:
    queries = tmp_path / "queries.yaml"
    queries.write_text(
        """
role: store_manager
user: {store_id: "1"}
queries:
  - id: scoped_without_expected_sql       # the scope narrows it: not the direct answer
    sql: SELECT COUNT(*) AS n FROM orders
  - id: scoped_with_expected_sql
    sql: SELECT COUNT(*) AS n FROM orders
    expected_sql: SELECT COUNT(*) AS n FROM orders WHERE store_id = 1
  - id: table_outside_the_role
    sql: SELECT COUNT(*) FROM staff
  - id: should_have_been_refused
    sql: SELECT COUNT(*) FROM books
    expect: refused
""",
        encoding="utf-8",
    )
    outcomes = {r["id"]: r for r in bench(queries=queries)["results"]}
    assert outcomes["scoped_without_expected_sql"]["outcome"] == "different"
    assert outcomes["scoped_with_expected_sql"]["outcome"] == "equal"
    refused = outcomes["table_outside_the_role"]
    assert refused["outcome"] == "refused" and "staff" in refused["message"]
    assert outcomes["should_have_been_refused"]["outcome"] == "accepted_unexpectedly"


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ("queries: [{id: a, sql: SELECT 1}]", "no role"),
        ("role: r\nqueries: [{id: a, sql: SELECT 1, colour: red}]", "unknown keys"),
        ("role: r\nqueries: [{id: a, sql: SELECT 1}, {id: a, sql: SELECT 2}]", "twice"),
        ("role: r\nqueries: [{id: a, sql: {sqlite: 5}}]", "sql must be"),
        ("role: r\nqueries: [{id: a, sql: x, expect: maybe}]", "expect must be"),
    ],
)
def test_queries_file_is_checked(tmp_path: Path, body: str, complaint: str) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(BenchFileError, match=complaint):
        load_queries(path)


def test_cli_prints_json() -> None:
    result = CliRunner().invoke(
        app,
        ["bench", "erp-queries", "--schema", str(SCHEMA), "--queries", str(QUERIES), "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["counts"]["equal"] == report["queries"] - report["counts"]["refused_as_expected"]


def test_url_must_name_a_mariadb_server() -> None:
    with pytest.raises(BenchFileError, match="MariaDB/MySQL"):
        bench("sqlite:///elsewhere.db")

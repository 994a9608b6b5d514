"""`dari erp introspect` on a small non-demo schema built here: tools, joins, entities,
sensitive columns left out, labels from comments, the same file twice, DARI_ERP_URL."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from dari.cli.main import app
from dari.erp.catalog import load_catalog, parse_catalog
from dari.erp.introspect import describe_database, render
from dari.erp.introspect_columns import sensitive_reason
from tests.conftest import MARIADB_URL, WORKER
from tests.erp.conftest import AuditLog, make_toolset, principal

metadata = MetaData()
Table(
    "depts",
    metadata,
    Column("dept_id", String(10), primary_key=True, comment="부서 코드"),
    Column("dept_nm", String(40), comment="부서명"),
    comment="부서",
)
Table(
    "clients",
    metadata,
    Column("client_no", String(10), primary_key=True, comment="거래처 번호"),
    Column("client_name", String(80), comment="거래처명"),
    Column("phone_no", String(20), comment="대표 전화"),
    Column("address", String(200)),
    Column("dept_id", String(10), ForeignKey("depts.dept_id")),
    comment="거래처",
)
Table(
    "staff",
    metadata,
    Column("staff_id", String(10), primary_key=True),
    Column("full_name", String(40), comment="성명"),
    Column("주민번호", String(14)),
    Column("생년월일", Date),
    Column("급여", BigInteger),
    Column("photo", LargeBinary),
    Column("dept_id", String(10)),  # no declared key: linked by its name
)
Table(
    "orders",
    metadata,
    Column("order_id", Integer, primary_key=True),
    Column("order_date", Date, comment="주문일"),
    Column("client_no", String(10), ForeignKey("clients.client_no")),
    Column("staff_id", String(10), ForeignKey("staff.staff_id")),
    Column("total_amount", BigInteger, comment="주문 금액(원)"),
    Column("qty", Integer),
)
ROWS: dict[str, list[dict[str, Any]]] = {
    "depts": [{"dept_id": "S1", "dept_nm": "영업팀"}, {"dept_id": "S2", "dept_nm": "구매팀"}],
    "clients": [
        {"client_no": "K1", "client_name": "가나상사", "phone_no": "02-1", "address": "서울",
         "dept_id": "S1"},
        {"client_no": "K2", "client_name": "다라물산", "phone_no": "02-2", "address": "부산",
         "dept_id": "S2"},
    ],
    "staff": [{"staff_id": "P1", "full_name": "홍길동", "주민번호": "900101-1", "생년월일":
               date(1990, 1, 1), "급여": 5_000_000, "photo": b"\x00", "dept_id": "S1"}],
    "orders": [
        {"order_id": 1, "order_date": date(2026, 10, 5), "client_no": "K1", "staff_id": "P1",
         "total_amount": 1000, "qty": 2},
        {"order_id": 2, "order_date": date(2026, 10, 20), "client_no": "K2", "staff_id": "P1",
         "total_amount": 500, "qty": 1},
        {"order_id": 3, "order_date": date(2026, 11, 2), "client_no": "K1", "staff_id": "P1",
         "total_amount": 250, "qty": 5},
    ],
}  # fmt: skip
SENSITIVE = ["phone_no", "address", "주민번호", "생년월일", "급여", "photo"]


async def _build(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.drop_all)
            await connection.run_sync(metadata.create_all)
            for table in metadata.sorted_tables:
                await connection.execute(table.insert(), ROWS[table.name])
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "mariadb"])
def schema_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
        asyncio.run(_build(url))
        yield url
        return
    if not MARIADB_URL:
        pytest.skip("MariaDB tests need CI=true or DARI_TEST_MARIADB_URL")
    server = make_url(MARIADB_URL)
    name = f"dari_intro_{WORKER}_{uuid.uuid4().hex[:8]}"
    admin_url = server.set(database="").render_as_string(hide_password=False)

    async def admin(statement: str) -> None:
        engine = create_async_engine(admin_url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(admin(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        asyncio.run(_build(url))
        yield url
    finally:
        asyncio.run(admin(f"DROP DATABASE IF EXISTS {name}"))


@pytest.fixture
def dari(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in list(os.environ):
        if name.startswith("DARI_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DARI_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_sensitive_columns_by_name_comment_and_type() -> None:
    def reason(name: str, type_: str = "VARCHAR(20)", comment: str = "") -> str | None:
        return sensitive_reason({"name": name, "type": type_, "comment": comment})

    assert reason("birth_date", "DATE") == "birth"
    assert reason("mobilePhone") == "mobile, phone"
    assert reason("national_id") == "national id"
    assert reason("emp_salary", "BIGINT") == "salary"
    assert reason("c7", "VARCHAR(14)", "주민등록번호") == "주민"
    assert reason("연락처") == "연락처" and reason("주소") == "주소"
    assert reason("사진", "BLOB") == "사진, binary" and reason("doc", "LONGBLOB") == "binary"
    for harmless in ("telegram_id", "hotel_code", "customer_name", "order_date", "region"):
        assert reason(harmless) is None, harmless


def test_introspect_writes_a_useful_catalog(
    dari, schema_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "erp.yaml"
    monkeypatch.setenv("DARI_ERP_URL", schema_url)  # no --url: the configured ERP
    first = dari("erp", "introspect", "--write", str(out))
    monkeypatch.delenv("DARI_ERP_URL")
    assert first.exit_code == 0, first.output
    assert f"wrote {out} (4 tables)" in first.stdout
    text = out.read_text(encoding="utf-8")
    again = dari("erp", "introspect", "--url", schema_url, "--write", str(tmp_path / "b.yaml"))
    assert again.exit_code == 0 and (tmp_path / "b.yaml").read_text(encoding="utf-8") == text

    catalog = load_catalog(out)
    tools = {t.name: t for t in catalog.tools}
    # a lookup tool per referenced table; a month tool for the table with a date and amounts
    assert set(tools) == {"depts_info", "clients_info", "staff_info", "orders_by_month"}
    assert {k: (e.table, e.code, e.name) for k, e in catalog.entities.items()} == {
        "dept": ("depts", "dept_id", "dept_nm"),
        "client": ("clients", "client_no", "client_name"),
        "staff": ("staff", "staff_id", "full_name"),
    }
    month = tools["orders_by_month"]
    assert month.parameters["properties"]["client"]["entity"] == "client"
    assert month.parameters["required"] == ["date_from", "date_to"]
    assert [c.name for c in month.columns] == ["month", "row_count", "total_amount", "qty"]
    # sensitive columns: in no tool, not in erp_query, listed in a comment
    assert catalog.query is not None
    readable = {c for table in catalog.query.tables.values() for c in table.columns}
    for column in SENSITIVE:
        assert column not in readable and all(column not in str(t.sql) for t in catalog.tools)
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert "#   staff.급여 (BIGINT): 급여" in comments
    assert any(line.startswith("#   clients.phone_no (VARCHAR(20)") for line in comments)
    assert any(line.startswith("#   staff.photo (") and "binary" in line for line in comments)
    assert "#   staff: primary key ['staff_id']; dept_id → depts (same column name)" in comments

    async def call() -> tuple[list[dict], list[dict], list[dict]]:
        toolset = make_toolset(schema_url, out)
        admin = principal("admin", {"admin"}, {"*"})
        try:
            client = await toolset.call_tool(
                admin, "clients_info", {"client": "K2"}, audit=AuditLog()
            )
            staff = await toolset.call_tool(admin, "staff_info", {}, audit=AuditLog())
            months = await toolset.call_tool(
                admin,
                "orders_by_month",
                {"date_from": "2026-10-01", "date_to": "2026-11-30", "client": "K1"},
                audit=AuditLog(),
            )
        finally:
            await toolset.close()
        return client.records(), staff.records(), months.records()

    client, staff, months = asyncio.run(call())
    # joins along the keys show names, not only codes
    assert client == [{"client_no": "K2", "client_name": "다라물산", "dept_id": "S2",
                       "dept_nm": "구매팀"}]  # fmt: skip
    assert staff == [{"staff_id": "P1", "full_name": "홍길동", "dept_id": "S1",
                      "dept_nm": "영업팀"}]  # fmt: skip
    assert [(r["month"], r["row_count"], int(r["total_amount"])) for r in months] == [
        ("2026-10", 1, 1000),
        ("2026-11", 1, 250),
    ]

    monkeypatch.setenv("DARI_ERP_URL", schema_url)
    checked = dari("erp", "check", "--catalog", str(out))
    assert checked.exit_code == 1  # an admin still has to write examples
    assert "ERP connection ok (4 tables read)" in checked.stdout
    errors = [line for line in checked.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 4 and all("no `examples:`" in line for line in errors), errors
    assert f"{out}:" in checked.stdout and "no `examples:`" in checked.stdout


def test_labels_and_units_from_comments(schema_url: str) -> None:
    tables = asyncio.run(describe_database(schema_url))
    if schema_url.startswith("sqlite"):  # SQLite keeps no comments: render the MariaDB view
        described = {c.name: c for t in metadata.sorted_tables for c in t.columns}
        for table in tables:
            table["comment"] = metadata.tables[table["name"]].comment or ""
            for column in table["columns"]:
                column["comment"] = described[column["name"]].comment or ""
    catalog = parse_catalog(yaml.safe_load(render(tables)))
    month = next(t for t in catalog.tools if t.name == "orders_by_month")
    total = next(c for c in month.columns if c.name == "total_amount")
    assert (total.label, total.unit) == ("주문 금액", "원")
    assert "주문일" in month.description_ko
    assert catalog.query is not None
    assert catalog.query.tables["clients"].description_ko == "거래처"
    assert catalog.query.tables["clients"].columns["client_name"] == "거래처명"
    assert catalog.entities["client"].label == "거래처"


def test_introspect_needs_a_sql_url(dari) -> None:
    none = dari("erp", "introspect")
    assert none.exit_code == 2 and "DARI_ERP_URL" in none.output
    rest = dari("erp", "introspect", "--url", "https://erp.example.com/api")
    assert rest.exit_code == 2 and "REST" in rest.output

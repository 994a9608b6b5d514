"""The SQL connector: statement timeout, read-only sessions, row cap, an ERP that is down."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from dari.erp.base import ErpError
from dari.erp.toolset import ErpToolset
from tests.erp.conftest import ADMIN, AuditLog, Sample, make_toolset

HEAVY = (
    "SELECT COUNT(*) AS n FROM sales_order_lines a, sales_order_lines b, "
    "sales_order_lines c WHERE a.qty + b.qty + c.qty > 0"
)


def catalog_file(tmp_path: Path, *tools: dict[str, object]) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(
        yaml.safe_dump({"version": 1, "tools": list(tools)}, allow_unicode=True), encoding="utf-8"
    )
    return path


def tool(name: str, sql: str, columns: list[str], **extra: object) -> dict[str, object]:
    return {
        "name": name,
        "description_ko": name,
        "description_en": name,
        "sql": sql,
        "columns": [{"name": c, "label": c} for c in columns],
        **extra,
    }


async def test_slow_catalog_query_is_cut_by_the_timeout(
    erp_url: str, tmp_path: Path, audit: AuditLog
) -> None:
    toolset = make_toolset(
        erp_url, catalog_file(tmp_path, tool("heavy", HEAVY, ["n"])), timeout_s=1.0
    )
    started = time.perf_counter()
    try:
        with pytest.raises(ErpError) as caught:
            await toolset.call_tool(ADMIN, "heavy", {}, audit=audit)
    finally:
        await toolset.close()
    assert caught.value.code == "erp_timeout" and "1초" in caught.value.message
    assert time.perf_counter() - started < 6
    assert audit.last["outcome"] == "failed" and audit.last["details"]["code"] == "erp_timeout"


async def test_slow_ad_hoc_query_is_cut_by_the_timeout(erp_url: str, audit: AuditLog) -> None:
    toolset = make_toolset(erp_url, timeout_s=1.0)
    try:
        with pytest.raises(ErpError) as caught:
            await toolset.call_tool(ADMIN, "erp_query", {"sql": HEAVY}, audit=audit)
        assert caught.value.code == "erp_timeout"
        # The connection is usable again afterwards.
        ok = await toolset.call_tool(
            ADMIN, "erp_query", {"sql": "SELECT COUNT(*) FROM items"}, audit=audit
        )
        assert ok.rows == [[400]]
    finally:
        await toolset.close()


async def test_sessions_are_read_only(
    erp_url: str, tmp_path: Path, sample: Sample, audit: AuditLog
) -> None:
    path = catalog_file(
        tmp_path,
        tool("wipe", "DELETE FROM stock", ["n"]),
        tool("count", "SELECT COUNT(*) AS n FROM stock", ["n"]),
    )
    toolset = make_toolset(erp_url, path)
    try:
        with pytest.raises(ErpError) as caught:
            await toolset.call_tool(ADMIN, "wipe", {}, audit=audit)
        assert caught.value.code == "erp_failed"
        assert "DELETE" not in caught.value.message  # no driver text leaks to the user
        count = await toolset.call_tool(ADMIN, "count", {}, audit=audit)
        assert count.rows == [[len(sample["stock"])]]
    finally:
        await toolset.close()


async def test_row_cap_truncates(erp_url: str, tmp_path: Path, audit: AuditLog) -> None:
    path = catalog_file(
        tmp_path,
        tool("all_items", "SELECT item_code FROM items ORDER BY 1", ["item_code"], max_rows=5),
    )
    toolset = make_toolset(erp_url, path)
    try:
        result = await toolset.call_tool(ADMIN, "all_items", {}, audit=audit)
    finally:
        await toolset.close()
    assert result.row_count == 5 and result.truncated
    assert result.rows[0] == ["P00001"] and audit.last["details"]["truncated"] is True


@pytest.mark.parametrize(
    "url",
    ["sqlite+aiosqlite:///{tmp}/no-such-erp.db", "mysql+asyncmy://erp:pw@127.0.0.1:9/erp"],
    ids=["sqlite-missing-file", "mariadb-closed-port"],
)
async def test_erp_down_is_unavailable(url: str, tmp_path: Path, audit: AuditLog) -> None:
    toolset: ErpToolset = make_toolset(url.format(tmp=tmp_path))
    try:
        with pytest.raises(ErpError) as caught:
            await toolset.call_tool(ADMIN, "stock_by_item", {"item": "P00001"}, audit=audit)
        assert caught.value.code == "erp_unavailable"
        with pytest.raises(ErpError):
            await toolset.connector.ping()
    finally:
        await toolset.close()
    assert audit.last["outcome"] == "failed" and audit.last["details"]["code"] == "erp_unavailable"
    assert not (tmp_path / "no-such-erp.db").exists()  # read-only: never creates the file

"""Catalog loading: errors name the file, tool and field; edits are picked up; bad edits refused."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from dari.erp.catalog import CatalogError, load_catalog
from dari.erp.sample import CATALOG_PATH
from dari.erp.source import CatalogSource


def good_tool(**changes: Any) -> dict[str, Any]:
    tool: dict[str, Any] = {
        "name": "stock_total",
        "description_ko": "재고 합계",
        "description_en": "Stock total",
        "parameters": {"type": "object", "properties": {"item": {"type": "string"}}},
        "sql": "SELECT SUM(qty) AS qty FROM stock WHERE item_code = :item",
        "columns": [{"name": "qty", "label": "수량", "unit": "개"}],
    }
    tool.update(changes)
    return tool


def write(path: Path, *tools: dict[str, Any], **top: Any) -> Path:
    path.write_text(
        yaml.safe_dump({"version": 1, "tools": list(tools), **top}, allow_unicode=True),
        encoding="utf-8",
    )
    return path


def test_shipped_catalog_is_valid() -> None:
    catalog = load_catalog(CATALOG_PATH)
    assert len(catalog.tools) >= 15
    names = {t.name for t in catalog.tools}
    assert {
        "my_leave_balance",
        "sales_by_period",
        "receivables_by_customer",
        "stock_shortages",
        "purchase_order_status",
        "top_customers",
    } <= names
    assert all(t.required_permission == f"erp:{t.name}" for t in catalog.tools)
    assert catalog.query is not None and "employees" not in catalog.query.tables


BAD = [
    (dict(sql="SELECT qty FROM stock WHERE item_code = :other"), "bind parameter(s) ['other']"),
    (dict(sql="SELECT 1 AS qty; DELETE FROM stock"), "one statement only"),
    (
        dict(parameters={"type": "object", "properties": {"a": {"type": "strin"}}}),
        "not a valid JSON schema",
    ),
    (dict(parameters={"type": "array"}), "type must be `object`"),
    (dict(rest={"path": "/x"}), "exactly one of `sql` or `rest`"),
    (dict(columns=[]), "columns"),
    (dict(name="Bad Name"), "name"),
    (dict(row_scope=[{"where": "sales_rep = :user.erp_employee_code"}]), "`{scope}` marker"),
    (dict(row_scope=[{"match": {"rep": "erp_employee_code"}}]), "user.<attribute>"),
    (dict(chart={"type": "line", "x": "nope", "y": ["qty"]}), "chart"),
    (dict(unexpected=1), "unexpected"),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[m for _, m in BAD])
def test_invalid_tool_names_file_tool_and_field(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = write(tmp_path / "erp.yaml", good_tool(), good_tool(**{"name": "broken", **change}))
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    text = str(caught.value)
    assert str(path) in text and message in text
    assert "tool 'broken'" in text or "Bad Name" in text


def test_file_level_errors(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("tools: [", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_catalog(tmp_path / "bad.yaml")
    with pytest.raises(CatalogError, match="duplicate"):
        load_catalog(write(tmp_path / "dup.yaml", good_tool(), good_tool()))
    with pytest.raises(CatalogError, match=r"roles\.manager: unknown table"):
        load_catalog(
            write(
                tmp_path / "q.yaml",
                good_tool(),
                query={"tables": {}, "roles": {"manager": ["stock"]}},
            )
        )


def test_source_reloads_changes_and_keeps_the_last_good_catalog(tmp_path: Path) -> None:
    path = write(tmp_path / "erp.yaml", good_tool())
    source = CatalogSource(path)
    assert [t.name for t in source.current().tools] == ["stock_total"]
    write(path, good_tool(), good_tool(name="stock_total_2"))
    os.utime(path, ns=(1, 2_000_000_000_000_000_000))
    assert [t.name for t in source.current().tools] == ["stock_total", "stock_total_2"]
    path.write_text("tools: [", encoding="utf-8")
    os.utime(path, ns=(1, 3_000_000_000_000_000_000))
    assert len(source.current().tools) == 2  # the broken edit is not taken
    assert source.error and "not valid YAML" in source.error
    with pytest.raises(CatalogError):
        source.reload()
    with pytest.raises(CatalogError):
        CatalogSource(path).current()  # never valid: nothing to fall back on

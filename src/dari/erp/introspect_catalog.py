"""The starter catalog of `dari erp introspect` as data (`starter_catalog`): a lookup tool per
main entity, a month-by-month tool per table with a date and amounts, the `entities:` master
data and `erp_query` tables for admins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url

from dari.erp.introspect_analysis import TableInfo, analyse, ident
from dari.erp.introspect_columns import column_label, is_amount, is_date


def starter_catalog(tables: list[dict[str, Any]], dialect: str = "sqlite") -> dict[str, Any]:
    """A catalog that loads: lookup and month tools, entities, `erp_query` for admins."""
    quote = make_url(f"{dialect}://").get_dialect()().identifier_preparer.quote
    found = analyse(tables)
    tools: list[dict[str, Any]] = []
    used: set[str] = set()

    def tool_name(base: str) -> str:
        name, n = base[:60], 2
        while name in used:
            name, n = f"{base[:57]}_{n}", n + 1
        used.add(name)
        return name

    limit = {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}
    for index, info in enumerate(found.values()):
        base = ident(info.name, f"table{index + 1}")
        if info.referenced and info.key and any(c["name"] == info.key for c in info.columns):
            tools.append(_lookup_tool(info, found, quote, tool_name(f"{base}_info"), limit))
        dates = [c for c in info.columns if is_date(c)]
        referencing = {column for column, _table, _how in info.refs}
        amounts = [
            c
            for c in info.columns
            if is_amount(c) and c["name"] != info.key and c["name"] not in referencing
        ]
        if dates and amounts:
            tools.append(
                _month_tool(info, found, quote, tool_name(f"{base}_by_month"), dates[0], amounts)
            )
    query_tables = {
        info.name: {
            "description_ko": info.label,
            "columns": {c["name"]: column_label(c)[0] for c in info.columns},
        }
        for info in found.values()
        if info.columns
    }
    catalog: dict[str, Any] = {
        "version": 1,
        "name": "ERP (introspected)",
        "tools": tools,
        "query": {"roles": {"admin": ["*"]}, "tables": query_tables},
    }
    entities = {
        info.kind: {
            "label": info.label,
            "table": info.name,
            "code": info.key,
            "name": info.name_column,
        }
        for info in found.values()
        if info.kind
    }
    if entities:
        catalog["entities"] = entities
    return catalog


def _output(column: dict[str, Any], name: str | None = None) -> dict[str, str]:
    label, unit = column_label(column)
    out = {"name": name or column["name"], "label": label}
    if unit:
        out["unit"] = unit
    return out


def _joins(
    info: TableInfo, found: dict[str, TableInfo], quote: Any, taken: set[str]
) -> tuple[list[str], list[str], list[dict[str, str]]]:
    """LEFT JOINs to referenced tables with a name column: (selects, joins, output columns)."""
    selects, joins, outputs = [], [], []
    for n, (column, target_name, _how) in enumerate(info.refs, start=1):
        target = found[target_name]
        if not target.name_column or not target.key:
            continue
        alias = f"r{n}"
        out = target.name_column if target.name_column not in taken else f"{column}_name"
        if out in taken:
            continue
        taken.add(out)
        joins.append(
            f"LEFT JOIN {quote(target.name)} {alias} "
            f"ON {alias}.{quote(target.key)} = t.{quote(column)}"
        )
        selects.append(f"{alias}.{quote(target.name_column)} AS {quote(out)}")
        name_col = next(c for c in target.columns if c["name"] == target.name_column)
        outputs.append(_output(name_col, out))
    return selects, joins, outputs


def _entity_param(target: TableInfo) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": "string", "maxLength": 80}
    if target.kind:
        spec["entity"] = target.kind
    spec["description"] = f"{target.label} 코드"
    return spec


def _lookup_tool(
    info: TableInfo, found: dict[str, TableInfo], quote: Any, name: str, limit: dict[str, Any]
) -> dict[str, Any]:
    shown = info.columns[:15]
    taken = {c["name"] for c in shown}
    selects, joins, outputs = _joins(info, found, quote, taken)
    param = info.kind or "code"
    key = quote(info.key)
    columns = [f"t.{quote(c['name'])}" for c in shown] + selects
    sql = (
        f"SELECT {', '.join(columns)}\n"
        f"FROM {quote(info.name)} t\n"
        + "".join(f"{j}\n" for j in joins)
        + f"WHERE (:{param} IS NULL OR t.{key} = :{param})\n"
        f"ORDER BY t.{key} LIMIT :limit"
    )
    return {
        "name": name,
        "description_ko": f"{info.label} 조회: 코드로 한 건, 없으면 목록 (편집하세요)",
        "description_en": f"Look up {info.name} by code, or list them (edit me)",
        "parameters": {
            "type": "object",
            "properties": {param: _entity_param(info), "limit": dict(limit)},
        },
        "sql": sql,
        "columns": [_output(c) for c in shown] + outputs,
    }


def _month_tool(
    info: TableInfo,
    found: dict[str, TableInfo],
    quote: Any,
    name: str,
    date: dict[str, Any],
    amounts: list[dict[str, Any]],
) -> dict[str, Any]:
    month = f"SUBSTR(CAST(t.{quote(date['name'])} AS CHAR(10)), 1, 7)"
    properties: dict[str, Any] = {
        "date_from": {"type": "string", "format": "date", "description": "시작일"},
        "date_to": {"type": "string", "format": "date", "description": "종료일 (포함)"},
    }
    filters = []
    for column, target_name, _how in info.refs:
        target = found[target_name]
        if target.kind and target.kind not in properties:
            properties[target.kind] = _entity_param(target)
            filters.append(
                f"  AND (:{target.kind} IS NULL OR t.{quote(column)} = :{target.kind})\n"
            )
    sums = [f"SUM(t.{quote(c['name'])}) AS {quote(c['name'])}" for c in amounts]
    sql = (
        f"SELECT {month} AS month, COUNT(*) AS row_count, {', '.join(sums)}\n"
        f"FROM {quote(info.name)} t\n"
        f"WHERE t.{quote(date['name'])} BETWEEN :date_from AND :date_to\n"
        + "".join(filters)
        + f"GROUP BY {month}\nORDER BY month"
    )
    date_label = column_label(date)[0]
    return {
        "name": name,
        "description_ko": f"월별 {info.label} 건수와 합계 ({date_label} 기준) (편집하세요)",
        "description_en": f"{info.name} per month ({date['name']}): count and sums (edit me)",
        "parameters": {
            "type": "object",
            "properties": properties,
            "required": ["date_from", "date_to"],
        },
        "sql": sql,
        "columns": [
            {"name": "month", "label": "월"},
            {"name": "row_count", "label": "건수", "unit": "건"},
            *[_output(c) for c in amounts],
        ],
        "chart": {"type": "line", "x": "month", "y": [amounts[0]["name"]]},
    }

"""`dari erp check`'s findings section by section: tools, `query:`, `entities:`, roles.

Each function is given the parsed catalog, `line` (a `check_lines.YamlLines`), `add` (appends
a `Finding`) and, where the section has row scopes, `check_rule(where, outer, at, who)` (which
compares a rule's columns with the ERP's or `query.tables`' columns; see `check.check_catalog`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from dari.core.principal import Principal
from dari.erp.catalog import Catalog
from dari.erp.check_report import Finding
from dari.erp.check_scope_sql import all_tables, parse_sql, tool_sql

HANGUL = re.compile(r"[가-힣]")
STARTER = "(편집하세요)"  # what `dari erp introspect` writes into text an admin must rewrite


def _has(permissions: Collection[str], needed: str) -> bool:
    return Principal(user_id="-", username="-", permissions=frozenset(permissions)).has(needed)


def check_tools(
    catalog: Catalog, line: Any, add: Any, check_rule: Any, dialect: str | None
) -> None:
    """Korean descriptions, starter text, `examples:`, `entity:` kinds and row-scope columns."""
    declared = set(catalog.entities)
    for i, tool in enumerate(catalog.tools):
        who = f"tool {tool.name!r}"
        if not HANGUL.search(tool.description_ko):
            add(
                Finding(
                    "error",
                    line("tools", i, "description_ko"),
                    f"{who}: description_ko has no Korean (the assistant and the LLM read it)",
                )
            )
        elif STARTER in tool.description_ko:
            add(
                Finding(
                    "warning",
                    line("tools", i, "description_ko"),
                    f"{who}: description_ko is still the introspected starter text",
                )
            )
        if not tool.examples:
            add(
                Finding(
                    "error",
                    line("tools", i),
                    f"{who}: no `examples:` — the router cannot route a question to it "
                    "(write 10–25 Korean questions)",
                )
            )
        for param, spec in (tool.parameters.get("properties") or {}).items():
            kind = spec.get("entity") if isinstance(spec, dict) else None
            if kind is not None and kind not in declared:
                add(
                    Finding(
                        "error",
                        line("tools", i, "parameters", "properties", param, "entity"),
                        f"{who}: parameter {param!r} names entity kind {kind!r}, which "
                        "`entities:` does not declare",
                    )
                )
        sql = tool.sql_for(dialect)
        if sql is None or not tool.row_scope:
            continue
        tree = parse_sql(tool_sql(sql), dialect)
        outer = all_tables(tree) if tree is not None else {}
        for j, rule in enumerate(tool.row_scope):
            if rule.where and outer:
                check_rule(rule.where, outer, line("tools", i, "row_scope", j, "where"), who)


def check_query(
    catalog: Catalog, line: Any, add: Any, check_rule: Any, live: dict[str, set[str]] | None
) -> None:
    """`query.tables` and their columns against the ERP (`live`, when read), and row scopes."""
    if catalog.query is None:
        return
    for name, table in catalog.query.tables.items():
        who = f"query table {name!r}"
        if live is not None:
            if name.lower() not in live:
                add(Finding("error", line("query", "tables", name), f"{who}: not in the ERP"))
                continue
            missing = sorted(c for c in table.columns if c.lower() not in live[name.lower()])
            if missing:
                add(
                    Finding(
                        "error",
                        line("query", "tables", name, "columns"),
                        f"{who}: column(s) {missing} not in the ERP",
                    )
                )
        for j, rule in enumerate(table.row_scope):
            if rule.where:
                at = line("query", "tables", name, "row_scope", j, "where")
                check_rule(rule.where, {name.lower(): name.lower()}, at, who)


def check_entities(
    catalog: Catalog, line: Any, add: Any, check_rule: Any, live: dict[str, set[str]] | None
) -> None:
    """Each entity's table, `name` and `code` against the ERP (`live`, when read), and scopes."""
    for kind, spec in catalog.entities.items():
        who = f"entity {kind!r}"
        table = spec.table.rsplit(".", 1)[-1].lower()
        if live is not None:
            if table not in live:
                add(Finding("error", line("entities", kind, "table"), f"{who}: no table {table}"))
                continue
            for key in ("name", "code"):
                column = getattr(spec, key)
                if column and column.lower() not in live[table]:
                    add(
                        Finding(
                            "error",
                            line("entities", kind, key),
                            f"{who}: {table} has no column {column!r}",
                        )
                    )
        for j, rule in enumerate(spec.row_scope):
            if rule.where:
                at = line("entities", kind, "row_scope", j, "where")
                check_rule(rule.where, {table: table}, at, who)


def check_roles(
    catalog: Catalog, line: Any, add: Any, role_permissions: Mapping[str, Collection[str]]
) -> None:
    """Tools no role but admin may call, and roles named in row scopes or `query.roles` that
    do not exist in Dari (`role_permissions`: role → permissions)."""
    # Admin's bare `*` reaches everything; a tool only admins reach is one nobody was given.
    granting = {r: p for r, p in role_permissions.items() if "*" not in p}
    for i, tool in enumerate(catalog.tools):
        needed = tool.required_permission
        if not any(_has(p, needed) for p in granting.values()):
            add(
                Finding(
                    "warning",
                    line("tools", i),
                    f"tool {tool.name!r}: no role may call it except admin "
                    f"(`dari roles grant ROLE {needed}`)",
                )
            )
        for j, rule in enumerate(tool.row_scope):
            for role in sorted(set(rule.roles) - set(role_permissions)):
                add(
                    Finding(
                        "warning",
                        line("tools", i, "row_scope", j, "roles"),
                        f"tool {tool.name!r}: row_scope names role {role!r}, which does not exist",
                    )
                )
    if catalog.query is not None:
        for role in sorted(set(catalog.query.roles) - set(role_permissions)):
            add(
                Finding(
                    "warning",
                    line("query", "roles", role),
                    f"query.roles: role {role!r} does not exist",
                )
            )

"""Which table each column of a row-scope rule belongs to, for `dari erp check`.

The tool's SQL and the rule are parsed with sqlglot (the ERP's dialect, then MySQL, then
sqlglot's own); a column is resolved through the aliases of the SELECT that reads it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import cast

import sqlglot
from sqlglot import exp

from dari.erp.catalog import BIND, SCOPE_MARKER, USER_REF


def parse_sql(sql: str, dialect: str | None) -> exp.Expression | None:
    """`sql` parsed in the first dialect that reads it; None when none does (not checkable)."""
    for read in (dialect, "mysql", None):
        try:
            return cast(exp.Expression, sqlglot.parse_one(sql, read=read))
        except Exception:  # noqa: S112 - try the next dialect; None = not checkable
            continue
    return None


def tool_sql(sql: str) -> str:
    """A tool's SQL made parseable: the scope marker, `:user.…` and binds replaced by values."""
    sql = sql.replace(SCOPE_MARKER, "1 = 1")
    sql = USER_REF.sub("'x'", sql)
    return BIND.sub("NULL", sql)


def _sources(select: exp.Expression) -> dict[str, str]:
    """alias (or name) → table name, for the tables a SELECT reads directly."""
    out: dict[str, str] = {}
    source = select.args.get("from_") or select.args.get("from")
    nodes = [source.this if source is not None else None]
    nodes += [j.this for j in select.args.get("joins") or []]
    for node in nodes:
        if isinstance(node, exp.Table):
            out[node.alias_or_name.lower()] = node.name.lower()
    return out


def all_tables(tree: exp.Expression) -> dict[str, str]:
    """alias (or name) → table name, for every table anywhere in `tree`."""
    return {t.alias_or_name.lower(): t.name.lower() for t in tree.find_all(exp.Table)}


def scope_columns(
    where: str, outer: Mapping[str, str], dialect: str | None
) -> Iterator[tuple[str, list[str]]] | None:
    """(column, candidate tables) for each column of a row-scope rule; None if unparseable.

    A column belongs to the nearest SELECT of the rule that reads tables (qualified: the one
    whose alias matches), else to the scoped query's tables `outer` (alias → table)."""
    tree = parse_sql(f"SELECT 1 WHERE {USER_REF.sub(chr(39) + 'x' + chr(39), where)}", dialect)
    if tree is None:
        return None

    def resolve(column: exp.Column) -> tuple[str, list[str]]:
        qualifier = column.table.lower()
        node: exp.Expression | None = column.find_ancestor(exp.Select)
        while node is not None:
            sources = outer if node is tree else _sources(node)
            if qualifier and qualifier in sources:
                return column.name, [sources[qualifier]]
            if not qualifier and sources:
                return column.name, sorted(set(sources.values()))
            node = node.find_ancestor(exp.Select) if node is not tree else None
        return column.name, []

    return (resolve(c) for c in tree.find_all(exp.Column) if c.name)

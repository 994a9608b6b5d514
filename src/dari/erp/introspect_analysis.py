"""What an introspected schema holds: readable and sensitive columns, keys, references between
tables and the main entities (`analyse`), for `dari erp introspect`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dari.erp.catalog import IDENT, NAME
from dari.erp.introspect_columns import is_name, sensitive_reason


@dataclass
class TableInfo:
    """One table as the starter catalog sees it."""

    name: str
    label: str
    columns: list[dict[str, Any]]  # readable (not sensitive), in database order
    hidden: list[tuple[dict[str, Any], str]]  # sensitive columns and why
    key: str | None  # single-column primary key
    refs: list[tuple[str, str, str]] = field(default_factory=list)  # (column, table, how)
    kind: str | None = None  # entity kind when it is a main entity with a name column
    name_column: str | None = None
    referenced: bool = False


def ident(text: str, fallback: str) -> str:
    """`text` as a catalog name (lower case, `_` for anything else, at most 50 characters), or
    `fallback` when nothing valid is left."""
    value = re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")
    if not re.fullmatch(NAME, value):
        value = fallback
    return value[:50]


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes")) and len(word) > 4:
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def analyse(tables: list[dict[str, Any]]) -> dict[str, TableInfo]:
    """Each table of `describe_database`'s answer by name, in its order: readable and sensitive
    columns, single-column key, references to other tables, and an entity kind and name column
    for main entities (referenced tables with a name-like column)."""
    found: dict[str, TableInfo] = {}
    for table in tables:
        readable, hidden = [], []
        for column in table["columns"]:
            reason = sensitive_reason(column)
            if reason:
                hidden.append((column, reason))
            else:
                readable.append(column)
        key = table["primary_key"][0] if len(table["primary_key"]) == 1 else None
        found[table["name"]] = TableInfo(
            name=table["name"],
            label=(table["comment"] or table["name"]).strip(),
            columns=readable,
            hidden=hidden,
            key=key,
        )
    # References: declared foreign keys, else a column named like another table's key.
    # A key name several tables share ("id", "code") says nothing about which one is meant.
    keys = [t.key for t in found.values() if t.key]
    by_key = {t.key: t.name for t in found.values() if t.key and keys.count(t.key) == 1}
    for table in tables:
        info = found[table["name"]]
        readable_names = {c["name"] for c in info.columns}
        declared: set[str] = set()
        for fk in table["foreign_keys"]:
            target = found.get(fk["references"])
            if len(fk["columns"]) == 1 and target is not None and target.key:
                column = fk["columns"][0]
                if column in readable_names and target.name != info.name:
                    info.refs.append((column, target.name, "foreign key"))
                    declared.add(column)
        for column in info.columns:
            target_name = by_key.get(column["name"])
            if (
                target_name
                and target_name != info.name
                and column["name"] not in declared
                and column["name"] != info.key
            ):
                info.refs.append((column["name"], target_name, "same column name"))
        for _column, target_name, _how in info.refs:
            found[target_name].referenced = True
    kinds: set[str] = set()
    for info in found.values():
        if not (info.referenced and info.key and IDENT.fullmatch(info.key)):
            continue
        if not any(c["name"] == info.key for c in info.columns):
            continue
        names = [c["name"] for c in info.columns if is_name(c) and c["name"] != info.key]
        if (
            not names
            or not IDENT.fullmatch(names[0])
            or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", info.name)
        ):
            continue
        kind = ident(_singular(info.name), "")
        if not kind or kind in kinds:
            continue
        kinds.add(kind)
        info.kind, info.name_column = kind, names[0]
    return found

"""`dari erp check`: what an admin still has to finish in a catalog, with YAML line numbers.

Errors (must be fixed; exit 1): an invalid catalog; a tool whose `description_ko` is not
Korean; a tool without `examples:` (the router never chooses it); a row-scope column the table
does not have (live schema when the ERP answers, else `query.tables`); an `entity:` parameter
naming an undeclared kind; an entity or `erp_query` table/column missing from the live schema.
Warnings: starter text left by `dari erp introspect`, tools no role may call (except through
admin's `*`), roles named in `row_scope`/`query.roles` that do not exist, scope columns that
can only be compared with the `query.tables` allow-list.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import sqlglot
import yaml
from sqlglot import exp

from dari.core.principal import Principal
from dari.erp.catalog import BIND, SCOPE_MARKER, USER_REF, Catalog, CatalogError, parse_catalog

HANGUL = re.compile(r"[가-힣]")
STARTER = "(편집하세요)"  # what `dari erp introspect` writes into text an admin must rewrite
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Finding:
    severity: Literal["error", "warning"]
    line: int | None  # 1-based line in the catalog file
    message: str


@dataclass
class Report:
    path: Path
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was (not) compared, for the reader

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def lines(self) -> list[str]:
        ordered = sorted(
            self.findings, key=lambda f: (f.severity != "error", f.line or 0, f.message)
        )
        out = [f"{self.path}:{f.line or 0}: {f.severity}: {f.message}" for f in ordered]
        out.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        return out


class _Lines:
    """Line numbers of YAML nodes by path (anchors resolve to their definition, `<<` merges)."""

    def __init__(self, text: str) -> None:
        try:
            self.root: yaml.Node | None = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError:
            self.root = None

    @staticmethod
    def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
        if isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            return node.value[key] if key < len(node.value) else None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    return v  # type: ignore[no-any-return]
            for k, v in node.value:  # merge keys
                if k.value == "<<":
                    for source in v.value if isinstance(v, yaml.SequenceNode) else [v]:
                        found = _Lines._child(source, key)
                        if found is not None:
                            return found
        return None

    def __call__(self, *path: str | int) -> int | None:
        node, line = self.root, None
        for key in path:
            if node is None:
                break
            node = self._child(node, key)
            if node is not None:
                line = node.start_mark.line + 1
        if line is None and self.root is not None:
            return 1
        return line


def _parse(sql: str, dialect: str | None) -> exp.Expression | None:
    for read in (dialect, "mysql", None):
        try:
            return cast(exp.Expression, sqlglot.parse_one(sql, read=read))
        except Exception:  # noqa: S112 - try the next dialect; None = not checkable
            continue
    return None


def _tool_sql(sql: str) -> str:
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


def _all_tables(tree: exp.Expression) -> dict[str, str]:
    return {t.alias_or_name.lower(): t.name.lower() for t in tree.find_all(exp.Table)}


def _scope_columns(
    where: str, outer: Mapping[str, str], dialect: str | None
) -> Iterator[tuple[str, list[str]]] | None:
    """(column, candidate tables) for each column of a row-scope rule; None if unparseable.

    A column belongs to the nearest SELECT of the rule that reads tables (qualified: the one
    whose alias matches), else to the scoped query's tables `outer` (alias → table)."""
    tree = _parse(f"SELECT 1 WHERE {USER_REF.sub(chr(39) + 'x' + chr(39), where)}", dialect)
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


def _has(permissions: Collection[str], needed: str) -> bool:
    return Principal(user_id="-", username="-", permissions=frozenset(permissions)).has(needed)


def check_catalog(
    path: Path,
    *,
    schema: Mapping[str, Collection[str]] | None = None,
    role_permissions: Mapping[str, Collection[str]] | None = None,
    dialect: str | None = None,
) -> Report:
    """Everything an admin must (errors) or should (warnings) still do in the catalog at `path`.

    `schema`: the live ERP's table → columns (None: compare with `query.tables`);
    `role_permissions`: Dari's roles (None: skip the "no role may call" checks)."""
    report = Report(path)
    add = report.findings.append
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        add(Finding("error", None, f"cannot read the catalog ({exc.strerror})"))
        return report
    line = _Lines(text)
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - the safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        add(Finding("error", mark.line + 1 if mark else None, f"not valid YAML: {exc}"))
        return report
    try:
        catalog = parse_catalog(data, str(path))
    except CatalogError as exc:
        for problem in str(exc).split("; "):
            found = re.search(r"(tool|entity) '([^']+)'", problem)
            where = None
            if found and found.group(1) == "tool" and isinstance(data, dict):
                names = [t.get("name") for t in data.get("tools") or [] if isinstance(t, dict)]
                if found.group(2) in names:
                    where = line("tools", names.index(found.group(2)))
            elif found:
                where = line("entities", found.group(2))
            add(Finding("error", where, problem.removeprefix(f"{path}: ")))
        return report

    live = {t.lower(): {c.lower() for c in cols} for t, cols in (schema or {}).items()}
    listed = {
        t.lower(): {c.lower() for c in spec.columns}
        for t, spec in (catalog.query.tables.items() if catalog.query else [])
    }
    if schema is None:
        report.notes.append("ERP schema not read: scope columns compared with query.tables")

    def check_rule(where: str, outer: Mapping[str, str], at: int | None, who: str) -> None:
        columns = _scope_columns(where, outer, dialect)
        if columns is None:
            add(Finding("warning", at, f"{who}: row_scope `where` could not be parsed"))
            return
        seen: set[str] = set()
        for column, tables in columns:
            if not tables or column.lower() in seen:
                continue
            seen.add(column.lower())
            if schema is not None and all(t in live for t in tables):
                if not any(column.lower() in live[t] for t in tables):
                    add(
                        Finding(
                            "error",
                            at,
                            f"{who}: row_scope uses column {column!r}, which "
                            f"{' / '.join(tables)} does not have in the ERP",
                        )
                    )
            elif (
                schema is None
                and all(t in listed for t in tables)
                and not any(column.lower() in listed[t] for t in tables)
            ):
                add(
                    Finding(
                        "warning",
                        at,
                        f"{who}: row_scope uses column {column!r}, not among "
                        f"query.tables.{tables[0]}.columns (check it with the ERP reachable)",
                    )
                )

    _check_tools(catalog, line, add, check_rule, dialect)
    _check_query(catalog, line, add, check_rule, live if schema is not None else None)
    _check_entities(catalog, line, add, check_rule, live if schema is not None else None)
    if role_permissions is not None:
        _check_roles(catalog, line, add, role_permissions)
    else:
        report.notes.append("Dari roles not read: who may call each tool not checked")
    return report


def _check_tools(
    catalog: Catalog, line: Any, add: Any, check_rule: Any, dialect: str | None
) -> None:
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
        tree = _parse(_tool_sql(sql), dialect)
        outer = _all_tables(tree) if tree is not None else {}
        for j, rule in enumerate(tool.row_scope):
            if rule.where and outer:
                check_rule(rule.where, outer, line("tools", i, "row_scope", j, "where"), who)


def _check_query(
    catalog: Catalog, line: Any, add: Any, check_rule: Any, live: dict[str, set[str]] | None
) -> None:
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


def _check_entities(
    catalog: Catalog, line: Any, add: Any, check_rule: Any, live: dict[str, set[str]] | None
) -> None:
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


def _check_roles(
    catalog: Catalog, line: Any, add: Any, role_permissions: Mapping[str, Collection[str]]
) -> None:
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

"""`dari erp check`: what an admin still has to finish in a catalog, with YAML line numbers.

Errors (must be fixed; exit 1): an invalid catalog; a tool whose `description_ko` is not
Korean; a tool without `examples:` (the router never chooses it); a row-scope column the table
does not have (live schema when the ERP answers, else `query.tables`); an `entity:` parameter
naming an undeclared kind; an entity or `erp_query` table/column missing from the live schema.
Warnings: starter text left by `dari erp introspect`, tools no role may call (except through
admin's `*`), roles named in `row_scope`/`query.roles` that do not exist, scope columns that
can only be compared with the `query.tables` allow-list.

The parts: `check_report` (findings, the printed report), `check_lines` (YAML line numbers),
`check_scope_sql` (which table a row-scope column belongs to), `check_sections` (the checks of
each catalog section).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path

import yaml

from dari.erp.catalog import CatalogError, parse_catalog
from dari.erp.check_lines import LOADER, YamlLines
from dari.erp.check_report import Finding, Report
from dari.erp.check_scope_sql import scope_columns
from dari.erp.check_sections import (
    HANGUL,
    STARTER,
    check_entities,
    check_query,
    check_roles,
    check_tools,
)

__all__ = ["HANGUL", "STARTER", "Finding", "Report", "check_catalog"]


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
    line = YamlLines(text)
    try:
        data = yaml.load(text, Loader=LOADER)  # noqa: S506 - the safe loader
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
        columns = scope_columns(where, outer, dialect)
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

    check_tools(catalog, line, add, check_rule, dialect)
    check_query(catalog, line, add, check_rule, live if schema is not None else None)
    check_entities(catalog, line, add, check_rule, live if schema is not None else None)
    if role_permissions is not None:
        check_roles(catalog, line, add, role_permissions)
    else:
        report.notes.append("Dari roles not read: who may call each tool not checked")
    return report

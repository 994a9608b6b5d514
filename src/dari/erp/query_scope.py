"""Row scope for `erp_query`: each scoped table the user's SELECT reads is replaced by
`(SELECT * FROM <table> AS dari_sN WHERE <predicate>) AS <the user's alias>`.

The predicate comes from the catalog, and nothing in the user's SQL may change what it reads:

- **Tables.** SQL resolves a table name to the nearest WITH that defines it, so a user CTE named
  `departments` (at any depth) would stand in for the real `departments` inside the predicate.
  Every user CTE is therefore renamed to a fresh name that is no identifier of the query, of the
  allowed tables or of any predicate; the predicate's table names then only reach real tables.
- **Columns.** An unqualified predicate column missing from its own table would bind to the
  user's query (a correlated reference). Every predicate column is qualified with a fresh alias
  of a table *inside* the predicate: an unqualified one with the only table of its own SELECT,
  a qualified one with the nearest enclosing predicate table of that name. A predicate that does
  not allow this (several tables and an unqualified column, a derived table, a CTE, an unknown
  qualifier) is not applied: the call fails instead of running unscoped.
- Aliases the user gives (`(SELECT …) AS departments`) never affect which table a FROM reads, and
  the predicate's own aliases are fresh, so they cannot collide either.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.scope import Scope, traverse_scope

from dari.erp.base import ErpError

log = logging.getLogger(__name__)


class FreshNames:
    """Names (`dari_cte1`, `dari_s2` …) that are no identifier of the given trees or names."""

    def __init__(self, trees: Iterable[exp.Expr], reserved: Iterable[str] = ()) -> None:
        self.taken = {name.lower() for name in reserved}
        for tree in trees:
            self.taken.update(i.name.lower() for i in tree.find_all(exp.Identifier))
        self.count = 0

    def __call__(self, stem: str) -> str:
        while True:
            self.count += 1
            name = f"{stem}{self.count}"
            if name not in self.taken:
                self.taken.add(name)
                return name


def scope_rule_error(table: str, why: str) -> ErpError:
    """erp_failed for a catalog rule that cannot be applied safely (`why` goes to the log)."""
    log.error("erp_query: the row scope of table %s cannot be applied safely: %s", table, why)
    return ErpError(
        "erp_failed",
        f"테이블 '{table}'의 조회 범위 규칙(카탈로그)을 안전하게 적용할 수 없어 조회하지 "
        "않았습니다. 관리자에게 문의하세요.",
    )


def _scopes(tree: exp.Expression) -> list[Scope]:
    try:
        return traverse_scope(tree)
    except OptimizeError:
        raise ErpError(
            "erp_query_refused", "SQL이 거부되었습니다: SELECT 문의 구조를 해석할 수 없습니다."
        ) from None


def rename_ctes(tree: exp.Expression, fresh: FreshNames) -> None:
    """Give every CTE in `tree` (nested ones too) a fresh name, and its references with it."""
    ctes = list(tree.find_all(exp.CTE))
    if not ctes:
        return
    new_names = {id(cte): fresh("dari_cte") for cte in ctes}
    for scope in _scopes(tree):
        for table in scope.tables:
            # sqlglot's own rule for "this FROM names a CTE", so both agree on what is real.
            source = None if table.db else scope.cte_sources.get(table.name)
            if source is None:
                continue
            cte = source.expression.parent
            if not isinstance(cte, exp.CTE) or id(cte) not in new_names:
                raise ErpError(
                    "erp_query_refused",
                    f"SQL이 거부되었습니다: WITH 이름 '{table.name}'의 참조를 확인할 수 없습니다.",
                )
            if not table.alias:  # keep the name the query's columns are qualified with
                table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name)))
            table.set("this", exp.to_identifier(new_names[id(cte)]))
    for cte in ctes:
        cte.args["alias"].set("this", exp.to_identifier(new_names[id(cte)]))


def scoped_select(table: str, predicate: exp.Expr, fresh: FreshNames) -> exp.Select:
    """`SELECT * FROM table AS <fresh> WHERE predicate`, every column bound inside it."""
    inner = exp.select("*").from_(exp.Table(this=exp.to_identifier(table))).where(predicate)
    scopes = _scopes(inner)
    aliases: dict[int, dict[str, str]] = {}  # scope → its tables' names → fresh aliases
    for scope in scopes:
        names: dict[str, str] = {}
        for name, source in scope.sources.items():
            if not isinstance(source, exp.Table):
                raise scope_rule_error(table, f"derived table or CTE {name!r} in the predicate")
            names[name.lower()] = fresh("dari_s")
        aliases[id(scope)] = names
    by_expression = {id(scope.expression): scope for scope in scopes}
    for column in list(inner.find_all(exp.Column)):
        node = column.parent
        while node is not None and id(node) not in by_expression:
            node = node.parent
        if node is None:
            raise scope_rule_error(table, f"column {column.sql()} outside any SELECT")
        target = _binding(column, by_expression[id(node)], aliases)
        if target is None:
            raise scope_rule_error(table, f"column {column.sql()} is not bound to one table")
        column.set("table", exp.to_identifier(target))
    for scope in scopes:
        for name, source in scope.sources.items():
            assert isinstance(source, exp.Table)
            new = aliases[id(scope)][name.lower()]
            source.set("alias", exp.TableAlias(this=exp.to_identifier(new)))
    return inner


def _binding(column: exp.Column, owner: Scope, aliases: dict[int, dict[str, str]]) -> str | None:
    """The fresh alias `column` binds to: its own SELECT's only table when unqualified, else the
    nearest enclosing table of the predicate with that name; None when there is none."""
    qualifier = column.table.lower()
    if not qualifier:
        own = aliases[id(owner)]
        return next(iter(own.values())) if len(own) == 1 else None
    scope: Scope | None = owner
    while scope is not None:
        target = aliases.get(id(scope), {}).get(qualifier)
        if target is not None:
            return target
        scope = scope.parent
    return None


def scope_source(table: exp.Table, inner: exp.Select) -> None:
    """Replace the user's reference `table` by the scoped `inner` under the same alias."""
    alias = table.args.get("alias")
    if not isinstance(alias, exp.TableAlias):
        alias = exp.TableAlias(this=exp.to_identifier(table.name))
    table.replace(exp.Subquery(this=inner, alias=alias.copy()))

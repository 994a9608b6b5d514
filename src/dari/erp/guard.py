"""The guard for LLM-written SQL (`erp_query`): one SELECT over allow-listed tables and columns.

Parsed with sqlglot in the ERP's dialect, and rendered back in it
(`guard_dialect.render_dialect`) so the SQL sent means what the SQL written meant; column names
and aliases match regardless of case where the database matches them so (`fold_column_case`).
Refused: anything but a single SELECT (set operations and CTEs allowed), comments, `;`
stacking, tables outside the role's allow-list (system schemas included), columns outside the
allow-list, dangerous, server-identity or unknown functions and variables (`guard_rules`,
`guard_functions`), placeholders, `INTO`/`FOR UPDATE`. Then the user's CTEs are renamed and each
scoped table is replaced by a subquery carrying the user's row-scope predicate, which no name in
the user's SQL can capture (`query_scope`), and a LIMIT is set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError, TokenError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import traverse_scope
from sqlglot.tokens import TokenType

from dari.erp.base import ErpError
from dari.erp.catalog import USER_REF, QueryTable
from dari.erp.guard_dialect import as_written, render_dialect
from dari.erp.guard_functions import function_refusal
from dari.erp.guard_rules import FORBIDDEN_NODES, SYSTEM_NAMES
from dari.erp.query_scope import (
    FreshNames,
    rename_ctes,
    scope_rule_error,
    scope_source,
    scoped_select,
)
from dari.erp.scope import Scope


@dataclass(frozen=True)
class GuardedQuery:
    sql: str
    tables: list[str]


def refuse(message: str) -> ErpError:
    return ErpError("erp_query_refused", f"SQL이 거부되었습니다: {message}")


def _tokens_ok(sql: str, dialect: str) -> str:
    try:
        tokens = sqlglot.tokenize(sql, read=dialect)
    except TokenError:
        raise refuse("SQL을 해석할 수 없습니다.") from None
    if any(token.comments for token in tokens):
        raise refuse("주석(--, /* */, #)은 쓸 수 없습니다.")
    semicolons = [i for i, t in enumerate(tokens) if t.token_type == TokenType.SEMICOLON]
    if semicolons and semicolons != [len(tokens) - 1]:
        raise refuse("여러 문장(; 로 이어 붙인 SQL)은 실행할 수 없습니다. SELECT 한 문장만 쓰세요.")
    return sql.strip().rstrip(";") if semicolons else sql


def _parse(sql: str, dialect: str) -> exp.Query:
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except (ParseError, TokenError):
        raise refuse("SELECT 문으로 해석할 수 없습니다.") from None
    if len(statements) != 1:
        raise refuse("SELECT 한 문장만 쓸 수 있습니다.")
    statement = statements[0]
    if not isinstance(statement, exp.Query):
        raise refuse("읽기 전용 SELECT 문만 허용됩니다 (INSERT/UPDATE/DELETE/DDL 불가).")
    return statement


def _real_tables(tree: exp.Expression) -> list[exp.Table]:
    """Table nodes that read a real table (not a CTE), found through sqlglot's scopes."""
    seen: dict[int, exp.Table] = {}
    try:
        for scope in traverse_scope(tree):
            for source in scope.sources.values():
                if isinstance(source, exp.Table):
                    seen.setdefault(id(source), source)
    except OptimizeError:
        raise refuse("SELECT 문의 구조를 해석할 수 없습니다.") from None
    return list(seen.values())


def _check_nodes(
    tree: exp.Expression, allowed: Mapping[str, QueryTable], dialect: str
) -> list[str]:
    for node in tree.walk():
        if isinstance(node, FORBIDDEN_NODES):
            raise refuse(f"허용되지 않는 구문입니다 ({node.key.upper()}).")
        if isinstance(node, exp.With) and node.args.get("recursive"):
            raise refuse("재귀 WITH(RECURSIVE)는 쓸 수 없습니다.")
        if isinstance(node, exp.Func):
            refusal = function_refusal(node, dialect)
            if refusal:
                raise refuse(refusal)
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    real = _real_tables(tree)
    real_ids = {id(t) for t in real}
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise refuse("테이블 함수는 쓸 수 없습니다.")
        # Anything not resolved to a real table must be a reference to one of the CTEs.
        if id(table) not in real_ids and (table.name.lower() not in ctes or table.db):
            raise refuse(f"테이블 참조 '{table.name}'을(를) 확인할 수 없습니다.")
    used: list[str] = []
    for table in real:
        name = table.name.lower()
        schema = (table.db or table.catalog).lower()
        if schema or name in SYSTEM_NAMES:
            if schema in SYSTEM_NAMES or name in SYSTEM_NAMES:
                raise refuse("시스템 스키마/카탈로그는 조회할 수 없습니다.")
            raise refuse("스키마를 지정한 테이블 이름은 쓸 수 없습니다.")
        if name in ctes:  # a CTE shadowing a table would hide the table from the scope rules
            raise refuse(f"WITH 이름 '{table.name}'은(는) 테이블 이름과 같을 수 없습니다.")
        if name not in allowed:
            raise refuse(
                f"테이블 '{table.name}'은(는) 조회 허용 목록에 없습니다. "
                f"허용: {', '.join(sorted(allowed)) or '(없음)'}."
            )
        used.append(name)
    return sorted(set(used))


# Dialects whose column names and select aliases match regardless of case (MariaDB/MySQL,
# SQLite, SQL Server's usual collations). Table names and table aliases keep their case: they
# are case-sensitive on MariaDB/MySQL under Linux.
CASE_INSENSITIVE_COLUMNS = {"mysql", "sqlite", "tsql"}


def fold_column_case(tree: exp.Expression, allowed: Mapping[str, QueryTable]) -> None:
    """Spell every column name and column alias one way per case-folded name, as the catalog
    spells it (else as first written), so that `SELECT Product_Name` or `ORDER BY Year` (alias
    `year`) resolve as the database resolves them."""
    spelled: dict[str, str] = {}
    for table in allowed.values():
        for column in table.columns:
            spelled.setdefault(column.lower(), column)
    names: list[exp.Identifier] = []
    for node in tree.walk():
        if isinstance(node, exp.Alias) and isinstance(node.args.get("alias"), exp.Identifier):
            names.append(node.args["alias"])
        elif isinstance(node, exp.TableAlias):
            names.extend(c for c in node.columns if isinstance(c, exp.Identifier))
        elif isinstance(node, exp.Column) and isinstance(node.this, exp.Identifier):
            names.append(node.this)
    for identifier in names:
        spelled.setdefault(identifier.name.lower(), identifier.name)
    for identifier in names:
        identifier.set("this", spelled[identifier.name.lower()])


def _predicate(table: str, where: str, values: Mapping[str, str], dialect: str) -> exp.Expr:
    """The rule's `where` with the user's (code-checked) values as SQL literals."""
    predicate_sql = USER_REF.sub(
        lambda m: exp.Literal.string(values[m.group(1)]).sql(dialect=dialect), where
    )
    try:
        return sqlglot.parse_one(predicate_sql, read=dialect, into=exp.Condition)
    except (ParseError, TokenError):
        raise scope_rule_error(table, "the predicate does not parse") from None


def _apply_scopes(
    tree: exp.Expression,
    allowed: Mapping[str, QueryTable],
    scope_for: Callable[[QueryTable], Scope],
    dialect: str,
) -> None:
    """Rename the user's CTEs, then put each scoped table behind its predicate (query_scope)."""
    real = _real_tables(tree)
    predicates: dict[str, exp.Expr | None] = {}
    for table in real:
        name = table.name.lower()
        if name not in allowed:  # cannot happen after _check_nodes; never scope-less
            raise refuse(f"테이블 '{table.name}'은(는) 조회 허용 목록에 없습니다.")
        if name not in predicates:
            scope = scope_for(allowed[name])
            where = scope.where.replace(":user__", ":user.") if scope.where else None
            predicates[name] = _predicate(name, where, scope.values, dialect) if where else None
    found = [p for p in predicates.values() if p is not None]
    fresh = FreshNames([tree, *found], reserved=allowed)
    rename_ctes(tree, fresh)
    for table in real:
        predicate = predicates[table.name.lower()]
        if predicate is not None:
            scope_source(table, scoped_select(table.name, predicate.copy(), fresh))


def guard_query(
    sql: str,
    *,
    dialect: str,
    allowed: Mapping[str, QueryTable],
    scope_for: Callable[[QueryTable], Scope],
    max_rows: int,
) -> GuardedQuery:
    """Check `sql` and return the SQL to run (scoped, limited) or raise erp_query_refused.

    `scope_for(table)` resolves the table's row scope for the asking user (and raises
    erp_forbidden when the user lacks an attribute it needs).
    """
    if not isinstance(sql, str) or not sql.strip():
        raise refuse("빈 SQL입니다.")
    if len(sql) > 10_000:
        raise refuse("SQL이 너무 깁니다 (10,000자 이하).")
    try:
        return _guard(sql, dialect, allowed, scope_for, max_rows)
    except RecursionError:  # sqlglot recurses per nesting level: a refusal, not a crash
        raise refuse("SQL이 너무 깊게 중첩되어 있습니다.") from None


def _guard(
    sql: str,
    dialect: str,
    allowed: Mapping[str, QueryTable],
    scope_for: Callable[[QueryTable], Scope],
    max_rows: int,
) -> GuardedQuery:
    tree = cast(exp.Expression, _parse(_tokens_ok(sql, dialect), dialect))
    as_written(tree, dialect)
    used = _check_nodes(tree, allowed, dialect)
    if dialect in CASE_INSENSITIVE_COLUMNS:
        fold_column_case(tree, allowed)
    schema: dict[str, object] = {
        name: dict.fromkeys(table.columns, "VARCHAR") for name, table in allowed.items()
    }
    try:
        tree = qualify(
            tree,
            schema=schema,
            dialect=dialect,
            validate_qualify_columns=True,
            quote_identifiers=False,
            identify=False,
        )
    except OptimizeError as exc:
        raise refuse(f"허용되지 않았거나 없는 열을 참조합니다 ({str(exc)[:120]}).") from None
    _apply_scopes(tree, allowed, scope_for, dialect)
    assert isinstance(tree, exp.Query)
    limit = tree.args.get("limit")
    if limit is not None:
        value = limit.expression if isinstance(limit, exp.Limit) else None
        if not (isinstance(value, exp.Literal) and value.is_int):
            raise refuse("LIMIT에는 숫자만 쓸 수 있습니다.")
        tree = tree.limit(min(int(value.name), max_rows + 1))
    else:
        tree = tree.limit(max_rows + 1)
    return GuardedQuery(sql=tree.sql(dialect=render_dialect(dialect)), tables=used)

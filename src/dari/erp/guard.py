"""The guard for LLM-written SQL (`erp_query`): one SELECT over allow-listed tables and columns.

Parsed with sqlglot in the ERP's dialect. Refused: anything but a single SELECT (set
operations and CTEs allowed), comments, `;` stacking, tables outside the role's allow-list
(system schemas included), columns outside the allow-list, dangerous or unknown functions,
variables and placeholders, `INTO`/`FOR UPDATE`. Then each scoped table is replaced by a
subquery carrying the user's row-scope predicate, and a LIMIT is set.
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
from dari.erp.scope import Scope

SYSTEM_NAMES = {
    "information_schema",
    "mysql",
    "performance_schema",
    "sys",
    "pg_catalog",
    "sqlite_master",
    "sqlite_schema",
    "sqlite_temp_master",
    "sqlite_sequence",
    "sqlite_stat1",
    "master",
    "msdb",
    "tempdb",
    "pg_shadow",
    "pg_user",
}
DENIED_FUNCTIONS = {
    "sleep",
    "benchmark",
    "load_file",
    "pg_sleep",
    "pg_sleep_for",
    "randomblob",
    "zeroblob",
    "load_extension",
    "readfile",
    "writefile",
    "pg_read_file",
    "pg_read_binary_file",
    "lo_import",
    "lo_export",
    "dblink",
    "xp_cmdshell",
    "openrowset",
    "get_lock",
    "release_lock",
    "master_pos_wait",
    "sys_exec",
    "sys_eval",
    "user",
    "current_user",
    "session_user",
    "system_user",
    "database",
    "schema",
    "version",
    "connection_id",
    "sqlite_version",
    "last_insert_id",
    "found_rows",
    "uuid",
}
SAFE_ANONYMOUS = {
    "strftime",
    "date_format",
    "substr",
    "substring",
    "ifnull",
    "nvl",
    "iif",
    "julianday",
    "datediff",
    "date_add",
    "date_sub",
    "concat",
    "concat_ws",
    "char_length",
    "instr",
    "printf",
    "format",
    "quarter",
    "week",
    "weekday",
    "dayofweek",
    "last_day",
    "to_char",
    "date_trunc",
    "curdate",
    "left",
    "right",
    "lpad",
    "rpad",
    "sign",
    "mod",
    "truncate",
    "ltrim",
    "rtrim",
}
FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.Command,
    exp.Into,
    exp.Lock,
    exp.Set,
    exp.Pragma,
    exp.Placeholder,
    exp.Parameter,
    exp.SessionParameter,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Use,
    exp.Describe,
)


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


def _check_nodes(tree: exp.Expression, allowed: Mapping[str, QueryTable]) -> list[str]:
    for node in tree.walk():
        if isinstance(node, FORBIDDEN_NODES):
            raise refuse(f"허용되지 않는 구문입니다 ({node.key.upper()}).")
        if isinstance(node, exp.With) and node.args.get("recursive"):
            raise refuse("재귀 WITH(RECURSIVE)는 쓸 수 없습니다.")
        if isinstance(node, exp.Func):
            name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if name in DENIED_FUNCTIONS:
                raise refuse(f"함수 {name.upper()}는 사용할 수 없습니다.")
            if isinstance(node, exp.Anonymous) and name not in SAFE_ANONYMOUS:
                raise refuse(f"함수 {name.upper()}는 허용 목록에 없습니다.")
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


def _scope_table(table: exp.Table, where: str, values: Mapping[str, str], dialect: str) -> None:
    predicate_sql = USER_REF.sub(
        lambda m: exp.Literal.string(values[m.group(1)]).sql(dialect=dialect), where
    )
    predicate = sqlglot.parse_one(predicate_sql, read=dialect, into=exp.Condition)
    alias = table.alias_or_name
    inner = exp.select("*").from_(exp.to_table(table.name)).where(predicate)
    table.replace(inner.subquery(alias))


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
    tree = cast(exp.Expression, _parse(_tokens_ok(sql, dialect), dialect))
    used = _check_nodes(tree, allowed)
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
    for table in _real_tables(tree):
        name = table.name.lower()
        if name not in allowed:  # cannot happen after _check_nodes; never scope-less
            raise refuse(f"테이블 '{table.name}'은(는) 조회 허용 목록에 없습니다.")
        scope = scope_for(allowed[name])
        if scope.where is not None:
            _scope_table(table, scope.where.replace(":user__", ":user."), scope.values, dialect)
    assert isinstance(tree, exp.Query)
    limit = tree.args.get("limit")
    if limit is not None:
        value = limit.expression if isinstance(limit, exp.Limit) else None
        if not (isinstance(value, exp.Literal) and value.is_int):
            raise refuse("LIMIT에는 숫자만 쓸 수 있습니다.")
        tree = tree.limit(min(int(value.name), max_rows + 1))
    else:
        tree = tree.limit(max_rows + 1)
    return GuardedQuery(sql=tree.sql(dialect=dialect), tables=used)

"""Which functions the `erp_query` guard refuses (`function_refusal`).

Functions are checked twice, because sqlglot turns many of them into dedicated classes
(`DATABASE()` → `CurrentSchema`, `VERSION()` → `CurrentVersion`) whose generic name a plain
deny-list would never see: by **class** (anything sqlglot parses as a session/server identity
function) and by **every name** the node goes by — the name written, the class's SQL names and
the name rendered back in the ERP's dialect. Functions sqlglot does not know are refused unless
they are on the allow-list of ordinary date, string and math helpers for the ERP's dialect
(`guard_safe_functions.safe_functions`).
"""

from __future__ import annotations

import re

from sqlglot import exp

from dari.erp.guard_safe_functions import safe_functions

# Side effects, files, waits and locks.
_DANGEROUS = {
    "sleep",
    "benchmark",
    "load_file",
    "pg_sleep",
    "pg_sleep_for",
    "pg_sleep_until",
    "randomblob",
    "zeroblob",
    "load_extension",
    "readfile",
    "writefile",
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_dir",
    "lo_import",
    "lo_export",
    "dblink",
    "xp_cmdshell",
    "openrowset",
    "opendatasource",
    "get_lock",
    "release_lock",
    "release_all_locks",
    "is_free_lock",
    "is_used_lock",
    "master_pos_wait",
    "source_pos_wait",
    "master_gtid_wait",
    "sys_exec",
    "sys_eval",
    "nextval",
    "setval",
    "lastval",
    "currval",
    "read_csv",
    "read_parquet",
    "to_file",
}
# Who and where the ERP server is: accounts, roles, database, version, connection, session state.
_IDENTITY = {
    "user",
    "current_user",
    "current_user_id",
    "session_user",
    "system_user",
    "suser_name",
    "suser_sname",
    "original_login",
    "current_role",
    "current_roles",
    "current_available_roles",
    "current_secondary_roles",
    "database",
    "schema",
    "current_database",
    "current_schema",
    "current_schemas",
    "current_catalog",
    "db_name",
    "host_name",
    "version",
    "current_version",
    "sqlite_version",
    "sqlite_source_id",
    "sqlite_compileoption_get",
    "sqlite_compileoption_used",
    "connection_id",
    "pg_backend_pid",
    "ps_current_thread_id",
    "ps_thread_id",
    "current_setting",
    "inet_server_addr",
    "inet_server_port",
    "inet_client_addr",
    "inet_client_port",
    "last_insert_id",
    "last_insert_rowid",
    "found_rows",
    "row_count",
    "changes",
    "total_changes",
    "uuid",
    "uuid_short",
    "sys_guid",
    "current_session",
    "current_statement",
    "current_transaction",
    "current_client",
    "current_ip_address",
    "current_account",
    "current_account_name",
    "current_region",
    "current_warehouse",
    "current_organization_name",
    "current_organization_user",
    "current_role_type",
    "current_timezone",
}
DENIED_FUNCTIONS = _DANGEROUS | _IDENTITY
# CURRENT_DATE/TIME/TIMESTAMP only read the clock; every other Current* class (CURRENT_USER,
# CURRENT_ROLE, CURRENT_SCHEMA, CURRENT_VERSION …, and any sqlglot adds later) is identity.
_CLOCK = {
    "CurrentDate",
    "CurrentDatetime",
    "CurrentTime",
    "CurrentTimestamp",
    "CurrentTimestampLTZ",
}
_OTHER_IDENTITY_CLASSES = ("SessionUser", "Uuid", "ReadCSV", "ReadParquet", "ToFile")
IDENTITY_NODES: tuple[type[exp.Expr], ...] = tuple(
    cls
    for name, cls in sorted(vars(exp).items())
    if isinstance(cls, type)
    and issubclass(cls, exp.Func)
    and ((name.startswith("Current") and name not in _CLOCK) or name in _OTHER_IDENTITY_CLASSES)
)
_CALLED = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_$]*)")


def function_names(node: exp.Func, dialect: str) -> list[str]:
    """Every name `node` goes by, the one sent to the ERP first: as rendered in `dialect`, as
    written, and the class's SQL names."""
    if isinstance(node, exp.Anonymous):
        return [node.name.lower()]
    try:
        rendered = _CALLED.match(node.sql(dialect=dialect))
    except Exception:  # a node this dialect cannot render never reaches the ERP either
        rendered = None
    names = [rendered.group(1).lower()] if rendered else []
    return [*names, node.sql_name().lower(), *(n.lower() for n in type(node).sql_names())]


def function_refusal(node: exp.Func, dialect: str) -> str | None:
    """Why `node` may not run (a Korean sentence naming the function), or None when it may."""
    names = function_names(node, dialect)
    shown = names[0].upper()
    if isinstance(node, IDENTITY_NODES) or _IDENTITY.intersection(names):
        return f"함수 {shown}()은(는) ERP 서버·계정 정보를 드러내므로 사용할 수 없습니다."
    if _DANGEROUS.intersection(names):
        return f"함수 {shown}()은(는) 사용할 수 없습니다."
    if isinstance(node, exp.Anonymous) and names[0] not in safe_functions(dialect):
        return f"함수 {shown}()은(는) 허용 목록에 없습니다."
    return None

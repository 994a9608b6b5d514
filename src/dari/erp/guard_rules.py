"""What the `erp_query` guard refuses: system names, statement kinds and functions.

Functions are checked twice, because sqlglot turns many of them into dedicated classes
(`DATABASE()` → `CurrentSchema`, `VERSION()` → `CurrentVersion`) whose generic name a plain
deny-list would never see: by **class** (anything sqlglot parses as a session/server identity
function) and by **every name** the node goes by — the name written, the class's SQL names and
the name rendered back in the ERP's dialect. Functions sqlglot does not know are refused unless
they are on the allow-list of ordinary date, string and math helpers for the ERP's dialect
(`safe_functions`).

Also here: `DariMySQL`, the MySQL dialect the checked SQL is rendered with (MariaDB has no
`REGEXP_LIKE`, and `MEDIAN` is its own window function), and `as_written`, which undoes parses
that lose the source's meaning (`INTERVAL(n, a, b)`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.dialects.mysql import MySQL
from sqlglot.generators.mysql import MySQLGenerator

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
# Functions sqlglot does not know (it parses them as `Anonymous`) that may run: ordinary date,
# string, math and conditional helpers of each dialect, none of which reads or changes server
# or session state. Anything else sqlglot does not know is refused.
_SAFE_COMMON = {
    "abs",
    "ceil",
    "ceiling",
    "floor",
    "round",
    "sign",
    "mod",
    "power",
    "pow",
    "sqrt",
    "exp",
    "ln",
    "log",
    "log10",
    "log2",
    "pi",
    "degrees",
    "radians",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
    "cot",
    "greatest",
    "least",
    "coalesce",
    "nullif",
    "ifnull",
    "substr",
    "substring",
    "concat",
    "concat_ws",
    "char_length",
    "character_length",
    "length",
    "lower",
    "upper",
    "lcase",
    "ucase",
    "trim",
    "ltrim",
    "rtrim",
    "replace",
    "instr",
    "left",
    "right",
    "lpad",
    "rpad",
    "reverse",
    "repeat",
    "hex",
    "unhex",
    "format",
    "date",
    "time",
}
_SAFE_BY_DIALECT: dict[str, set[str]] = {
    "mysql": {  # MariaDB and MySQL
        "now",
        "sysdate",
        "curdate",
        "curtime",
        "current_date",
        "current_time",
        "current_timestamp",
        "localtime",
        "localtimestamp",
        "utc_date",
        "utc_time",
        "utc_timestamp",
        "unix_timestamp",
        "from_unixtime",
        "date_format",
        "time_format",
        "str_to_date",
        "get_format",
        "adddate",
        "subdate",
        "addtime",
        "subtime",
        "date_add",
        "date_sub",
        "datediff",
        "timediff",
        "timestampdiff",
        "timestampadd",
        "period_add",
        "period_diff",
        "year",
        "quarter",
        "month",
        "monthname",
        "week",
        "weekofyear",
        "yearweek",
        "day",
        "dayofmonth",
        "dayofweek",
        "dayofyear",
        "dayname",
        "weekday",
        "hour",
        "minute",
        "second",
        "microsecond",
        "last_day",
        "makedate",
        "maketime",
        "sec_to_time",
        "time_to_sec",
        "to_days",
        "from_days",
        "to_seconds",
        "extract",
        "field",
        "find_in_set",
        "elt",
        "locate",
        "position",
        "strcmp",
        "space",
        "insert",
        "mid",
        "substring_index",
        "ascii",
        "ord",
        "char",
        "bin",
        "oct",
        "conv",
        "octet_length",
        "bit_length",
        "soundex",
        "quote",
        "regexp_replace",
        "regexp_instr",
        "regexp_substr",
        "truncate",
        "rand",
        "crc32",
        "md5",
        "sha1",
        "sha2",
        "to_base64",
        "from_base64",
        "if",
        "interval",
        "median",
        "group_concat",
        "json_extract",
        "json_unquote",
        "json_value",
        "json_length",
        "json_contains",
        "json_object",
        "json_array",
        "natural_sort_key",
        "weight_string",
        "div",
        "std",
        "stddev",
        "stddev_pop",
        "stddev_samp",
        "variance",
        "var_pop",
        "var_samp",
        "bit_and",
        "bit_or",
        "bit_xor",
    },
    "sqlite": {
        "strftime",
        "julianday",
        "unixepoch",
        "datetime",
        "timediff",
        "printf",
        "iif",
        "glob",
        "like",
        "likely",
        "unlikely",
        "char",
        "unicode",
        "quote",
        "total",
        "group_concat",
        "string_agg",
        "octet_length",
        "median",
    },
    "postgres": {
        "to_char",
        "to_date",
        "to_timestamp",
        "to_number",
        "date_trunc",
        "date_part",
        "age",
        "make_date",
        "make_timestamp",
        "justify_days",
        "split_part",
        "initcap",
        "btrim",
        "strpos",
        "translate",
        "starts_with",
        "string_agg",
        "array_agg",
        "width_bucket",
        "trunc",
        "div",
        "cbrt",
        "gcd",
        "lcm",
        "factorial",
    },
    "tsql": {
        "getdate",
        "sysdatetime",
        "dateadd",
        "datename",
        "datepart",
        "eomonth",
        "datefromparts",
        "isnull",
        "iif",
        "charindex",
        "len",
        "stuff",
        "replicate",
        "square",
        "choose",
    },
}
# The list before issue 15 named a few helpers without a dialect; they stay allowed everywhere.
_SAFE_LEGACY = {
    "strftime",
    "date_format",
    "nvl",
    "iif",
    "julianday",
    "datediff",
    "date_add",
    "date_sub",
    "printf",
    "quarter",
    "week",
    "weekday",
    "dayofweek",
    "last_day",
    "to_char",
    "date_trunc",
    "curdate",
    "truncate",
}


def safe_functions(dialect: str) -> frozenset[str]:
    """The unknown-to-sqlglot function names that may run on `dialect`."""
    return frozenset(_SAFE_COMMON | _SAFE_LEGACY | _SAFE_BY_DIALECT.get(dialect, set()))


SAFE_ANONYMOUS = safe_functions("")
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
    exp.Parameter,  # @user_variable
    exp.SessionParameter,  # @@version, @@global.hostname …
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Use,
    exp.Describe,
)
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


# --- Rendering back in the ERP's own dialect ------------------------------------------------
# sqlglot's MySQL generator writes a few MariaDB constructs in forms MariaDB lacks; the guard
# renders through this subclass so the SQL sent keeps the meaning of the SQL written.


def _regexp(self: MySQLGenerator, node: exp.RegexpLike) -> str:
    if node.args.get("flag"):  # REGEXP_LIKE(x, p, flags) was written: MySQL 8 has it
        return self.func("REGEXP_LIKE", node.this, node.expression, node.args["flag"])
    return self.binary(node, "REGEXP")


class DariMySQL(MySQL):
    """MySQL/MariaDB as written: `x REGEXP p` (MariaDB has no REGEXP_LIKE), `MEDIAN(x)` (a
    MariaDB window function, not `PERCENTILE_CONT(x, 0.5)`), `UTC_DATE()` (not `CURRENT_DATE AT
    TIME ZONE 'UTC'`)."""

    class Generator(MySQLGenerator):
        TRANSFORMS: ClassVar[dict[type[exp.Expr], Callable[..., str]]] = {
            **MySQLGenerator.TRANSFORMS,
            exp.RegexpLike: _regexp,
            exp.Median: lambda self, node: self.func("MEDIAN", node.this),
            exp.UtcDate: lambda self, _node: "UTC_DATE()",
        }


RENDER_DIALECTS: dict[str, type[Dialect]] = {"mysql": DariMySQL}


def render_dialect(dialect: str) -> str | type[Dialect]:
    """What the guard renders the checked tree with (the ERP's dialect, corrected)."""
    return RENDER_DIALECTS.get(dialect, dialect)


def as_written(tree: exp.Expression, dialect: str) -> None:
    """Undo parses that lose the source dialect's meaning: MySQL's `INTERVAL(n, a, b)` (the
    index of the first bound above n) is read as an `INTERVAL` literal of a tuple."""
    if dialect != "mysql":
        return
    for node in list(tree.find_all(exp.Interval)):
        inner = node.this.unnest() if isinstance(node.this, exp.Expression) else None
        if node.args.get("unit") is None and isinstance(inner, exp.Tuple):
            node.replace(exp.Anonymous(this="INTERVAL", expressions=list(inner.expressions)))

"""What the `erp_query` guard refuses outright: system schemas and tables, and statement kinds.

Functions are checked in `guard_functions` (deny-lists and identity classes) against the
per-dialect allow-list in `guard_safe_functions`; `guard_dialect` renders the checked SQL back
in the ERP's dialect.
"""

from __future__ import annotations

from sqlglot import exp

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

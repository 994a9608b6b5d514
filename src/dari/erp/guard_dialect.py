"""Rendering checked SQL back in the ERP's own dialect, and reading it as the source meant.

`DariMySQL` is the MySQL dialect the guard renders with: sqlglot's MySQL generator writes a few
MariaDB constructs in forms MariaDB lacks (MariaDB has no `REGEXP_LIKE`, and `MEDIAN` is its own
window function), so the SQL sent keeps the meaning of the SQL written. `as_written` undoes
parses that lose the source's meaning (`INTERVAL(n, a, b)`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.dialects.mysql import MySQL
from sqlglot.generators.mysql import MySQLGenerator


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

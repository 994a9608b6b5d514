"""The queries YAML of `dari bench erp-queries`: `load_queries` reads and checks it.

Queries file (YAML)::

    role: analyst                 # default role
    user: {store_id: "1"}         # default ERP attributes (for row scopes)
    queries:
      - id: books_per_genre
        question: 장르별 도서 수   # optional, for people reading the report
        sql: SELECT genre, COUNT(*) FROM books GROUP BY genre
        # or per dialect: sql: {default: "…", sqlite: "…", mysql: "…"}
        role: store_manager       # optional
        user: {store_id: "2"}     # optional
        expected_sql: "…"         # optional: the SQL whose direct rows are right (scoped roles)
        expect: refused           # optional: the guard must refuse this one
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class BenchFileError(ValueError):
    """A queries or schema file that cannot be used (the message names the file and query)."""


@dataclass(frozen=True)
class BenchQuery:
    """One query of the file, with the file's default role and user attributes applied."""

    id: str
    sql: str | dict[str, str]
    question: str = ""
    role: str = ""
    user: dict[str, str] = field(default_factory=dict)
    expected_sql: str | dict[str, str] | None = None
    expect: str = "equal"

    def sql_for(self, dialect: str, expected: bool = False) -> str:
        """The SQL for `dialect` (`expected`: the SQL whose direct rows are the right answer)."""
        value = self.expected_sql if expected and self.expected_sql is not None else self.sql
        if isinstance(value, str):
            return value.strip()
        chosen = value.get(dialect, value.get("default"))
        if chosen is None:
            raise BenchFileError(f"query {self.id!r}: no SQL for dialect {dialect!r}")
        return chosen.strip()


def _sql_value(path: Path, qid: str, key: str, value: Any) -> str | dict[str, str]:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    raise BenchFileError(f"{path}: query {qid!r}: {key} must be SQL text or {{dialect: SQL}}")


def load_queries(path: Path) -> list[BenchQuery]:
    """Read and check a queries YAML (see the module docstring)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BenchFileError(f"{path}: cannot read the queries file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("queries"), list):
        raise BenchFileError(f"{path}: expected a mapping with a `queries:` list")
    default_role = str(data.get("role") or "")
    default_user = {str(k): str(v) for k, v in (data.get("user") or {}).items()}
    known = {"id", "question", "sql", "role", "user", "expected_sql", "expect"}
    queries: list[BenchQuery] = []
    seen: set[str] = set()
    for number, item in enumerate(data["queries"], start=1):
        if not isinstance(item, dict) or not item.get("id"):
            raise BenchFileError(f"{path}: query #{number} needs an `id`")
        qid = str(item["id"])
        unknown = set(item) - known
        if unknown:
            raise BenchFileError(f"{path}: query {qid!r}: unknown keys {sorted(unknown)}")
        if qid in seen:
            raise BenchFileError(f"{path}: query id {qid!r} appears twice")
        seen.add(qid)
        role = str(item.get("role") or default_role)
        if not role:
            raise BenchFileError(f"{path}: query {qid!r}: no role (set `role:` on it or the file)")
        expect = str(item.get("expect") or "equal")
        if expect not in ("equal", "refused"):
            raise BenchFileError(f"{path}: query {qid!r}: expect must be equal or refused")
        expected = item.get("expected_sql")
        queries.append(
            BenchQuery(
                id=qid,
                question=str(item.get("question") or ""),
                sql=_sql_value(path, qid, "sql", item.get("sql")),
                role=role,
                user={
                    **default_user,
                    **{str(k): str(v) for k, v in (item.get("user") or {}).items()},
                },
                expected_sql=None
                if expected is None
                else _sql_value(path, qid, "expected_sql", expected),
                expect=expect,
            )
        )
    return queries

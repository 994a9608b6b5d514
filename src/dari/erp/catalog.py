"""The ERP tool catalog: YAML → validated models, with errors naming file, tool and field.

A catalog lists tools (SQL with named binds, or a REST call), their JSON-Schema parameters,
output columns, permission and row-scope rules, plus the allow-list for ad-hoc `erp_query`.
Format reference: docs/erp.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import jsonschema
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from dari.erp.base import Operation, RestCall

NAME = r"^[a-z][a-z0-9_]{1,62}$"
USER_REF = re.compile(r":user\.([A-Za-z_][A-Za-z0-9_]*)")
BIND = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)(?!\.)")
SCOPE_MARKER = "{scope}"
RESERVED = {"erp_query"}
# Entity tables and columns are pasted into generated SQL (quoted), so only plain identifiers.
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}(?:\.[A-Za-z_][A-Za-z0-9_]{0,63})?")


# The C loader when PyYAML has it (10x faster); both are the *safe* loader.
_META_VALIDATOR = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogError(Exception):
    """The catalog is invalid; the message names the file, the tool and the field."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OutputColumn(_Model):
    name: str
    label: str
    unit: str = ""


class ScopeRule(_Model):
    """First matching rule wins. `where` None and no `match`: unrestricted (e.g. for admins)."""

    roles: list[str] = Field(default_factory=list)
    permission: str | None = None
    where: str | None = None
    match: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_refs(self) -> ScopeRule:
        for value in self.match.values():
            if not re.fullmatch(r"user\.[A-Za-z_][A-Za-z0-9_]*", value):
                raise ValueError(f"match values must be `user.<attribute>`, not {value!r}")
        return self

    def user_attributes(self) -> list[str]:
        refs = USER_REF.findall(self.where or "")
        return refs + [value.split(".", 1)[1] for value in self.match.values()]


class RestSpec(_Model):
    path: str
    method: Literal["GET", "POST"] = "GET"
    params: dict[str, str] = Field(default_factory=dict)
    items: str = "items"
    page_param: str | None = None
    page_size_param: str | None = None
    page_size: int = Field(100, ge=1, le=10_000)
    max_pages: int = Field(50, ge=1, le=1000)


class ChartHint(_Model):
    type: Literal["line", "bar"]
    x: str
    y: list[str]


class AnswerTemplate(_Model):
    """Korean sentences built from a tool's result (no model involved).

    Placeholders: `{q.period}`, `{q.as_of}` and `{q.<argument>}` (what the router understood:
    "2026년 10월", the customer's name), a row's column (`{supply_amount}`, formatted with its
    unit), `{sum.<column>}`, `{first.<column>}`, `{count}`, `{count.<column>=<value>}`,
    `{rank}` (in `row`). Reference: docs/erp.md#answer-templates.
    """

    one: str | None = None  # exactly one row
    many: str | None = None  # the lead sentence for several rows (each row follows as a line)
    row: str | None = None  # one line per row when there are several
    empty: str | None = None  # no row


class Tool(_Model):
    name: str = Field(pattern=NAME)
    description_ko: str = Field(min_length=1)
    description_en: str = Field(min_length=1)
    permission: str | None = None
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    sql: str | dict[str, str] | None = None
    rest: RestSpec | None = None
    columns: list[OutputColumn] = Field(min_length=1)
    row_scope: list[ScopeRule] = Field(default_factory=list)
    chart: ChartHint | None = None
    max_rows: int | None = Field(None, ge=1)
    # Korean questions this tool answers: the router's training data (docs/erp.md#examples).
    examples: list[str] = Field(default_factory=list)
    # How the assistant states the result in Korean (docs/erp.md#answer-templates).
    answer: AnswerTemplate | None = None

    @property
    def required_permission(self) -> str:
        return self.permission or f"erp:{self.name}"

    def sql_for(self, dialect: str | None) -> str | None:
        if isinstance(self.sql, dict):
            return self.sql.get(dialect or "") or self.sql.get("default")
        return self.sql

    def operation(self, dialect: str | None) -> Operation:
        if self.rest is not None:
            return Operation(rest=RestCall(**self.rest.model_dump()))
        return Operation(sql=self.sql_for(dialect))

    @model_validator(mode="after")
    def _check(self) -> Tool:
        if (self.sql is None) == (self.rest is None):
            raise ValueError("give exactly one of `sql` or `rest`")
        error = jsonschema.exceptions.best_match(_META_VALIDATOR.iter_errors(self.parameters))
        if error is not None:
            raise ValueError(f"parameters: not a valid JSON schema: {error.message}")
        if self.parameters.get("type") != "object":
            raise ValueError("parameters: the schema's type must be `object`")
        declared = set(self.parameters.get("properties", {}))
        texts = self.sql.values() if isinstance(self.sql, dict) else [self.sql or ""]
        for sql in texts:
            unknown = set(BIND.findall(USER_REF.sub("", sql))) - declared
            if unknown:
                raise ValueError(f"sql: bind parameter(s) {sorted(unknown)} are not in parameters")
            if self.sql is not None and (SCOPE_MARKER in sql) != bool(self.row_scope):
                raise ValueError("sql: use the `{scope}` marker exactly when `row_scope` is given")
            if ";" in sql.strip().rstrip(";"):
                raise ValueError("sql: one statement only (no `;`)")
        for rule in self.row_scope:
            if self.rest is not None and rule.where:
                raise ValueError("row_scope: REST tools scope rows with `match`, not `where`")
        names = {c.name for c in self.columns}
        if self.chart and not {self.chart.x, *self.chart.y} <= names:
            raise ValueError("chart: x and y must name output columns")
        return self


class QueryTable(_Model):
    description_ko: str = ""
    description_en: str = ""
    columns: dict[str, str] = Field(min_length=1)  # allowed column → Korean label
    row_scope: list[ScopeRule] = Field(default_factory=list)


class QueryConfig(_Model):
    """The ad-hoc `erp_query` tool: which tables/views each role may query, and how."""

    description_ko: str = (
        "다른 도구로 답할 수 없는 질문에 쓰는 읽기 전용 SQL 조회 (SELECT 한 문장)."
    )
    description_en: str = "Read-only ad-hoc SQL (one SELECT) for questions no other tool covers."
    permission: str = "erp:query"
    tables: dict[str, QueryTable] = Field(default_factory=dict)
    roles: dict[str, list[str]] = Field(default_factory=dict)  # role → tables ("*" = all)

    @model_validator(mode="after")
    def _check(self) -> QueryConfig:
        for role, tables in self.roles.items():
            unknown = set(tables) - set(self.tables) - {"*"}
            if unknown:
                raise ValueError(f"roles.{role}: unknown table(s) {sorted(unknown)}")
        return self

    def allowed_tables(self, roles: frozenset[str]) -> dict[str, QueryTable]:
        names: set[str] = set()
        for role in roles:
            listed = self.roles.get(role, [])
            names.update(self.tables if "*" in listed else listed)
        return {name: self.tables[name] for name in sorted(names)}


class EntitySpec(_Model):
    """A kind of master data (거래처, 품목…) the router links question words to (docs/erp.md,
    "Entities"). Without `code` the distinct `name` values are the entities (e.g. 품목군)."""

    label: str = Field(min_length=1)
    table: str
    name: str
    code: str | None = None
    aliases: list[str] = Field(default_factory=list)  # columns with other names (약칭, 영문명)
    row_scope: list[ScopeRule] = Field(default_factory=list)
    max_rows: int = Field(50_000, ge=1, le=1_000_000)

    @field_validator("aliases", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check(self) -> EntitySpec:
        if not TABLE.fullmatch(self.table):
            raise ValueError(
                f"table: {self.table!r} is not a plain table name (letters, digits, _; "
                "optionally schema.table)"
            )
        columns = {"name": self.name, **({"code": self.code} if self.code else {})}
        columns.update({f"aliases[{i}]": alias for i, alias in enumerate(self.aliases)})
        for field, column in columns.items():
            if not IDENT.fullmatch(column):
                raise ValueError(
                    f"{field}: {column!r} is not a plain column name (letters, digits, _)"
                )
        if self.aliases and self.code is None:
            raise ValueError("aliases: need a `code` column (aliases belong to one row)")
        if len(set(columns.values())) < len(columns):
            raise ValueError("name, code and aliases must be different columns")
        for rule in self.row_scope:
            if rule.match:
                raise ValueError("row_scope: entities are read with SQL; scope with `where`")
            where = rule.where or ""
            if ";" in where or SCOPE_MARKER in where:
                raise ValueError("row_scope: a `where` is one condition (no `;` or `{scope}`)")
            binds = set(BIND.findall(USER_REF.sub("", where)))
            if binds:
                raise ValueError(
                    f"row_scope: only :user.<attribute> binds are allowed, not {sorted(binds)}"
                )
        return self


class Catalog(_Model):
    version: Literal[1] = 1
    name: str = "ERP"
    definitions: dict[str, Any] = Field(default_factory=dict)  # YAML anchors live here
    tools: list[Tool] = Field(default_factory=list)
    query: QueryConfig | None = None
    # Master data for entity linking (kind → spec); optional, e.g. absent for REST-only ERPs.
    entities: dict[str, EntitySpec] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Catalog:
        seen: set[str] = set()
        for tool in self.tools:
            if tool.name in seen or tool.name in RESERVED:
                raise ValueError(f"tool {tool.name!r}: duplicate or reserved name")
            seen.add(tool.name)
        for kind in self.entities:
            if not re.fullmatch(NAME, kind):
                raise ValueError(f"entities: kind {kind!r} must match {NAME}")
        if self.entities:
            # A parameter linked to an undefined kind would silently never be filled.
            for tool in self.tools:
                for param, spec in (tool.parameters.get("properties") or {}).items():
                    linked = spec.get("entity") if isinstance(spec, dict) else None
                    if linked is not None and linked not in self.entities:
                        raise ValueError(
                            f"tool {tool.name!r}: parameter {param!r} names entity kind "
                            f"{linked!r}, which `entities` does not define"
                        )
        return self

    def tool(self, name: str) -> Tool | None:
        return next((t for t in self.tools if t.name == name), None)


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "entities":
        return f"entity {loc[1]!r}, field " + (".".join(str(p) for p in loc[2:]) or "(entity)")
    if len(loc) >= 2 and loc[0] == "tools" and isinstance(loc[1], int):
        tools = data.get("tools") if isinstance(data, dict) else None
        name = "?"
        if isinstance(tools, list) and loc[1] < len(tools) and isinstance(tools[loc[1]], dict):
            name = str(tools[loc[1]].get("name", f"#{loc[1] + 1}"))
        field = ".".join(str(p) for p in loc[2:]) or "(tool)"
        return f"tool {name!r}, field {field}"
    return "field " + (".".join(str(p) for p in loc) or "(top level)")


def parse_catalog(data: Any, source: str = "<catalog>") -> Catalog:
    """Validate already-parsed YAML; `CatalogError` names `source`, the tool and the field."""
    try:
        return Catalog.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors()[:10]:
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{source}: {_where(data, tuple(error['loc']))}: {message}")
        raise CatalogError("; ".join(problems)) from None


_PARSED: dict[tuple[str, int, int], Catalog] = {}


def load_catalog(path: str | Path) -> Catalog:
    """Read and validate a catalog file (parsed catalogs are reused while the file is unchanged;
    they are immutable)."""
    path = Path(path)
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None
    if key is not None and key in _PARSED:
        return _PARSED[key]
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the catalog ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML: {exc}") from None
    catalog = parse_catalog(data, str(path))
    if key is not None:
        _PARSED[key] = catalog
    return catalog

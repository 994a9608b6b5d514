"""Pydantic models of the ERP toolset: tool definitions and results (HTTP, CLI and the LLM)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ColumnInfo(BaseModel):
    name: str
    label: str
    unit: str = Field("", description="원, 개, %, 일 … (empty: none)")


class ToolDefinition(BaseModel):
    """What the LLM (and the UI) sees of one tool the user may call."""

    name: str
    description_ko: str
    description_en: str
    parameters: dict[str, Any] = Field(description="JSON Schema of the arguments.")
    permission: str
    columns: list[ColumnInfo]
    kind: Literal["catalog", "query"] = "catalog"


class ToolResult(BaseModel):
    """One call's answer. `rows` are lists aligned with `columns` (compact for the LLM)."""

    tool: str
    columns: list[ColumnInfo]
    rows: list[list[Any]]
    row_count: int
    truncated: bool = Field(False, description="More rows existed than the row cap allowed.")
    elapsed_ms: float
    chart_hint: dict[str, Any] | None = Field(
        None, description="`{type: line|bar, x: column, y: [columns]}` for series/rankings."
    )

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts keyed by column name."""
        names = [c.name for c in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]


class CallRequest(BaseModel):
    """Body of `POST /api/erp/tools/{name}`."""

    args: dict[str, Any] = Field(default_factory=dict, description="The tool's arguments.")


class ToolStatus(BaseModel):
    name: str
    permission: str
    roles: list[str] = Field(description="Built-in/defined roles whose permissions allow it.")
    row_scoped: bool


class CheckFinding(BaseModel):
    """One thing `dari erp check` says the catalog still lacks."""

    severity: Literal["error", "warning"]
    line: int | None = Field(None, description="1-based line in the catalog file.")
    message: str


class ErpStatus(BaseModel):
    """`GET /api/admin/erp/status`: connection, catalog and who may use which tool."""

    connector: str
    url: str
    connected: bool
    error: str | None = None
    catalog_path: str
    catalog_name: str
    catalog_error: str | None = None
    tools: list[ToolStatus]
    query_tables: dict[str, list[str]] = Field(
        default_factory=dict, description="erp_query: role → allowed tables."
    )
    check: list[CheckFinding] = Field(
        default_factory=list,
        description="What the catalog still lacks (`dari erp check`, against the catalog's "
        "own erp_query tables; the CLI also reads the live schema).",
    )

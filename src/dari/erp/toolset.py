"""`ErpToolset`: the catalog as Pydantic-AI-style tools, permission-checked, scoped and audited.

    toolset = get_erp_toolset(runtime)
    tools = toolset.get_tools(principal)               # only what this user may call
    result = await toolset.call_tool(principal, "sales_by_customer", {"date_from": ...})

Errors are `ErpError(code, message)`; every call (allowed, denied or failed) is audited as
`erp.call` with the arguments, row count and elapsed time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import Counter, Histogram
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dari.audit.service import record_now
from dari.config.erp import ErpSettings
from dari.core.principal import Principal
from dari.erp.arguments import validate_arguments
from dari.erp.base import ErpConnector, ErpError, Operation
from dari.erp.catalog import SCOPE_MARKER, Catalog, CatalogError, QueryTable, Tool
from dari.erp.guard import guard_query
from dari.erp.rows import filter_rows, select_columns
from dari.erp.schemas import ColumnInfo, ToolDefinition, ToolResult
from dari.erp.scope import Scope, resolve
from dari.erp.source import CatalogSource

log = logging.getLogger(__name__)
QUERY_TOOL = "erp_query"
AuditFn = Callable[..., Awaitable[None]]
AuditSink = async_sessionmaker[AsyncSession] | AuditFn | None
ERP_CALLS = Counter("dari_erp_calls_total", "ERP tool calls", ["tool", "outcome"])
ERP_SECONDS = Histogram("dari_erp_call_seconds", "ERP tool call time", ["tool"])
DENIED_CODES = {"erp_forbidden", "erp_query_refused"}
UNKNOWN_TOOL_LABEL = "unknown"


def _short(value: Any, limit: int = 2000) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    if isinstance(value, dict):
        return {str(k)[:100]: _short(v, limit) for k, v in list(value.items())[:50]}
    if isinstance(value, list):
        return [_short(v, limit) for v in value[:50]]
    return value


class ErpToolset:
    """The tools of one catalog over one connector."""

    def __init__(
        self,
        connector: ErpConnector,
        source: CatalogSource,
        settings: ErpSettings,
        sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.connector = connector
        self.source = source
        self.settings = settings
        self.sessionmaker = sessionmaker

    @property
    def catalog(self) -> Catalog:
        return self.source.current()

    # --- listing ---------------------------------------------------------------------------

    def get_tools(self, principal: Principal) -> list[ToolDefinition]:
        """The tools `principal` may call (by permission), in catalog order."""
        catalog = self.catalog
        tools = [
            ToolDefinition(
                name=tool.name,
                description_ko=tool.description_ko,
                description_en=tool.description_en,
                parameters=tool.parameters,
                permission=tool.required_permission,
                columns=[ColumnInfo(**c.model_dump()) for c in tool.columns],
            )
            for tool in catalog.tools
            if principal.has(tool.required_permission)
        ]
        query = self._query_definition(catalog, principal)
        return [*tools, query] if query else tools

    def _query_definition(self, catalog: Catalog, principal: Principal) -> ToolDefinition | None:
        config = catalog.query
        if config is None or self.connector.dialect is None or not principal.has(config.permission):
            return None
        allowed = config.allowed_tables(principal.roles)
        if not allowed:
            return None
        lines = [
            f"- {name} ({table.description_ko}): "
            + ", ".join(f"{col}({label})" for col, label in table.columns.items())
            for name, table in allowed.items()
        ]
        schema_text = "\n".join(lines)
        return ToolDefinition(
            name=QUERY_TOOL,
            description_ko=f"{config.description_ko}\n조회 가능한 테이블과 열:\n{schema_text}",
            description_en=f"{config.description_en}\nTables and columns:\n{schema_text}",
            parameters={
                "type": "object",
                "properties": {
                    "sql": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 10000,
                        "description": f"One SELECT ({self.connector.dialect}).",
                    }
                },
                "required": ["sql"],
            },
            permission=config.permission,
            columns=[],
            kind="query",
        )

    # --- calling ---------------------------------------------------------------------------

    async def call_tool(
        self, principal: Principal, name: str, args: Any, *, audit: AuditSink = None
    ) -> ToolResult:
        """Check permission and arguments again, run the tool, audit the outcome."""
        started = time.perf_counter()
        outcome, details = "ok", {"args": _short(args)}
        try:
            if name == QUERY_TOOL:
                result = await self._call_query(principal, args, started)
                details["tables"] = result.pop("tables")
                tool_result: ToolResult = result["result"]
            else:
                tool_result = await self._call_catalog_tool(principal, name, args, started)
            details.update(rows=tool_result.row_count, truncated=tool_result.truncated)
            return tool_result
        except ErpError as exc:
            outcome = "denied" if exc.code in DENIED_CODES else "failed"
            details.update(code=exc.code, message=exc.message)
            raise
        except Exception:
            outcome = "failed"
            details.update(code="erp_failed")
            log.exception("ERP tool %s failed", name)
            raise ErpError("erp_failed", "ERP 조회 중 오류가 발생했습니다.") from None
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            details["elapsed_ms"] = round(elapsed, 1)
            label = self._metric_label(name)
            ERP_CALLS.labels(label, outcome).inc()
            ERP_SECONDS.labels(label).observe(elapsed / 1000)
            await self._audit(audit, principal, name, outcome, details)

    def _metric_label(self, name: str) -> str:
        """The tool's name, or one shared `unknown`: the caller picks the name, and a series per
        name would grow without bound."""
        try:
            known = name == QUERY_TOOL or self.catalog.tool(name) is not None
        except CatalogError:
            known = False
        return name if known else UNKNOWN_TOOL_LABEL

    async def _audit(
        self,
        audit: AuditSink,
        principal: Principal,
        name: str,
        outcome: str,
        details: dict[str, Any],
    ) -> None:
        sink = audit if audit is not None else self.sessionmaker
        kwargs: dict[str, Any] = dict(
            actor=principal,
            outcome=outcome,
            subject_type="erp_tool",
            subject_id=name[:255],
            details=details,
        )
        try:
            if isinstance(sink, async_sessionmaker):
                await record_now(sink, "erp.call", **kwargs)
            elif sink is not None:
                await sink("erp.call", **kwargs)
        except Exception:  # a failed audit write is logged; the caller's answer stands
            log.exception("could not audit ERP call %s", name)

    def _tool(self, principal: Principal, name: str) -> Tool:
        tool = self.catalog.tool(name)
        if tool is None:
            raise ErpError("erp_unknown_tool", f"'{name[:64]}'라는 ERP 도구는 없습니다.")
        if not principal.has(tool.required_permission):
            raise ErpError(
                "erp_forbidden",
                f"'{name}' 도구를 사용할 권한이 없습니다 ({tool.required_permission} 필요).",
            )
        return tool

    async def _call_catalog_tool(
        self, principal: Principal, name: str, args: Any, started: float
    ) -> ToolResult:
        tool = self._tool(principal, name)
        values = validate_arguments(tool.parameters, args)
        scope = resolve(tool.row_scope, principal)
        operation = tool.operation(self.connector.dialect)
        params: dict[str, Any] = dict(values)
        if operation.sql is not None:
            predicate = f"({scope.where})" if scope.where else "1=1"
            operation = Operation(sql=operation.sql.replace(SCOPE_MARKER, predicate))
            params.update(scope.binds)
        raw = await self.connector.execute(
            operation,
            params,
            max_rows=tool.max_rows or self.settings.max_rows,
            timeout_s=self.settings.timeout_s,
        )
        if scope.match:
            raw = filter_rows(raw, scope.match)
        columns = [ColumnInfo(**c.model_dump()) for c in tool.columns]
        rows = select_columns(raw, [c.name for c in columns], name)
        return ToolResult(
            tool=name,
            columns=columns,
            rows=rows,
            row_count=len(rows),
            truncated=raw.truncated,
            elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
            chart_hint=tool.chart.model_dump() if tool.chart else None,
        )

    async def _call_query(self, principal: Principal, args: Any, started: float) -> dict[str, Any]:
        catalog = self.catalog
        config = catalog.query
        if config is None or self.connector.dialect is None:
            raise ErpError(
                "erp_unknown_tool", "이 ERP에서는 직접 SQL 조회(erp_query)를 쓸 수 없습니다."
            )
        if not principal.has(config.permission):
            raise ErpError(
                "erp_forbidden", f"직접 SQL 조회 권한이 없습니다 ({config.permission} 필요)."
            )
        allowed = config.allowed_tables(principal.roles)
        if not allowed:
            raise ErpError("erp_forbidden", "직접 SQL로 조회할 수 있는 테이블이 없습니다.")
        values = validate_arguments(
            {
                "type": "object",
                "properties": {"sql": {"type": "string", "maxLength": 10000}},
                "required": ["sql"],
            },
            args,
        )
        cap = self.settings.query_max_rows

        def scope_for(table: QueryTable) -> Scope:
            return resolve(table.row_scope, principal)

        guarded = guard_query(
            values["sql"],
            dialect=self.connector.dialect,
            allowed=allowed,
            scope_for=scope_for,
            max_rows=cap,
        )
        # Literals, not binds, carry the scope values here: colons must not read as binds.
        sql = guarded.sql.replace(":", "\\:")
        raw = await self.connector.execute(
            Operation(sql=sql), {}, max_rows=cap, timeout_s=self.settings.timeout_s
        )
        labels = {col: label for table in allowed.values() for col, label in table.columns.items()}
        columns = [ColumnInfo(name=c, label=labels.get(c, c)) for c in raw.columns]
        result = ToolResult(
            tool=QUERY_TOOL,
            columns=columns,
            rows=raw.rows,
            row_count=len(raw.rows),
            truncated=raw.truncated,
            elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return {"result": result, "tables": guarded.tables}

    async def close(self) -> None:
        await self.connector.close()

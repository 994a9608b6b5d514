"""The process's ERP toolset (built from settings) and the admin status report."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from dari.config import Settings
from dari.core.principal import Principal
from dari.core.runtime import Runtime, Slot
from dari.erp.base import ErpError
from dari.erp.catalog import CatalogError
from dari.erp.connectors import create_connector, is_rest_url
from dari.erp.sample import CATALOG_PATH
from dari.erp.schemas import CheckFinding, ErpStatus, ToolStatus
from dari.erp.source import CatalogSource
from dari.erp.toolset import QUERY_TOOL, ErpToolset

SAMPLE_FILE = "erp-sample.db"


def sample_path(settings: Settings) -> Path:
    return (settings.server.data_dir / SAMPLE_FILE).resolve()


def erp_url(settings: Settings) -> str:
    """`DARI_ERP_URL`, or the embedded sample ERP file in the data directory."""
    return settings.erp.url or f"sqlite+aiosqlite:///{sample_path(settings)}"


def catalog_path(settings: Settings) -> Path:
    return Path(settings.erp.catalog) if settings.erp.catalog else CATALOG_PATH


def build_toolset(settings: Settings, runtime: Runtime | None = None) -> ErpToolset:
    connector = create_connector(erp_url(settings), settings.erp)
    return ErpToolset(
        connector,
        CatalogSource(catalog_path(settings)),
        settings.erp,
        runtime.sessionmaker if runtime else None,
    )


TOOLSET: Slot[ErpToolset] = Slot("erp")


def get_erp_toolset(runtime: Runtime) -> ErpToolset:
    """The runtime's toolset (created on first use, closed with the runtime)."""

    def factory() -> ErpToolset:
        toolset = build_toolset(runtime.settings, runtime)
        runtime.closers.append(toolset.close)
        return toolset

    return runtime.get(TOOLSET, factory)


def _safe(url: str) -> str:
    if is_rest_url(url):
        return url.split("?", 1)[0]
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


async def erp_status(
    runtime: Runtime, role_permissions: dict[str, frozenset[str]] | None = None
) -> ErpStatus:
    """Connection status, catalog summary and which roles may use each tool."""
    toolset = get_erp_toolset(runtime)
    if not role_permissions:
        from dari.auth.service import builtin_role_permissions

        role_permissions = builtin_role_permissions()
    roles = role_permissions
    url = erp_url(runtime.settings)
    error: str | None = None
    try:
        await asyncio.wait_for(toolset.connector.ping(), timeout=10)
    except (ErpError, TimeoutError) as exc:
        error = exc.message if isinstance(exc, ErpError) else "응답 시간 초과"
    tools: list[ToolStatus] = []
    catalog_error = None
    name = ""
    query_tables: dict[str, list[str]] = {}
    try:
        catalog = toolset.catalog
        name = catalog.name
        catalog_error = toolset.source.error
        for tool in catalog.tools:
            allowed = [
                r for r, perms in roles.items() if _holder(r, perms).has(tool.required_permission)
            ]
            tools.append(
                ToolStatus(
                    name=tool.name,
                    permission=tool.required_permission,
                    roles=allowed,
                    row_scoped=bool(tool.row_scope),
                )
            )
        if catalog.query is not None:
            query_roles = [
                r
                for r, perms in roles.items()
                if _holder(r, perms).has(catalog.query.permission)
                and catalog.query.allowed_tables(frozenset({r}))
            ]
            tools.append(
                ToolStatus(
                    name=QUERY_TOOL,
                    permission=catalog.query.permission,
                    roles=query_roles,
                    row_scoped=True,
                )
            )
            query_tables = {
                r: sorted(catalog.query.allowed_tables(frozenset({r}))) for r in query_roles
            }
    except CatalogError as exc:
        catalog_error = str(exc)
    from dari.erp.check import check_catalog

    report = await asyncio.to_thread(
        check_catalog, Path(toolset.source.path), role_permissions=roles
    )
    return ErpStatus(
        connector=toolset.connector.kind,
        url=_safe(url),
        connected=error is None,
        error=error,
        catalog_path=str(toolset.source.path),
        catalog_name=name,
        catalog_error=catalog_error,
        tools=tools,
        query_tables=query_tables,
        check=[
            CheckFinding(severity=f.severity, line=f.line, message=f.message)
            for f in sorted(report.findings, key=lambda f: (f.severity != "error", f.line or 0))
        ],
    )


async def role_permissions(session: AsyncSession) -> dict[str, frozenset[str]]:
    """Every role defined in Dari (built-in and custom) with its permissions (owned by auth)."""
    from dari.auth.service import role_permissions as auth_role_permissions

    return await auth_role_permissions(session)


def _holder(role: str, permissions: frozenset[str]) -> Principal:
    return Principal(user_id="", username=role, roles=frozenset({role}), permissions=permissions)

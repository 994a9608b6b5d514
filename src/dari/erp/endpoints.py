"""ERP HTTP API: the caller's tools, running one, and the admin console's status page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from dari.api.deps import RuntimeDep, SessionDep
from dari.auth.deps import CurrentUser, require
from dari.core.principal import Principal
from dari.erp.base import ErpError
from dari.erp.catalog import CatalogError
from dari.erp.schemas import CallRequest, ErpStatus, ToolDefinition, ToolResult
from dari.erp.service import erp_status, get_erp_toolset, role_permissions

router = APIRouter(tags=["erp"])
ErpAdmin = Annotated[Principal, Depends(require("admin:erp"))]


def catalog_problem() -> ErpError:
    return ErpError("erp_catalog_invalid")


@router.get("/api/erp/tools", response_model=list[ToolDefinition])
async def list_tools(user: CurrentUser, runtime: RuntimeDep) -> list[ToolDefinition]:
    """The ERP tools the caller may use (name, descriptions, JSON-Schema parameters, columns)."""
    try:
        return get_erp_toolset(runtime).get_tools(user)
    except CatalogError:
        raise catalog_problem() from None


@router.post("/api/erp/tools/{name}", response_model=ToolResult)
async def call_tool(
    name: str, body: CallRequest, user: CurrentUser, runtime: RuntimeDep
) -> ToolResult:
    """Run one tool as the caller (permission, arguments and row scope checked; audited)."""
    try:
        return await get_erp_toolset(runtime).call_tool(
            user, name, body.args, audit=runtime.sessionmaker
        )
    except ErpError as exc:
        if exc.code == "erp_unavailable":
            exc.headers = {"Retry-After": "10"}
        raise exc from None  # problem+json with the catalogue's status
    except CatalogError:
        raise catalog_problem() from None


@router.get("/api/admin/erp/status", response_model=ErpStatus)
async def status(_admin: ErpAdmin, runtime: RuntimeDep, session: SessionDep) -> ErpStatus:
    """Connection status, catalog summary and which roles may use each tool (admin console)."""
    return await erp_status(runtime, await role_permissions(session))

"""The parts the assistant uses, looked up on the runtime (each domain owns its singleton).

The seam is typed with each domain's own types: search hits (`SearchHit`), the ERP toolset
(`ErpToolset`, its `ToolDefinition`s and `ToolResult`s) and its one error type (`ErpError`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from dari.core.principal import Principal
from dari.core.runtime import Runtime
from dari.erp.base import ErpError
from dari.llm.base import LLMClient

if TYPE_CHECKING:
    from dari.erp.schemas import ToolDefinition, ToolResult
    from dari.erp.toolset import ErpToolset
    from dari.search.base import SearchHit

__all__ = ["ErpError", "call_tool", "erp_tools", "llm", "search", "toolset"]


def llm(runtime: Runtime) -> LLMClient:
    from dari.llm import get_llm

    return get_llm(runtime)


async def search(
    runtime: Runtime, query: str, access_tokens: Collection[str], k: int
) -> list[SearchHit]:
    """Document chunks the holder of `access_tokens` may read, best first."""
    from dari.search.service import get_search_service

    service = get_search_service(runtime)
    return list(await service.search(query, access_tokens=access_tokens, k=k))


def toolset(runtime: Runtime) -> ErpToolset:
    from dari.erp.service import get_erp_toolset

    return get_erp_toolset(runtime)


async def erp_tools(runtime: Runtime, principal: Principal) -> list[ToolDefinition]:
    """The ERP tools this user may call (the toolset filters by permission)."""
    return toolset(runtime).get_tools(principal)


async def call_tool(
    runtime: Runtime, principal: Principal, name: str, arguments: dict[str, Any]
) -> ToolResult:
    """Run one ERP tool as `principal`; raises `ErpError` (permission and scope enforced there)."""
    return await toolset(runtime).call_tool(principal, name, arguments)

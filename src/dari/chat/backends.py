"""The parts the assistant uses, looked up on the runtime (each domain owns its singleton)."""

from __future__ import annotations

import inspect
from collections.abc import Collection
from typing import Any

from dari.core.principal import Principal
from dari.core.runtime import Runtime
from dari.llm.base import LLMClient


def llm(runtime: Runtime) -> LLMClient:
    from dari.llm import get_llm

    return get_llm(runtime)


async def search(runtime: Runtime, query: str, access_tokens: Collection[str], k: int) -> list[Any]:
    """Document chunks the holder of `access_tokens` may read, best first."""
    from dari.search.service import get_search_service

    service = get_search_service(runtime)
    return list(await service.search(query, access_tokens=access_tokens, k=k))


def toolset(runtime: Runtime) -> Any:
    from dari.erp.service import get_erp_toolset

    return get_erp_toolset(runtime)


async def erp_tools(runtime: Runtime, principal: Principal) -> list[Any]:
    """The ERP tools this user may call (the toolset filters by permission)."""
    tools = toolset(runtime).get_tools(principal)
    if inspect.isawaitable(tools):
        tools = await tools
    return list(tools)


async def call_tool(
    runtime: Runtime, principal: Principal, name: str, arguments: dict[str, Any]
) -> Any:
    """Run one ERP tool as `principal`; raises `ErpError` (permission and scope enforced there)."""
    return await toolset(runtime).call_tool(principal, name, arguments)

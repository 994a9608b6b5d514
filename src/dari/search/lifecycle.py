"""Search startup (load the indexes, readiness check) and shutdown (persist, close)."""

from __future__ import annotations

import asyncio
import logging

from dari.config.server import SEARCH_ROLES
from dari.core.runtime import Runtime
from dari.search.service import SearchService, get_search_service

log = logging.getLogger(__name__)
_warmers: set[asyncio.Task[None]] = set()


async def startup(runtime: Runtime) -> None:
    if not SEARCH_ROLES & set(runtime.settings.server.roles):
        return  # an auth-only process never searches: its readiness must not depend on search
    if problem := runtime.settings.split_role_search_problem():
        log.warning(problem)  # refused outright in production (Settings.production_problems)
    service = get_search_service(runtime)
    await service.start()
    runtime.readiness["search"] = service.ready
    if runtime.settings.server.env != "test":
        # Kiwi and e5 take seconds to load: do it in the background, not at the first query.
        task = asyncio.get_running_loop().create_task(_warm(service))
        _warmers.add(task)
        task.add_done_callback(_warmers.discard)


async def _warm(service: SearchService) -> None:
    try:
        await asyncio.to_thread(service.warm_up)
    except Exception:
        log.exception("search warm-up failed; the first search will load the models")


async def shutdown(runtime: Runtime) -> None:
    from dari.search.service import SEARCH

    service = runtime.take(SEARCH)
    if service is not None:
        await service.close()

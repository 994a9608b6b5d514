"""Chat start-up and shutdown: answers still running at shutdown are cancelled (not saved)."""

from __future__ import annotations

import asyncio
import contextlib

from dari.core.runtime import Runtime


async def startup(runtime: Runtime) -> None:
    return None


async def shutdown(runtime: Runtime) -> None:
    from dari.chat.ws import running_tasks

    tasks = list(running_tasks(runtime))
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(task, timeout=5)

"""Chat start-up and shutdown: the router is made ready in the background (so the first
question does not wait for Kiwi and the classifier); answers still running at shutdown are
cancelled (not saved)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from dari.core.runtime import Runtime
from dari.core.slots import Slot

log = logging.getLogger(__name__)
WARMUP: Slot[asyncio.Task[None]] = Slot("chat.router.warmup")


async def startup(runtime: Runtime) -> None:
    if runtime.settings.server.env == "test":
        return  # tests build their routers when they need them

    async def warm() -> None:
        from dari.chat import routing

        try:
            await routing.get_router(runtime)
        except Exception:  # the first question tries again and reports what is wrong
            log.warning("router warm-up failed", exc_info=True)

    runtime.put(WARMUP, asyncio.create_task(warm()))


async def shutdown(runtime: Runtime) -> None:
    from dari.chat.turns import running_tasks

    warmup = runtime.take(WARMUP)
    if warmup is not None and not warmup.done():
        warmup.cancel()
        with contextlib.suppress(BaseException):
            await warmup

    tasks = list(running_tasks(runtime))
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(task, timeout=5)

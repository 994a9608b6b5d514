"""A `trainer` process fails runs its predecessor left running, then serves the trainer queue."""

from __future__ import annotations

import logging

from dari.core.runtime import Runtime

log = logging.getLogger(__name__)


async def startup(runtime: Runtime) -> None:
    if "trainer" not in runtime.settings.server.roles:
        return
    from dari.training.queue import training_queue
    from dari.training.runs import recover

    failed = await recover(runtime)
    if failed:
        log.warning("failed %d training run(s) left running by a stopped trainer", len(failed))
    await training_queue(runtime).start_worker(runtime)


async def shutdown(runtime: Runtime) -> None:
    from dari.training.queue import QUEUE

    queue = runtime.take(QUEUE)
    if queue is not None:
        await queue.close()

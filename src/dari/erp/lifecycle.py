"""ERP startup: in development, create the embedded sample ERP if it is missing.

Built into a temporary file and renamed into place, so a request never sees a half-loaded
ERP (it gets `erp_unavailable` until the file exists).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os

from dari.core.runtime import Runtime
from dari.core.slots import Slot
from dari.erp.sample.load import load_sample
from dari.erp.service import sample_path

log = logging.getLogger(__name__)
TASK: Slot[asyncio.Task[None]] = Slot("erp.sample_task")


async def _build(runtime: Runtime) -> None:
    target = sample_path(runtime.settings)
    partial = target.with_name(target.name + ".partial")
    try:
        report = await load_sample(f"sqlite+aiosqlite:///{partial}")
        os.replace(partial, target)
        log.info(
            "sample ERP created at %s (%d order lines, %.1f s)",
            target,
            report.order_lines,
            report.generate_s + report.load_s,
        )
    except Exception:
        log.exception("could not create the sample ERP; run `dari erp sample`")
        partial.unlink(missing_ok=True)


async def startup(runtime: Runtime) -> None:
    settings = runtime.settings
    if settings.erp.url or settings.server.env != "development":
        return
    if sample_path(settings).exists():
        return
    settings.server.data_dir.mkdir(parents=True, exist_ok=True)
    log.info("no sample ERP yet: creating it in the background (`dari erp sample` does too)")
    runtime.put(TASK, asyncio.create_task(_build(runtime)))


async def shutdown(runtime: Runtime) -> None:
    task = runtime.take(TASK)
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

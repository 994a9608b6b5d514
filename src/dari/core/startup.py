"""The one start-up path: every domain's `lifecycle.startup(runtime)` in DOMAINS order, and
`shutdown` in reverse for those that started. Used by the app's lifespan and by commands
that run the assistant outside a server (`dari chat ask`, benchmarks)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from dari.core.modules import domain_modules
from dari.core.runtime import Runtime


@asynccontextmanager
async def started_domains(runtime: Runtime) -> AsyncIterator[Runtime]:
    """Start each domain's services on `runtime`; stop the started ones on exit (in reverse).

    A lifecycle decides for itself what its process's roles need (`dari.core.modules.serves`).
    The runtime itself is not closed here: its owner closes it.
    """
    started = []
    try:
        for module in domain_modules("lifecycle"):
            startup = getattr(module, "startup", None)
            if startup is not None:
                await startup(runtime)
            started.append(module)
        yield runtime
    finally:
        for module in reversed(started):
            shutdown = getattr(module, "shutdown", None)
            if shutdown is not None:
                await shutdown(runtime)

"""The FastAPI application factory.

Each domain exposes `router` in `dari/<domain>/endpoints.py` and may have a
`dari/<domain>/lifecycle.py` with `async def startup(runtime)` / `async def shutdown(runtime)`
(run by `dari.core.startup.started_domains`). Which routers a process mounts depends on its
roles (`DARI_ROLES`, `dari serve --role`) and `dari.core.modules.ENDPOINT_ROLES`.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from dari import __version__
from dari.api.bodylimit import BodyLimitMiddleware, BodyTooLarge, body_too_large_handler
from dari.api.headers import SecurityHeadersMiddleware
from dari.api.health import router as health_router
from dari.api.middleware import MetricsMiddleware, RequestIdMiddleware
from dari.api.netaddr import AddressSet, ForwardedMiddleware
from dari.api.problems import install_problem_handlers
from dari.config import Settings, get_settings
from dari.core.modules import endpoint_domains, module_exists
from dari.core.runtime import Runtime, build_runtime
from dari.core.startup import started_domains

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the app. Tests pass their own `settings` (and optionally a prepared `runtime`)."""
    settings = settings or (runtime.settings if runtime else get_settings())
    roles = set(settings.server.roles)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_runtime = runtime is None
        app.state.runtime = active = runtime or build_runtime(settings)
        try:
            async with started_domains(active):
                if "worker" in roles and own_runtime:
                    await active.queue.start_worker(active)
                yield
        finally:
            if own_runtime:
                await active.close()

    app = FastAPI(
        title="Dari API",
        version=__version__,
        description="다리 — on-premises Korean AI assistant",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    install_problem_handlers(app)
    app.add_exception_handler(BodyTooLarge, body_too_large_handler)
    # Added innermost first: the request id is set before anything can answer, the client
    # address is settled before anyone reads it, and every response gets the headers.
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.server.max_body_bytes,
        max_upload_bytes=settings.documents.max_upload_mb * 1024 * 1024,
    )
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ForwardedMiddleware, trusted_proxies=settings.server.trusted_proxies)
    app.add_middleware(RequestIdMiddleware)
    _warn_about_open_metrics(settings)
    app.include_router(health_router)
    for domain in endpoint_domains(roles):
        name = f"dari.{domain}.endpoints"
        if module_exists(name):
            app.include_router(importlib.import_module(name).router)
    return app


def _warn_about_open_metrics(settings: Settings) -> None:
    server = settings.server
    open_to_others = not AddressSet(server.metrics_allow).loopback_only
    if server.is_production and not server.metrics_token and open_to_others:
        log.warning(
            "DARI_METRICS_ALLOW=%s lets other hosts read /metrics without a token; set "
            "DARI_METRICS_TOKEN (docs/operations.md#metrics-and-alerts)",
            ",".join(server.metrics_allow),
        )


def create_default_app() -> FastAPI:
    """Factory for `uvicorn --factory dari.app:create_default_app`."""
    return create_app()

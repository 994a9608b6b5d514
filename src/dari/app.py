"""The FastAPI application factory.

Each domain exposes `router` in `dari/<domain>/endpoints.py` and may have a
`dari/<domain>/lifecycle.py` with `async def startup(runtime)` / `async def shutdown(runtime)`.
Which routers a process mounts depends on its roles (`DARI_ROLES`, `dari serve --role`).
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from dari import __version__
from dari.api.health import router as health_router
from dari.api.middleware import MetricsMiddleware, RequestIdMiddleware
from dari.api.problems import install_problem_handlers
from dari.config import Settings, get_settings
from dari.config.server import Role
from dari.core.modules import module_exists
from dari.core.runtime import Runtime, build_runtime

# Which role serves which domain's endpoints. `web` (the chat UI and admin console) is last so
# its catch-all routes never shadow an API route.
DOMAIN_ROLES: dict[str, Role] = {
    "auth": "auth",
    "audit": "api",
    "documents": "api",
    "search": "api",
    "llm": "api",
    "erp": "api",
    "chat": "chat",
    "web": "api",
}


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the app. Tests pass their own `settings` (and optionally a prepared `runtime`)."""
    settings = settings or (runtime.settings if runtime else get_settings())
    roles = set(settings.server.roles)
    domains = [d for d, role in DOMAIN_ROLES.items() if role in roles]
    lifecycles = [
        importlib.import_module(f"dari.{d}.lifecycle")
        for d in DOMAIN_ROLES
        if module_exists(f"dari.{d}.lifecycle")
    ]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_runtime = runtime is None
        app.state.runtime = active = runtime or build_runtime(settings)
        for module in lifecycles:
            startup = getattr(module, "startup", None)
            if startup is not None:
                await startup(active)
        if "worker" in roles and own_runtime:
            await active.queue.start_worker(active)
        try:
            yield
        finally:
            for module in reversed(lifecycles):
                shutdown = getattr(module, "shutdown", None)
                if shutdown is not None:
                    await shutdown(active)
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
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health_router)
    for domain in domains:
        name = f"dari.{domain}.endpoints"
        if module_exists(name):
            app.include_router(importlib.import_module(name).router)
    return app


def create_default_app() -> FastAPI:
    """Factory for `uvicorn --factory dari.app:create_default_app`."""
    return create_app()

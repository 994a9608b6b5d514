"""Liveness, readiness and metrics endpoints (every role serves them)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from dari.api.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """Every dependency answers: 200, or 503 naming the parts that failed."""
    names = list(runtime.readiness)

    async def check(name: str) -> str:
        try:
            await asyncio.wait_for(runtime.readiness[name](), timeout=3.0)
            return "ok"
        except Exception as exc:  # each failure is reported, never raised
            return f"unavailable: {type(exc).__name__}"

    results = await asyncio.gather(*(check(name) for name in names))
    checks = dict(zip(names, results, strict=True))
    failed = [name for name, result in checks.items() if result != "ok"]
    body: dict[str, object] = {"status": "ok" if not failed else "unavailable", "checks": checks}
    if failed:
        body["failed"] = failed
    return JSONResponse(body, status_code=503 if failed else 200)


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    """Prometheus exposition format."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

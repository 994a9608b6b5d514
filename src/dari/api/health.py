"""Liveness, readiness and metrics endpoints (every role serves them).

`/metrics` is for Prometheus only: clients from `DARI_METRICS_ALLOW` (loopback by default),
with `Authorization: Bearer $DARI_METRICS_TOKEN` when that is set (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import hmac
import math

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from dari.api.deps import RuntimeDep
from dari.api.netaddr import UNTRUSTED_FORWARDED, AddressSet
from dari.api.problems import Problem
from dari.core.slots import Slot

router = APIRouter(tags=["health"])
METRICS_ALLOW: Slot[AddressSet] = Slot("metrics.allow")  # DARI_METRICS_ALLOW, parsed once


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """Every dependency answers: 200, or 503 naming the parts that failed.

    A failure is shown by its exception type only (messages may name hosts), unless the
    exception carries a `readiness_detail` written to be shown (the LLM circuit breaker's
    cool-down). One with `retry_after_s` sets `Retry-After` (the longest of them).
    """
    names = list(runtime.readiness)
    retry_after: list[float] = []

    async def check(name: str) -> str:
        try:
            await asyncio.wait_for(runtime.readiness[name](), timeout=3.0)
            return "ok"
        except Exception as exc:  # each failure is reported, never raised
            wait = getattr(exc, "retry_after_s", None)
            if isinstance(wait, int | float):
                retry_after.append(wait)
            detail = getattr(exc, "readiness_detail", None)
            suffix = f" ({detail})" if isinstance(detail, str) and detail else ""
            return f"unavailable: {type(exc).__name__}{suffix}"

    results = await asyncio.gather(*(check(name) for name in names))
    checks = dict(zip(names, results, strict=True))
    failed = [name for name, result in checks.items() if result != "ok"]
    body: dict[str, object] = {"status": "ok" if not failed else "unavailable", "checks": checks}
    headers = {}
    if failed:
        body["failed"] = failed
    if retry_after:
        headers["Retry-After"] = str(max(1, math.ceil(max(retry_after))))
    return JSONResponse(body, status_code=503 if failed else 200, headers=headers)


async def metrics_access(request: Request, runtime: RuntimeDep) -> None:
    """Refuse a scrape from outside `DARI_METRICS_ALLOW` (403) or without the token (401)."""
    server = runtime.settings.server
    allowed = runtime.get(METRICS_ALLOW, lambda: AddressSet(server.metrics_allow))
    if request.scope.get(UNTRUSTED_FORWARDED) and not allowed.any:
        # Forwarded by a proxy that is not in DARI_TRUSTED_PROXIES: the TCP peer is the proxy
        # (often 127.0.0.1), so the address proves nothing about who is asking.
        raise Problem(
            403,
            "forbidden",
            "프록시를 거친 요청은 /metrics를 읽을 수 없습니다. (Proxied requests may not read "
            "metrics; list the proxy in DARI_TRUSTED_PROXIES.)",
        )
    client = request.client.host if request.client else None
    if client not in allowed:
        raise Problem(
            403,
            "forbidden",
            "이 주소에서는 /metrics를 읽을 수 없습니다. (Address not in DARI_METRICS_ALLOW.)",
        )
    if server.metrics_token:
        sent = request.headers.get("authorization", "")
        expected = f"Bearer {server.metrics_token}"
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise Problem(
                401,
                "unauthorized",
                "/metrics에는 토큰이 필요합니다. (A bearer token is required.)",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(metrics_access)])
async def metrics() -> Response:
    """Prometheus exposition format."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

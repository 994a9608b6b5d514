"""A REST ERP: JSON over HTTP with API-key, bearer or basic auth, pagination and rate limiting.

Catalog tools describe the call (`rest:` in the YAML): path and query parameters with
`{argument}` placeholders (filled in one pass from validated arguments, URL-encoded, never
re-expanded), the dotted path of the row list in the answer, and page parameters.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from dari.config.erp import ErpSettings
from dari.erp.base import ErpError, Operation, RawResult, RestCall, jsonable_rows
from dari.erp.connectors.sql import UNAVAILABLE, timeout_error

log = logging.getLogger(__name__)
CREDENTIALS_REFUSED = "ERP가 Dari의 인증 정보를 거부했습니다. 관리자에게 문의하세요."
TOO_MANY = "ERP가 요청이 너무 많다고 응답했습니다. 잠시 후 다시 시도하세요."
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class RateLimiter:
    """At most `rate` requests per second, spaced evenly (shared by all calls)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            if self._next > now:
                await asyncio.sleep(self._next - now)
            self._next = max(now, self._next) + self.interval


def _fill(template: str, args: Mapping[str, Any], *, path: bool) -> str | None:
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        arg = args.get(match.group(1))
        if arg is None:
            missing = True
            return ""
        return quote(str(arg), safe="") if path else str(arg)

    filled = PLACEHOLDER.sub(value, template)
    return None if missing else filled


def _items(body: Any, dotted: str) -> list[dict[str, Any]]:
    node = body
    for part in [p for p in dotted.split(".") if p]:
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, list) or not all(isinstance(row, dict) for row in node):
        raise ErpError("erp_failed", "ERP 응답 형식이 카탈로그와 다릅니다. 관리자에게 문의하세요.")
    return node


class RestConnector:
    """JSON over HTTP(S)."""

    kind = "rest"

    def __init__(self, url: str, settings: ErpSettings) -> None:
        self.base_url = url.rstrip("/")
        secret = settings.rest_secret.get_secret_value()
        headers = {"Accept": "application/json", "User-Agent": "dari-erp"}
        auth: httpx.BasicAuth | None = None
        if settings.rest_auth == "api_key":
            headers[settings.rest_api_key_header] = secret
        elif settings.rest_auth == "bearer":
            headers["Authorization"] = f"Bearer {secret}"
        elif settings.rest_auth == "basic":
            auth = httpx.BasicAuth(settings.rest_username, secret)
        self.client = httpx.AsyncClient(
            base_url=self.base_url, headers=headers, auth=auth, follow_redirects=False
        )
        self.limiter = RateLimiter(settings.rest_rate_limit)

    @property
    def dialect(self) -> str | None:
        return None

    async def execute(
        self, operation: Operation, params: Mapping[str, Any], *, max_rows: int, timeout_s: float
    ) -> RawResult:
        if operation.rest is None:
            raise ErpError("erp_failed", "이 도구는 REST ERP에서 실행할 수 없습니다 (SQL 도구).")
        try:
            async with asyncio.timeout(timeout_s):
                return await self._pages(operation.rest, params, max_rows, timeout_s)
        except TimeoutError:
            raise timeout_error(timeout_s) from None

    async def _pages(
        self, spec: RestCall, args: Mapping[str, Any], max_rows: int, timeout_s: float
    ) -> RawResult:
        path = _fill(spec.path, args, path=True)
        if path is None:
            raise ErpError("erp_bad_arguments", "경로에 필요한 인자가 빠졌습니다.")
        query = {k: v for k, t in spec.params.items() if (v := _fill(t, args, path=False))}
        rows: list[dict[str, Any]] = []
        for page in range(1, spec.max_pages + 1):
            if spec.page_param:
                query[spec.page_param] = str(page)
                if spec.page_size_param:
                    query[spec.page_size_param] = str(spec.page_size)
            items = _items(await self._request(spec.method, path, query, timeout_s), spec.items)
            rows.extend(items)
            if (
                not spec.page_param
                or not items
                or len(rows) > max_rows
                or len(items) < spec.page_size
            ):
                break
        columns: list[str] = []
        for row in rows:
            columns.extend(k for k in row if k not in columns)
        table = [[row.get(c) for c in columns] for row in rows[:max_rows]]
        return RawResult(columns, jsonable_rows(table), len(rows) > max_rows)

    async def _request(
        self, method: str, path: str, query: dict[str, str], timeout_s: float
    ) -> Any:
        for _attempt in range(3):
            await self.limiter.wait()
            try:
                response = await self.client.request(method, path, params=query, timeout=timeout_s)
            except httpx.TimeoutException:
                raise timeout_error(timeout_s) from None
            except httpx.HTTPError as exc:
                log.warning("REST ERP unreachable: %s", type(exc).__name__)
                raise ErpError("erp_unavailable", UNAVAILABLE) from None
            if response.status_code == 429:  # the ERP's own limit: wait as told, then retry
                retry = response.headers.get("Retry-After", "1")
                await asyncio.sleep(min(5.0, float(retry) if retry.isdigit() else 1.0))
                continue
            if response.status_code >= 500:
                raise ErpError("erp_unavailable", UNAVAILABLE)
            if response.status_code in (401, 403):
                log.error("REST ERP refused Dari's credentials (%s)", response.status_code)
                raise ErpError(
                    "erp_failed", "ERP가 Dari의 인증 정보를 거부했습니다. 관리자에게 문의하세요."
                )
            if response.status_code >= 400:
                log.warning("REST ERP answered %s for %s", response.status_code, path)
                raise ErpError("erp_failed", "ERP가 요청을 처리하지 못했습니다.")
            try:
                return response.json()
            except ValueError:
                raise ErpError("erp_failed", "ERP 응답이 JSON이 아닙니다.") from None
        raise ErpError(
            "erp_unavailable", "ERP가 요청이 너무 많다고 응답했습니다. 잠시 후 다시 시도하세요."
        )

    async def ping(self) -> None:
        try:
            response = await self.client.get("/", timeout=5.0)
        except httpx.HTTPError:
            raise ErpError("erp_unavailable", UNAVAILABLE) from None
        if response.status_code >= 500:
            raise ErpError("erp_unavailable", UNAVAILABLE)

    async def close(self) -> None:
        await self.client.aclose()

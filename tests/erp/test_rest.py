"""The REST connector against a real HTTP server on 127.0.0.1: auth, paging, rate, scope."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from pydantic import SecretStr

from dari.erp.base import ErpError
from dari.erp.toolset import ErpToolset
from tests.erp.conftest import ADMIN, REP1, REP2, AuditLog, make_toolset

ROWS = [
    {"invoice_no": f"TI{i:04d}", "sales_rep": "E1001" if i % 3 else "E1003", "amount": i * 1000}
    for i in range(1, 26)
]
CREDENTIALS = {
    "api_key": ("X-Api-Key", "k-123"),
    "bearer": ("Authorization", "Bearer t-456"),
    "basic": ("Authorization", "Basic " + base64.b64encode(b"dari:s-789").decode()),
}


class ErpServer(ThreadingHTTPServer):
    expected: tuple[str, str] = ("", "")
    requests: list[tuple[float, str]]
    busy_once = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (the timeout test) is expected


class Handler(BaseHTTPRequestHandler):
    server: ErpServer

    def log_message(self, *args: Any) -> None:
        pass

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.server.requests.append((time.monotonic(), self.path))
        name, value = self.server.expected
        if name and self.headers.get(name) != value:
            return self._json(401, {"error": "unauthorized"})
        if url.path == "/api/invoices":
            page, size = int(query.get("page", 1)), int(query.get("size", 100))
            rows = [r for r in ROWS if query.get("q", "") in r["invoice_no"]]
            return self._json(200, {"data": {"items": rows[(page - 1) * size : page * size]}})
        if url.path.startswith("/api/orders/"):
            return self._json(200, {"items": [{"order_no": url.path.rsplit("/", 1)[1]}]})
        if url.path == "/api/slow":
            time.sleep(3)
            return self._json(200, {"items": []})
        if url.path == "/api/busy":
            if self.server.busy_once:
                self.server.busy_once = False
                return self._json(429, {}, {"Retry-After": "1"})
            return self._json(200, {"items": [{"ok": 1}]})
        return self._json(404, {})


@pytest.fixture
def server() -> Iterator[ErpServer]:
    httpd = ErpServer(("127.0.0.1", 0), Handler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def rest_tool(name: str, path: str, **rest: Any) -> dict[str, Any]:
    return {
        "name": name,
        "description_ko": name,
        "description_en": name,
        "parameters": {
            "type": "object",
            "properties": {
                "q": {"type": "string", "maxLength": 40},
                "order_no": {"type": "string", "maxLength": 40},
            },
        },
        "rest": {"path": path, **rest},
        "columns": [
            {"name": "invoice_no", "label": "번호"},
            {"name": "amount", "label": "금액", "unit": "원"},
        ],
    }


def rest_toolset(server: ErpServer, tmp_path: Path, **settings: Any) -> ErpToolset:
    invoices = rest_tool(
        "invoices",
        "/invoices",
        params={"q": "{q}"},
        items="data.items",
        page_param="page",
        page_size_param="size",
        page_size=10,
    )
    scoped = {
        **invoices,
        "name": "my_invoices",
        "row_scope": [
            {"permission": "erp_scope:all"},
            {"match": {"sales_rep": "user.erp_employee_code"}},
        ],
    }
    order = {
        **rest_tool("order", "/orders/{order_no}"),
        "columns": [{"name": "order_no", "label": "수주"}],
    }
    slow = rest_tool("slow", "/slow")
    busy = {**rest_tool("busy", "/busy"), "columns": [{"name": "ok", "label": "ok"}]}
    path = tmp_path / "rest.yaml"
    path.write_text(yaml.safe_dump({"tools": [invoices, scoped, order, slow, busy]}))
    host, port = server.server_address[:2]
    return make_toolset(f"http://{host!s}:{port}/api", path, **settings)


@pytest.mark.parametrize("kind", ["api_key", "bearer", "basic"])
async def test_auth_kinds(server: ErpServer, tmp_path: Path, audit: AuditLog, kind: str) -> None:
    server.expected = CREDENTIALS[kind]
    secret = {"api_key": "k-123", "bearer": "t-456", "basic": "s-789"}[kind]
    good = rest_toolset(
        server,
        tmp_path,
        rest_auth=kind,
        rest_secret=SecretStr(secret),
        rest_username="dari",
        rest_api_key_header="X-Api-Key",
    )
    bad = rest_toolset(
        server,
        tmp_path,
        rest_auth=kind,
        rest_secret=SecretStr("wrong"),
        rest_username="dari",
        rest_api_key_header="X-Api-Key",
    )
    try:
        result = await good.call_tool(ADMIN, "invoices", {}, audit=audit)
        assert result.row_count == 25
        with pytest.raises(ErpError) as caught:
            await bad.call_tool(ADMIN, "invoices", {}, audit=audit)
        assert caught.value.code == "erp_failed" and secret not in caught.value.message
    finally:
        await good.close()
        await bad.close()


async def test_pagination_rate_limit_and_row_cap(
    server: ErpServer, tmp_path: Path, audit: AuditLog
) -> None:
    toolset = rest_toolset(server, tmp_path, rest_rate_limit=5)
    try:
        result = await toolset.call_tool(ADMIN, "invoices", {}, audit=audit)
        assert [r[0] for r in result.rows] == [r["invoice_no"] for r in ROWS]
        assert result.columns[1].unit == "원" and not result.truncated
        pages = [p for _, p in server.requests]
        assert len(pages) == 3 and all("size=10" in p for p in pages) and "page=3" in pages[-1]
        gaps = [b[0] - a[0] for a, b in zip(server.requests, server.requests[1:], strict=False)]
        assert min(gaps) >= 0.18  # 5 requests per second at most
        filtered = await toolset.call_tool(ADMIN, "invoices", {"q": "TI000"}, audit=audit)
        assert filtered.row_count == 9
    finally:
        await toolset.close()
    capped = rest_toolset(server, tmp_path, max_rows=12)
    try:
        server.requests.clear()
        result = await capped.call_tool(ADMIN, "invoices", {}, audit=audit)
        assert result.row_count == 12 and result.truncated and len(server.requests) == 2
    finally:
        await capped.close()


async def test_row_scope_by_match(server: ErpServer, tmp_path: Path, audit: AuditLog) -> None:
    toolset = rest_toolset(server, tmp_path)
    perms = {"erp:my_invoices"}
    rep1 = REP1.__class__(**{**REP1.__dict__, "permissions": frozenset(perms)})
    rep2 = REP2.__class__(**{**REP2.__dict__, "permissions": frozenset(perms)})
    try:
        mine = await toolset.call_tool(rep1, "my_invoices", {}, audit=audit)
        theirs = await toolset.call_tool(rep2, "my_invoices", {}, audit=audit)
        everything = await toolset.call_tool(ADMIN, "my_invoices", {}, audit=audit)
    finally:
        await toolset.close()
    assert {r[0] for r in mine.rows} == {r["invoice_no"] for r in ROWS if r["sales_rep"] == "E1001"}
    assert {r[0] for r in theirs.rows} == {
        r["invoice_no"] for r in ROWS if r["sales_rep"] == "E1003"
    }
    assert everything.row_count == 25


async def test_arguments_are_encoded_not_expanded(
    server: ErpServer, tmp_path: Path, audit: AuditLog
) -> None:
    toolset = rest_toolset(server, tmp_path)
    try:
        result = await toolset.call_tool(
            ADMIN, "order", {"order_no": "../admin?x={q}"}, audit=audit
        )
        assert result.row_count == 1
        assert server.requests[-1][1].startswith("/api/orders/..%2Fadmin%3Fx%3D%7Bq%7D")
    finally:
        await toolset.close()


async def test_timeout_busy_and_down(server: ErpServer, tmp_path: Path, audit: AuditLog) -> None:
    toolset = rest_toolset(server, tmp_path, timeout_s=1.0)
    try:
        with pytest.raises(ErpError) as slow:
            await toolset.call_tool(ADMIN, "slow", {}, audit=audit)
        assert slow.value.code == "erp_timeout"
    finally:
        await toolset.close()
    patient = rest_toolset(server, tmp_path)
    try:
        busy = await patient.call_tool(ADMIN, "busy", {}, audit=audit)  # 429, waits, retries
        assert busy.rows == [[1]] and [p for _, p in server.requests].count("/api/busy") == 2
    finally:
        await patient.close()
    server.shutdown()
    server.server_close()
    down = rest_toolset(server, tmp_path)
    try:
        with pytest.raises(ErpError) as caught:
            await down.call_tool(ADMIN, "invoices", {}, audit=audit)
        assert caught.value.code == "erp_unavailable"
    finally:
        await down.close()

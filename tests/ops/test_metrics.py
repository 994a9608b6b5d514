"""Every `dari_*` series the alert rules and the dashboard read is one Dari really exports.

The app runs in-process (the `client` fixture); requests exercise the HTTP metrics the rules
select on (readiness 503, sign-in 401/429, the routes named in rules and panels); the modules
that define metrics are imported as the role processes import them; then GET /metrics.
"""

from __future__ import annotations

import importlib
import typing
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from dari.config.llm import LLMSettings
from dari.core.runtime import Runtime
from tests.ops.deploy import (
    ROOT,
    TARGET_LABELS,
    dashboard_exprs,
    family_of,
    matches,
    rule_exprs,
    selectors,
)

SRC = ROOT / "src" / "dari"


def metric_modules() -> list[str]:
    """Modules of src/dari that define Prometheus metrics (import prometheus_client)."""
    names = []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "prometheus_client import" in text and any(
            kind + "(" in text for kind in ("Counter", "Histogram", "Gauge", "Summary")
        ):
            relative = path.relative_to(SRC.parent).with_suffix("")
            names.append(".".join(relative.parts))
    return names


def referenced() -> dict[str, set[str]]:
    """Series name → where it is used ("alerts.yml", "dashboard")."""
    used: dict[str, set[str]] = {}
    for where, exprs in (("alerts.yml", rule_exprs()), ("dashboard", dashboard_exprs())):
        for expr in exprs:
            for name, _ in selectors(expr):
                used.setdefault(name, set()).add(where)
    return used


async def exercise(client: httpx.AsyncClient) -> None:
    """Requests whose metrics the rules select on."""
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/readyz")).status_code in (200, 503)

    async def down() -> None:
        raise ConnectionError("down")

    runtime.readiness["database"] = down
    assert (await client.get("/readyz")).status_code == 503
    # Wrong passwords for one login id: 401 until the lockout, then 429 (docs/auth.md).
    statuses = []
    for _ in range(runtime.settings.auth.max_failures_per_user + 1):
        response = await client.post(
            "/api/auth/token", data={"username": "nobody", "password": "wrong-password-1"}
        )
        statuses.append(response.status_code)
    assert 401 in statuses and statuses[-1] == 429, statuses
    # Routes the rules and panels name; without a token they answer 401, which is enough to
    # record the route template.
    assert (await client.post("/api/search", json={"query": "연차"})).status_code == 401
    assert (await client.post("/api/chat", json={"text": "연차"})).status_code == 401
    upload = await client.post("/api/documents", files={"file": ("a.txt", b"x", "text/plain")})
    assert upload.status_code == 401
    # A handler that fails: a 500 counted under its route template.
    app = client.app  # type: ignore[attr-defined]

    @app.get("/ops-test/boom/{n}")
    async def boom(n: int) -> None:
        raise RuntimeError("boom")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://dari.test") as raw:
        assert (await raw.get("/ops-test/boom/1")).status_code == 500


async def fail_one_llm_call() -> None:
    """One real gateway call to a port nothing listens on: outcome=error, llm_unavailable."""
    from dari.llm import ChatMessage, LLMError, create_client
    from dari.llm.embedded import free_port

    url = f"http://127.0.0.1:{free_port('127.0.0.1')}/v1"
    settings = LLMSettings(base_url="", model="x", max_retries=0, connect_timeout_s=2.0)
    llm = create_client(settings, url, model="x")
    try:
        with pytest.raises(LLMError):
            await llm.chat([ChatMessage(role="user", content="안녕")])
    finally:
        await llm.aclose()


@pytest.fixture
async def exposition(client: httpx.AsyncClient) -> str:
    for name in metric_modules():
        importlib.import_module(name)
    await exercise(client)
    await fail_one_llm_call()
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def exported_series(text: str) -> tuple[set[str], list[tuple[str, dict[str, str]]]]:
    """Series names Dari can export (from TYPE lines, with each type's suffixes) and samples."""
    names: set[str] = set()
    samples = []
    for family in text_string_to_metric_families(text):
        base = family.name
        suffixes = {
            "counter": ("_total", "_created"),
            "histogram": ("_bucket", "_sum", "_count", "_created"),
            "summary": ("_sum", "_count", "_created"),
        }.get(family.type, ("",))
        names.update(base + suffix for suffix in suffixes)
        samples += [(s.name, s.labels) for s in family.samples]
    return names, samples


def test_metric_modules_are_found() -> None:
    modules = metric_modules()
    assert "dari.observability.metrics" in modules
    assert "dari.llm.metrics" in modules


async def test_every_referenced_metric_is_exported(exposition: str) -> None:
    names, _ = exported_series(exposition)
    used = referenced()
    assert "dari_http_requests_total" in used and "dari_llm_ttft_seconds_bucket" in used
    missing = {name: sorted(where) for name, where in used.items() if name not in names}
    assert not missing, f"used but not exported: {missing}"


def _labelnames(series: str) -> set[str]:
    collector = REGISTRY._names_to_collectors.get(series)  # no public lookup by name
    assert collector is not None, series
    return set(getattr(collector, "_labelnames", ()))


async def test_label_matchers_name_real_labels(exposition: str) -> None:
    for expr in rule_exprs() + dashboard_exprs():
        for series, matchers in selectors(expr):
            labels = _labelnames(series)
            unknown = {name for name, _, _ in matchers} - labels - TARGET_LABELS
            assert not unknown, f"{series} has no label {unknown} (has {labels}) in: {expr}"


async def test_http_selectors_match_real_requests(exposition: str) -> None:
    """A selector such as {route="/readyz", status="503"} matches what Dari recorded."""
    _, samples = exported_series(exposition)
    for expr in rule_exprs() + dashboard_exprs():
        for series, matchers in selectors(expr):
            if not series.startswith("dari_http_"):
                continue
            own = [m for m in matchers if m[0] not in TARGET_LABELS]
            found = [s for s in samples if s[0] == series and matches(s[1], own)]
            assert found, f"no sample of {series} matches {own} (from: {expr})"


async def test_failures_are_recorded_by_route_template(exposition: str) -> None:
    _, samples = exported_series(exposition)
    labels = [s[1] for s in samples if s[0] == "dari_http_requests_total"]
    assert {"method": "GET", "route": "/ops-test/boom/{n}", "status": "500"} in labels
    assert {"method": "GET", "route": "/readyz", "status": "503"} in labels
    assert {"method": "POST", "route": "/api/auth/token", "status": "429"} in labels


async def test_llm_selectors_name_real_values(exposition: str) -> None:
    from dari.llm.base import ErrorCode

    codes = set(typing.get_args(ErrorCode))
    _, samples = exported_series(exposition)
    outcomes = {s[1]["outcome"] for s in samples if s[0] == "dari_llm_requests_total"}
    assert "error" in outcomes
    for expr in rule_exprs() + dashboard_exprs():
        for series, matchers in selectors(expr):
            for name, op, value in matchers:
                if series.startswith("dari_llm_errors") and name == "code" and op == "=":
                    assert value in codes, f"{value} is not an LLM error code ({codes})"
                if series.startswith("dari_llm_requests") and name == "outcome" and op == "=":
                    assert value in {"ok", "error", "cancelled"}, value


def test_selector_parser() -> None:
    parsed = selectors('sum(rate(dari_x_total{route="/a", status=~"5.."}[5m])) / dari_y')
    assert parsed == [
        ("dari_x_total", [("route", "=", "/a"), ("status", "=~", "5..")]),
        ("dari_y", []),
    ]
    assert family_of("dari_x_bucket") == "dari_x"
    assert matches({"status": "503"}, [("status", "=~", "5..")])
    assert not matches({"status": "1503"}, [("status", "=~", "5..")])
    assert Path(SRC).is_dir()

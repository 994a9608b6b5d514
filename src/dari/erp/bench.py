"""`dari bench erp`: sample generation/load time, and tool-call latency against the raw query.

The baseline for each tool is the same SQL run directly through the connector (no permission
check, argument validation, scope or result shaping) in the same process, so the ratio is the
toolset's overhead. `erp_query` adds the guard's parse/check/rewrite time.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

ARGS: dict[str, dict[str, Any]] = {
    "sales_by_period": {"date_from": "2026-01-01", "date_to": "2026-11-23"},
    "sales_by_customer": {"date_from": "2026-11-01", "date_to": "2026-11-23"},
    "receivables_by_customer": {"as_of": "2026-11-23"},
    "stock_shortages": {},
}
QUERY = (
    "SELECT c.customer_name, SUM(i.supply_amount) AS total FROM sales_invoices i "
    "JOIN customers c ON c.customer_code = i.customer_code "
    "WHERE i.invoice_date >= '2026-11-01' GROUP BY c.customer_name ORDER BY total DESC"
)


async def _median_ms(rounds: int, call: Callable[[], Awaitable[Any]]) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 2)


async def _compare(
    toolset: Any, admin: Any, name: str, args: dict[str, Any], rounds: int, audit: Any
) -> dict[str, float]:
    """Interleaved rounds (raw, then through the toolset) so load changes hit both alike."""
    from dari.erp.base import Operation

    tool = toolset.catalog.tool(name)
    sql = (tool.sql_for("sqlite") or "").replace("{scope}", "1=1")
    params = {p: args.get(p, s.get("default")) for p, s in tool.parameters["properties"].items()}
    if params.get("as_of") == "today":
        params["as_of"] = date.today().isoformat()
    raw: list[float] = []
    call: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        await toolset.connector.execute(Operation(sql=sql), params, max_rows=1000, timeout_s=30)
        raw.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        await toolset.call_tool(admin, name, args, audit=audit)
        call.append((time.perf_counter() - started) * 1000)
    raw_ms, call_ms = statistics.median(raw), statistics.median(call)
    return {
        "raw_ms": round(raw_ms, 2),
        "call_ms": round(call_ms, 2),
        "ratio": round(call_ms / raw_ms, 2),
    }


async def _run(scale: float, rounds: int) -> dict[str, Any]:
    from dari.config.erp import ErpSettings
    from dari.core.principal import Principal
    from dari.erp.connectors import create_connector
    from dari.erp.sample import CATALOG_PATH
    from dari.erp.sample.load import load_sample
    from dari.erp.source import CatalogSource
    from dari.erp.toolset import ErpToolset

    admin = Principal(
        user_id="bench", username="bench", roles=frozenset({"admin"}), permissions=frozenset({"*"})
    )

    async def nothing(*_args: Any, **_kwargs: Any) -> None:
        return None

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'erp.db'}"
        report = await load_sample(url, scale=scale, end=date(2026, 11, 23))
        settings = ErpSettings(url=url)
        toolset = ErpToolset(create_connector(url, settings), CatalogSource(CATALOG_PATH), settings)
        tools: dict[str, Any] = {}
        try:
            for name, args in ARGS.items():
                tools[name] = await _compare(toolset, admin, name, args, rounds, nothing)
            query = await _median_ms(
                rounds, lambda: toolset.call_tool(admin, "erp_query", {"sql": QUERY}, audit=nothing)
            )
        finally:
            await toolset.close()
    return {
        "scale": scale,
        "order_lines": report.order_lines,
        "generate_s": round(report.generate_s, 2),
        "load_s": round(report.load_s, 2),
        "tools": tools,
        "erp_query_ms": query,
    }


def register(bench_app: typer.Typer) -> None:
    @bench_app.command("erp")
    def bench_erp(
        scale: Annotated[float, typer.Option(help="Sample size (1.0 = full).")] = 1.0,
        rounds: Annotated[int, typer.Option(min=1, help="Calls per measurement.")] = 20,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Sample ERP generation/load time and tool-call latency vs the raw SQL."""
        result = asyncio.run(_run(scale, rounds))
        if as_json:
            typer.echo(json.dumps(result, indent=2))
            return
        typer.echo(
            f"sample: {result['order_lines']:,} order lines, generated in "
            f"{result['generate_s']} s, loaded (SQLite) in {result['load_s']} s"
        )
        for name, row in result["tools"].items():
            typer.echo(
                f"  {name:26} call {row['call_ms']:>8} ms  raw SQL {row['raw_ms']:>8} ms"
                f"  ratio {row['ratio']}"
            )
        typer.echo(f"  erp_query (guard + run)    {result['erp_query_ms']} ms")

    from dari.erp import bench_queries

    bench_queries.register(bench_app)

"""`dari ask "질문" --as USER [--json]` runs the pipeline once."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from dari.cli.main import app
from dari.config import Settings
from dari.core.runtime import build_runtime
from tests.chat import llm_server
from tests.fixtures.auth import create_test_user

ARGS = {"date_from": "2026-11-01", "date_to": "2026-11-23"}


def env_for(settings: Settings, llm_url: str, erp_url: str, key: str) -> dict[str, str]:
    return {
        "DARI_ENV": "test",
        "DARI_DATA_DIR": str(settings.server.data_dir),
        "DARI_DATABASE_URL": "",
        "DARI_REDIS_URL": "",
        "DARI_LLM_BASE_URL": llm_url,
        "DARI_LLM_MODEL": f"chat:{key}",
        "DARI_LLM_MAX_RETRIES": "0",
        "DARI_ERP_URL": erp_url,
    }


def test_ask_prints_answer_and_erp_calls(
    settings: Settings,
    llm_url: str,
    erp_url: str,
    key: str,
    script: llm_server.Script,
    erp_today: date,
) -> None:
    async def setup() -> None:
        runtime = build_runtime(settings)
        await create_test_user(runtime, "cli.manager", ("manager",), permissions=["erp_scope:all"])
        await runtime.close()

    asyncio.run(setup())
    env = env_for(settings, llm_url, erp_url, key)
    runner = CliRunner()
    result = runner.invoke(app, ["ask", "이번 달 매출?", "--as", "cli.manager", "--json"], env=env)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    (tool,) = data["tool_calls"]
    assert tool["tool"] == "sales_by_period" and tool["arguments"] == ARGS
    assert tool["ok"] and tool["row_count"] == 1
    (month,) = tool["rows"]  # period, invoices, supply, vat, total
    # Built from the row by code: the period asked, the figures of the row, the citation.
    answer = (
        f"2026년 11월 1일~23일 매출(공급가액)은 {month[2]:,}원, 부가세 포함 합계는 "
        f"{month[4]:,}원입니다(세금계산서 {month[1]}건). [1]"
    )
    assert data["answer"] == answer
    assert data["citations"][0]["call_id"] == tool["call_id"]
    assert data["intent"]["route"] == "sales_by_period"

    result = runner.invoke(app, ["ask", "이번 달 매출?", "--as", "cli.manager"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(answer)
    assert '[1] ERP sales_by_period {"date_from": "2026-11-01", "date_to": "2026-11-23"}' in (
        result.output
    )
    assert script.requests == []  # ERP answers need no model

    result = runner.invoke(app, ["ask", "안녕", "--as", "nobody.here"], env=env)
    assert result.exit_code == 1 and "nobody.here" in result.output
    assert Path(settings.server.data_dir).exists()

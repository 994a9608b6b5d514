"""`dari router train` / `dari router explain` over the sample ERP."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from typer.testing import CliRunner

from dari.cli.main import app
from dari.config import Settings
from dari.core.runtime import build_runtime
from tests.fixtures.auth import create_test_user


def _env(settings: Settings, erp_url: str) -> dict[str, str]:
    return {
        "DARI_ENV": "test",
        "DARI_DATA_DIR": str(settings.server.data_dir),
        "DARI_DATABASE_URL": "",
        "DARI_REDIS_URL": "",
        "DARI_LLM_BASE_URL": "",
        "DARI_LLM_EMBEDDED": "off",
        "DARI_ERP_URL": erp_url,
    }


def test_train_saves_the_model_and_explain_prints_a_plan(settings: Settings, erp_url: str) -> None:
    async def setup() -> None:
        runtime = build_runtime(settings)
        await create_test_user(
            runtime,
            "router.rep",
            ("employee",),
            permissions=["erp:receivables_by_customer"],
            attributes={"erp_employee_code": "E1001", "department_code": "D110"},
        )
        await runtime.close()

    asyncio.run(setup())
    runner = CliRunner()
    env = _env(settings, erp_url)
    trained = runner.invoke(app, ["router", "train", "--json"], env=env)
    assert trained.exit_code == 0, trained.output
    meta = json.loads(trained.output)
    assert Path(meta["path"]).is_file()
    assert meta["examples"] > 100 and "receivables_by_customer" in meta["per_label"]

    explained = runner.invoke(
        app,
        [
            "router",
            "explain",
            "지난달 말 기준 미수금 얼마였어?",
            "--as",
            "router.rep",
            "--today",
            "2026-11-20",
        ],
        env=env,
    )
    assert explained.exit_code == 0, explained.output
    plan = json.loads(explained.output)
    assert plan["intent"] == "erp"
    assert plan["calls"][0]["tool"] == "receivables_by_customer"
    assert plan["calls"][0]["arguments"]["as_of"] == "2026-10-31"

    bad = runner.invoke(
        app, ["router", "explain", "질문", "--as", "router.rep", "--today", "어제"], env=env
    )
    assert bad.exit_code == 2 and "--today" in bad.output

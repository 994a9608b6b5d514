"""`dari train ...` on the command line; the training tables on SQLite and MariaDB; metrics."""

from __future__ import annotations

import asyncio
import json

from prometheus_client import REGISTRY
from typer.testing import CliRunner

from dari.cli.main import app
from dari.config import Settings
from dari.core.runtime import Runtime, build_runtime
from dari.training import service
from dari.training.models import Run
from dari.training.schemas import ReviewRequest, RouteCorrection
from tests.fixtures.auth import create_test_user
from tests.training.conftest import rated_answer
from tests.training.test_router_loop import WRONG


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


async def _reviews(runtime: Runtime) -> None:
    principal, _ = await create_test_user(runtime, "cli.admin", ("admin",))
    route = RouteCorrection(intent="erp", tool="receivables_by_customer")
    for message_id, question in WRONG.items():
        await rated_answer(runtime, message_id, question, "모름")
        async with runtime.sessionmaker() as session:
            await service.save_review(
                session, message_id, ReviewRequest(kind="route", route=route), principal
            )
            await session.commit()


def _count(kind: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "dari_training_runs_total", {"kind": kind, "outcome": outcome}
    )
    return value or 0.0


def test_export_train_promote_and_roll_back_on_the_command_line(
    settings: Settings, erp_url: str
) -> None:
    async def setup() -> None:
        runtime = build_runtime(settings)
        await _reviews(runtime)
        await runtime.close()

    asyncio.run(setup())
    runner = CliRunner()
    env = _env(settings, erp_url)
    exported = runner.invoke(app, ["train", "datasets", "export", "--json"], env=env)
    assert exported.exit_code == 0, exported.output
    version = json.loads(exported.output)["version"]
    listed = runner.invoke(app, ["train", "datasets", "list"], env=env)
    assert f"v{version}" in listed.output

    before = _count("router", "candidate")
    trained = runner.invoke(app, ["train", "router", "--dataset", str(version), "--json"], env=env)
    assert trained.exit_code == 0, trained.output
    result = json.loads(trained.output)
    assert result["status"] == "promoted" and result["active"], result
    report = result["report"]
    assert report["after"]["heldout"]["accuracy"] >= report["before"]["heldout"]["accuracy"]
    assert _count("router", "candidate") == before + 1
    pointer = settings.server.data_dir / "router" / "promoted.json"
    assert json.loads(pointer.read_text())["run_id"] == result["id"]

    text = runner.invoke(app, ["train", "router", "--dataset", "99"], env=env)
    assert text.exit_code == 1 and "데이터셋 v99" in text.output

    rolled = runner.invoke(app, ["train", "rollback", "router"], env=env)
    assert rolled.exit_code == 0 and "되돌렸습니다" in rolled.output, rolled.output
    assert not pointer.exists()
    missing = runner.invoke(app, ["train", "lora", "--dataset", str(version)], env=env)
    assert missing.exit_code == 1  # no chat examples in this dataset (routes only)


async def test_training_tables_on_every_backend(any_runtime: Runtime) -> None:
    principal, _ = await create_test_user(any_runtime, "tables.admin", ("admin",))
    for n, question in enumerate(["미수금 알려줘", "연차 며칠?", "출장비 규정"], start=1):
        message_id = f"00000000-0000-4000-d000-00000000000{n}"
        await rated_answer(any_runtime, message_id, question, "답변 " + "가" * 70000)
        async with any_runtime.sessionmaker() as session:
            await service.save_review(session, message_id, ReviewRequest(kind="accept"), principal)
            await session.commit()
    async with any_runtime.sessionmaker() as session:
        dataset = await service.export_dataset(any_runtime, session, principal)
        run = await service.new_run(session, "lora", dataset.version, "tables.admin")
        run.progress = {"step": 1, "steps": 2, "loss": 1.5}
        await session.commit()
        run_id = run.id
    async with any_runtime.sessionmaker() as session:
        again = await session.get(Run, run_id)
        assert again is not None and again.progress["loss"] == 1.5
        assert dataset.counts["chat.train"] + dataset.counts["chat.heldout"] == 3


def test_the_api_role_serves_the_training_api(settings: Settings) -> None:
    from dari.app import create_app

    def paths(roles: list[str]) -> set[str]:
        server = settings.server.model_copy(update={"roles": roles})
        app = create_app(settings.model_copy(update={"server": server}))
        return set(app.openapi()["paths"])

    assert "/api/admin/training/runs" in paths(["api"])
    assert "/api/admin/training/runs" not in paths(["chat", "auth", "worker", "trainer"])

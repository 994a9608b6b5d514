"""LoRA with a tiny model built from a config (no download): export → run through the
trainer's queue → adapter saved → loaded by the serving side (output changes) → gate →
promotion in the audit log. And what must fail cleanly: cancel, a full disk, another base
model, a trainer that died."""

from __future__ import annotations

import errno
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from dari.audit.models import AuditEvent
from dari.config import Settings
from dari.config.server import ServerSettings
from dari.config.training import TrainingSettings
from dari.db.base import utcnow
from dari.training import runs, serving, store
from dari.training.models import Run
from tests.conftest import _client as open_client
from tests.training.conftest import admin_headers, rated_answer
from tests.training.tiny import build_tiny_model

pytest.importorskip("peft")

QA = {
    "00000000-0000-4000-9000-000000000001": ("출장 숙박비 한도는?", "하루 10만 원입니다."),
    "00000000-0000-4000-9000-000000000002": ("출장비 한도 알려줘", "하루 10만 원입니다."),
    "00000000-0000-4000-9000-000000000003": ("숙박비 얼마까지 돼?", "하루 10만 원입니다."),
    "00000000-0000-4000-9000-000000000004": (
        "김민준 대리 연락처는 010-1234-5678",
        "하루 10만 원입니다.",
    ),
}


@pytest.fixture
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts = [t for pair in QA.values() for t in pair]
    from dari.training.datasets import SYSTEM_PROMPT

    texts += [SYSTEM_PROMPT, "○○○", "***-****-****", "<eos>"]
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "base", texts)


@pytest.fixture
def lora_settings(train_settings: Settings, tiny_base: Path) -> Settings:
    server = train_settings.server.model_copy(
        update={"roles": ["api", "chat", "auth", "worker", "trainer"]}
    )
    training = TrainingSettings(
        base_model=str(tiny_base), lora_steps=30, lora_learning_rate=5e-2, heldout_percent=30
    )
    return train_settings.model_copy(update={"server": server, "training": training})


@pytest.fixture
async def lora_client(lora_settings: Settings) -> Any:
    async for client in open_client(lora_settings):
        yield client


async def _dataset(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    for message_id, (question, answer) in QA.items():
        await rated_answer(runtime, message_id, question, answer, rating="up")
        saved = await client.put(
            f"/api/admin/training/reviews/{message_id}", json={"kind": "accept"}, headers=headers
        )
        assert saved.status_code == 200, saved.text
    exported = await client.post("/api/admin/training/datasets", headers=headers)
    assert exported.status_code == 201, exported.text
    return int(exported.json()["version"])


async def _wait(client: httpx.AsyncClient, run_id: str, headers: dict[str, str]) -> Any:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    from dari.training.queue import training_queue

    await training_queue(runtime).drain(timeout=240)
    got = await client.get(f"/api/admin/training/runs/{run_id}", headers=headers)
    return got.json()


async def test_lora_end_to_end(lora_client: httpx.AsyncClient, tiny_base: Path) -> None:
    runtime = lora_client.app.state.runtime  # type: ignore[attr-defined]
    headers = await admin_headers(runtime)
    version = await _dataset(lora_client, headers)
    directory = store.dataset_dir(runtime.settings.server.data_dir, version)
    chat_rows = (directory / "chat.train.jsonl").read_text() + (
        directory / "chat.heldout.jsonl"
    ).read_text()
    assert "010-1234-5678" not in chat_rows and "김민준" not in chat_rows
    first = json.loads(chat_rows.splitlines()[0])
    assert [m["role"] for m in first["messages"]] == ["system", "user", "assistant"]

    started = await lora_client.post(
        "/api/admin/training/runs", json={"kind": "lora", "dataset": version}, headers=headers
    )
    assert started.status_code == 202 and started.json()["status"] == "queued"
    run = await _wait(lora_client, started.json()["id"], headers)
    assert run["status"] == "candidate", run
    assert run["progress"]["step"] == 30 and "loss" in run["progress"]
    report = run["report"]
    assert report["loss_last"] < report["loss_first"]
    assert report["gate"]["passed"], report
    adapter = Path(run["artifact"])
    assert (adapter / "adapter_config.json").exists()
    assert (adapter / "adapter_model.safetensors").exists()
    import gguf  # the same adapter for llama.cpp (`--lora adapter.gguf`)

    reader = gguf.GGUFReader(str(adapter / "adapter.gguf"))
    assert bytes(reader.fields["adapter.type"].parts[-1]).decode() == "lora"
    names = {t.name for t in reader.tensors}
    assert {"blk.0.attn_q.weight.lora_a", "blk.1.attn_v.weight.lora_b"} <= names
    assert len(names) == 2 * 4 * 2  # a and b, q/k/v/o, two layers

    tokenizer, plain = serving.load(str(tiny_base), None)
    _, tuned = serving.load(str(tiny_base), str(adapter))
    question = "출장 숙박비 한도는?"
    assert serving.generate(tokenizer, plain, question) != serving.generate(
        tokenizer, tuned, question
    )

    promoted = await lora_client.post(
        f"/api/admin/training/runs/{run['id']}/promote", headers=headers
    )
    assert promoted.status_code == 200, promoted.text
    assert serving.active_adapter(runtime.settings) == str(adapter)
    async with runtime.sessionmaker() as session:
        event = (
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "training.promote"))
        ).one()
    assert event.subject_id == run["id"] and event.details["gate"]["passed"]
    rolled = await lora_client.post("/api/admin/training/lora/rollback", headers=headers)
    assert rolled.status_code == 200 and serving.active_adapter(runtime.settings) is None


async def test_cancel_disk_full_and_other_base_change_nothing(
    lora_client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = lora_client.app.state.runtime  # type: ignore[attr-defined]
    headers = await admin_headers(runtime)
    version = await _dataset(lora_client, headers)

    # cancelled halfway: the progress callback sees the request and stops the loop
    from dari.training import lora

    real_train = lora.train

    def slow_train(*args: Any, **kwargs: Any) -> Any:
        on_step = args[5]

        def step(s: int, n: int, loss: float) -> None:
            if s == 3:
                import asyncio

                future = asyncio.run_coroutine_threadsafe(_cancel(), loop)
                future.result(10)
            import time

            time.sleep(0.05)
            on_step(s, n, loss)

        return real_train(*args[:5], step)

    async def _cancel() -> None:
        await lora_client.post(f"/api/admin/training/runs/{run_id}/cancel", headers=headers)

    import asyncio

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(lora, "train", slow_train)
    started = await lora_client.post(
        "/api/admin/training/runs", json={"kind": "lora", "dataset": version}, headers=headers
    )
    run_id = started.json()["id"]
    run = await _wait(lora_client, run_id, headers)
    assert run["status"] == "cancelled" and run["error_code"] == "cancelled", run
    assert "취소" in run["error"] and run["artifact"] is None
    refused = await lora_client.post(f"/api/admin/training/runs/{run_id}/promote", headers=headers)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    monkeypatch.setattr(lora, "train", real_train)

    # the disk fills up while the adapter is written: failed, nothing left behind
    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("peft.PeftModel.save_pretrained", full)
    started = await lora_client.post(
        "/api/admin/training/runs", json={"kind": "lora", "dataset": version}, headers=headers
    )
    run = await _wait(lora_client, started.json()["id"], headers)
    assert run["status"] == "failed" and run["error_code"] == "disk_full", run
    assert "디스크 공간이 부족" in run["error"]
    lora_dir = runtime.settings.server.data_dir / "training" / "lora"
    assert not [p for p in lora_dir.iterdir() if p.name != "promoted.json"]
    monkeypatch.undo()

    # an adapter trained on another base model is refused by the serving side
    other = build_tiny_model(tmp_path / "other", ["가나다"], layers=3)
    started = await lora_client.post(
        "/api/admin/training/runs", json={"kind": "lora", "dataset": version}, headers=headers
    )
    run = await _wait(lora_client, started.json()["id"], headers)
    assert run["status"] == "candidate", run
    from dari.training import errors

    with pytest.raises(errors.TrainingError) as caught:
        serving.check_adapter(runtime.settings, run["artifact"], base=str(other))
    assert caught.value.code == "base_model_mismatch" and "다른 기본 모델" in caught.value.message
    with pytest.raises(errors.TrainingError):
        serving.load(str(other), run["artifact"])
    assert serving.active_adapter(runtime.settings) is None


async def test_a_run_left_running_by_a_dead_trainer_fails_cleanly(
    lora_client: httpx.AsyncClient,
) -> None:
    runtime = lora_client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessionmaker() as session:
        run = Run(kind="lora", dataset_version=1, status="running", created_by="t")
        run.progress, run.report = {"step": 4}, {}
        run.updated_at = utcnow() - timedelta(hours=1)
        session.add(run)
        await session.commit()
        run_id = run.id
    assert await runs.recover(runtime) == [run_id]
    # the job tried again by the queue finds the run ended and does nothing
    assert await runs.execute(runtime, run_id) == "failed"
    async with runtime.sessionmaker() as session:
        again = await session.get(Run, run_id)
        assert again is not None
        assert again.error_code == "trainer_restarted" and again.artifact is None
    assert store.read_pointer(runtime.settings.server.data_dir, "lora") is None

    # a retry of a job whose attempt died (still `running`, however recent) fails it cleanly
    async with runtime.sessionmaker() as session:
        fresh = Run(kind="lora", dataset_version=1, status="running", created_by="t")
        fresh.progress, fresh.report = {"step": 2}, {}
        session.add(fresh)
        await session.commit()
        fresh_id = fresh.id
    assert await runs.recover(runtime) == []  # recent: maybe alive on another trainer
    assert await runs.execute(runtime, fresh_id) == "failed"


async def test_a_run_past_its_time_limit_is_interrupted(
    lora_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    runtime = lora_client.app.state.runtime  # type: ignore[attr-defined]
    headers = await admin_headers(runtime)
    version = await _dataset(lora_client, headers)
    async with runtime.sessionmaker() as session:
        from dari.training import service

        run = await service.new_run(session, "lora", version, "t")
        await session.commit()
        run_id = run.id
    from dari.training import lora

    real_train = lora.train

    def slow(*args: Any) -> Any:
        def step(s: int, n: int, loss: float) -> None:
            import time

            time.sleep(0.2)
            args[5](s, n, loss)

        return real_train(*args[:5], step)

    monkeypatch.setattr(lora, "train", slow)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(runs.execute(runtime, run_id), 3)
    async with runtime.sessionmaker() as session:
        ended = await session.get(Run, run_id)
        assert ended is not None and ended.status == "failed"
        assert ended.error_code == "interrupted" and ended.artifact is None
    await asyncio.sleep(1.5)  # the thread stopped at its next step; nothing was written
    assert not (runtime.settings.server.data_dir / "training" / "lora" / run_id).exists()


def test_trainer_is_not_a_default_role() -> None:
    assert "trainer" not in ServerSettings().roles
    assert ServerSettings(roles=["trainer"]).roles == ["trainer"]
